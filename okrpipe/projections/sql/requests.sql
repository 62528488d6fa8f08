-- What to evaluate at as-of date $as_of, for the subjects in the temp table `subjects_due`
-- (subject_kind, subject_id). Purposes:
--   daily     a key result on each day of its period up to $as_of (SPEC 6.1 windows)
--   baseline  a key result's {period: P} baseline over all days of P (SPEC 6.2)
--   period    a KPI over each cadence period up to $as_of (SPEC 6.6)
--   window    a benchmark over its trailing window ending at $as_of (SPEC 6.7)
CREATE OR REPLACE TEMP TABLE requests AS
WITH kr AS (
    SELECT k.*
    FROM defs.key_results k
    SEMI JOIN subjects_due s ON s.subject_kind = 'kr' AND s.subject_id = k.kr_id
),
kr_days AS (
    SELECT kr.*, unnest(generate_series(kr.period_start, least($as_of, kr.period_end),
                                        INTERVAL 1 DAY))::DATE AS day
    FROM kr
    WHERE $as_of >= kr.period_start
),
kpi AS (
    SELECT
        k.*,
        CASE k.cadence
            WHEN 'day' THEN INTERVAL 1 DAY WHEN 'week' THEN INTERVAL 7 DAY
            WHEN 'month' THEN INTERVAL 1 MONTH WHEN 'quarter' THEN INTERVAL 3 MONTH
        END AS step,
        (SELECT min(md.day)  -- the day of the KPI's first qualifying event
         FROM metric_daily md
         JOIN defs.metrics m ON md.metric IN (m.metric, m.numerator, m.denominator)
         WHERE m.metric = k.metric AND md.day <= $as_of AND md.events > 0
           AND NOT EXISTS (
               SELECT 1 FROM defs.filters f
               WHERE f.subject_kind = 'kpi' AND f.subject_id = k.kpi_id
                 AND (md.dimensions ->> f.key) IS DISTINCT FROM f.value)
        ) AS first_day
    FROM defs.kpis k
    SEMI JOIN subjects_due s ON s.subject_kind = 'kpi' AND s.subject_id = k.kpi_id
),
kpi_periods AS (
    SELECT kpi.*, unnest(generate_series(date_trunc(kpi.cadence, kpi.first_day),
                                         date_trunc(kpi.cadence, $as_of::DATE),
                                         kpi.step))::DATE AS period_start
    FROM kpi
    WHERE kpi.first_day IS NOT NULL
),
wanted AS (
    SELECT 'kr' AS subject_kind, kr_id AS subject_id, 'daily' AS purpose, day, metric,
           CASE WHEN window_kind = 'period_to_date' THEN period_start
                ELSE day - window_days + 1 END AS day_from,
           day AS day_to, statistic
    FROM kr_days
    UNION ALL
    SELECT 'kr', kr_id, 'baseline', baseline_start, metric, baseline_start, baseline_end,
           statistic
    FROM kr
    WHERE baseline_start IS NOT NULL
    UNION ALL
    SELECT 'kpi', kpi_id, 'period', period_start, metric, period_start,
           least((period_start + step - INTERVAL 1 DAY)::DATE, $as_of::DATE), 'value'
    FROM kpi_periods
    UNION ALL
    SELECT 'benchmark', b.benchmark_id, 'window', $as_of::DATE, b.metric,
           $as_of::DATE - b.window_days + 1, $as_of::DATE, 'value'
    FROM defs.benchmarks b
    SEMI JOIN subjects_due s ON s.subject_kind = 'benchmark' AND s.subject_id = b.benchmark_id
)
SELECT row_number() OVER () AS request_id, *
FROM wanted
