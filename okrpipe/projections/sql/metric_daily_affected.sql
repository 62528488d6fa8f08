-- metric_daily rows for the groups in `affected_groups` only (an incremental update): the
-- events are narrowed to the affected metrics ($metrics), to [$not_before, $not_after] and to
-- the affected local days before they are aggregated. Same columns and arithmetic as metric_daily.sql.
WITH narrowed AS (
    SELECT e.*, local_day($tz, e.occurred_at) AS day
    FROM effective_events(NULL, $metrics, $not_before, $not_after) e
    WHERE local_day($tz, e.occurred_at) IN (SELECT DISTINCT day FROM affected_groups)
)
SELECT
    n.metric,
    n.day,
    n.dimensions,
    count(*) AS events,
    fsum(n.value) AS value_sum,
    min(n.value) AS value_min,
    max(n.value) AS value_max,
    count(*) FILTER (WHERE n.value >= 9) AS promoters,
    count(*) FILTER (WHERE n.value <= 6) AS detractors,
    arg_max(n.value, {'at': n.occurred_at, 'seq': n.seq}) AS last_value,
    max(n.occurred_at) AS last_occurred_at,
    arg_max(n.seq, {'at': n.occurred_at, 'seq': n.seq}) AS last_seq
FROM narrowed n
SEMI JOIN affected_groups a
  ON a.metric = n.metric AND a.day = n.day AND a.dimensions::VARCHAR = n.dimensions::VARCHAR
GROUP BY n.metric, n.day, n.dimensions
