-- The metric_daily groups that events with seq > $after_seq change: the groups of new
-- observations, and of the observations that new corrections and retractions supersede.
CREATE OR REPLACE TEMP TABLE affected_groups AS
SELECT DISTINCT metric, local_day($tz, occurred_at) AS day, dimensions
FROM (
    SELECT metric, occurred_at, dimensions
    FROM events
    WHERE seq > $after_seq AND kind = 'observation'
    UNION ALL
    SELECT o.metric, o.occurred_at, o.dimensions
    FROM events s
    JOIN events o ON o.event_id = s.supersedes AND o.kind = 'observation'
    WHERE s.seq > $after_seq AND s.kind <> 'observation'
)
