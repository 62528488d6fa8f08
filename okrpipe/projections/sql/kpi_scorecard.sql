-- kpi_scorecard (SPEC 6.6): each due KPI per cadence period, from the period of its first
-- qualifying event through the period that contains $as_of.
INSERT INTO kpi_scorecard
WITH periods AS (
    SELECT
        k.kpi_id,
        k.metric,
        k.cadence,
        r.day_from AS period_start,
        CASE k.cadence
            WHEN 'day' THEN r.day_from
            WHEN 'week' THEN r.day_from + 6
            WHEN 'month' THEN (r.day_from + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE
            WHEN 'quarter' THEN (r.day_from + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE
        END AS period_end,
        e.value,
        e.events,
        k.target_value AS target,
        m.better
    FROM requests r
    JOIN evaluations e USING (request_id)
    JOIN defs.kpis k ON k.kpi_id = r.subject_id
    JOIN defs.metrics m ON m.metric = k.metric
    WHERE r.subject_kind = 'kpi' AND r.purpose = 'period'
)
SELECT
    kpi_id,
    metric,
    cadence,
    period_start,
    period_end,
    value,
    target,
    CASE
        WHEN value IS NULL OR target IS NULL THEN NULL
        WHEN better = 'lower' THEN value <= target
        ELSE value >= target
    END AS met,
    CASE WHEN better = 'lower' THEN target / nullif(value, 0)
         ELSE value / nullif(target, 0) END AS attainment,
    value - lag(value) OVER (PARTITION BY kpi_id ORDER BY period_start) AS change,
    $as_of::DATE BETWEEN period_start AND period_end AND $as_of::DATE <> period_end AS partial,
    events,
    $known_at AS known_at
FROM periods
