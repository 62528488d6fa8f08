-- The observations a key result's current value reads (SPEC 5): its metric (both parts of a
-- ratio), its `where` filter, the days of its window ($day_from..$day_to), as known at
-- $known_at (NULL: everything) — with what corrections and retractions did to them, and the
-- batch and file each came from. Retracted observations are listed (counted = false).
WITH parts AS (
    SELECT unnest(CASE WHEN m.numerator IS NULL THEN [m.metric]
                       ELSE [m.numerator, m.denominator] END) AS metric
    FROM defs.metrics m
    WHERE m.metric = $metric
),
winners AS (
    SELECT supersedes,
           arg_max({'kind': kind, 'value': value, 'event_id': event_id, 'batch_id': batch_id,
                    'seq': seq}, seq) AS last,
           count(*) AS superseding_events
    FROM events
    WHERE kind <> 'observation' AND ($known_at IS NULL OR ingested_at <= $known_at)
    GROUP BY supersedes
)
SELECT
    o.seq,
    o.event_id,
    o.metric,
    o.occurred_at,
    local_day($tz, o.occurred_at) AS day,
    o.dimensions,
    o.value AS original_value,
    CASE WHEN w.last.kind = 'correction' THEN w.last.value ELSE o.value END AS value,
    w.last.kind IS DISTINCT FROM 'retraction' AS counted,
    w.last.kind AS superseded_kind,
    w.last.event_id AS superseded_by,
    w.last.batch_id AS superseded_in_batch,
    w.superseding_events,
    o.batch_id,
    b.source_uri,
    o.ingested_at
FROM events o
JOIN parts p ON p.metric = o.metric
LEFT JOIN winners w ON w.supersedes = o.event_id
LEFT JOIN batches b ON b.batch_id = o.batch_id
WHERE o.kind = 'observation'
  AND ($known_at IS NULL OR o.ingested_at <= $known_at)
  AND local_day($tz, o.occurred_at) BETWEEN $day_from AND $day_to
  AND NOT EXISTS (
      SELECT 1 FROM defs.filters f
      WHERE f.subject_kind = 'kr' AND f.subject_id = $kr_id
        AND (o.dimensions ->> f.key) IS DISTINCT FROM f.value)
ORDER BY o.occurred_at, o.seq
