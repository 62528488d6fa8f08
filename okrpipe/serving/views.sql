-- Convenience views of the serving database: what dashboards usually want. They read only
-- tables of the same file, so the file works on its own in any DuckDB client.

CREATE VIEW okr_status AS
SELECT
    o.as_of,
    o.objective_id,
    o.title AS objective_title,
    o.owner,
    o.parent_id,
    o.score AS objective_score,
    o.rollup_score AS objective_rollup_score,
    o.status AS objective_status,
    k.kr_id,
    k.title AS kr_title,
    k.metric,
    k.current_value,
    k.baseline,
    k.target,
    k.progress,
    k.expected_progress,
    k.score AS kr_score,
    k.status AS kr_status,
    k.known_at
FROM objective_progress o
LEFT JOIN kr_progress k USING (objective_id);

COMMENT ON VIEW okr_status IS
    'One row per key result with its objective''s score and status (objectives without key results appear once with NULL key-result columns).';

CREATE VIEW objective_summary AS
SELECT
    o.objective_id,
    o.title,
    o.owner,
    o.parent_id,
    o.period_start,
    o.period_end,
    o.score,
    o.rollup_score,
    o.status,
    count(k.kr_id) AS key_results,
    count(*) FILTER (WHERE k.status IN ('on_track', 'achieved')) AS on_track_or_achieved,
    count(*) FILTER (WHERE k.status = 'at_risk') AS at_risk,
    count(*) FILTER (WHERE k.status IN ('off_track', 'missed')) AS off_track_or_missed,
    count(*) FILTER (WHERE k.status = 'no_data') AS no_data,
    o.as_of,
    o.known_at
FROM objective_progress o
LEFT JOIN kr_progress k USING (objective_id)
GROUP BY ALL;

COMMENT ON VIEW objective_summary IS
    'The latest status of each objective with the count of its key results per status.';

CREATE VIEW kr_trend AS
SELECT d.kr_id, k.objective_id, k.title, k.metric, d.day, d.current_value, d.progress,
       d.expected_progress, d.score, d.status, k.target
FROM kr_progress_daily d
JOIN kr_progress k USING (kr_id);

COMMENT ON VIEW kr_trend IS
    'Each key result day by day through its period up to the as-of date: plot progress against expected_progress.';

CREATE VIEW kpi_trend AS
SELECT
    kpi_id,
    metric,
    cadence,
    period_start,
    period_end,
    value,
    lag(value) OVER (PARTITION BY kpi_id ORDER BY period_start) AS previous_value,
    change,
    change / nullif(abs(lag(value) OVER (PARTITION BY kpi_id ORDER BY period_start)), 0)
        AS change_pct,
    target,
    met,
    attainment,
    partial
FROM kpi_scorecard;

COMMENT ON VIEW kpi_trend IS
    'Each KPI period by period with the previous value and the relative change.';

CREATE VIEW kpi_latest AS
SELECT * FROM kpi_scorecard
QUALIFY row_number() OVER (PARTITION BY kpi_id ORDER BY period_start DESC) = 1;

COMMENT ON VIEW kpi_latest IS 'The latest (possibly partial) period of each KPI.';

CREATE VIEW ingest_health AS
SELECT
    date_trunc('day', ingested_at)::DATE AS day,
    count(*) AS batches,
    count(*) FILTER (WHERE status = 'committed') AS committed,
    count(*) FILTER (WHERE status = 'rejected') AS rejected,
    count(*) FILTER (WHERE status = 'failed') AS failed,
    sum(rows_read) AS rows_read,
    sum(rows_accepted) AS rows_accepted,
    sum(rows_rejected) AS rows_quarantined
FROM batches
GROUP BY ALL;

COMMENT ON VIEW ingest_health IS
    'Batches per ingest day: committed, rejected and failed files, rows read, accepted and quarantined.';
