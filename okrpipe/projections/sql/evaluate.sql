-- Metric values (SPEC 5) for every row of the temp table `requests`:
--   request_id, subject_kind, subject_id, metric, day_from, day_to, statistic.
-- A request takes the metric_daily rows of its metric (both parts of a ratio) whose day is in
-- [day_from, day_to] and whose dimensions satisfy every `where` pair of its subject.
CREATE OR REPLACE TEMP TABLE evaluations AS
WITH parts AS (
    SELECT r.request_id, r.subject_kind, r.subject_id, r.day_from, r.day_to, p.role, p.metric
    FROM requests r
    JOIN defs.metrics m ON m.metric = r.metric
    CROSS JOIN LATERAL (
        SELECT 'value' AS role, m.metric AS metric WHERE m.numerator IS NULL
        UNION ALL SELECT 'numerator', m.numerator WHERE m.numerator IS NOT NULL
        UNION ALL SELECT 'denominator', m.denominator WHERE m.numerator IS NOT NULL
    ) p
),
matching AS (  -- the dimension sets that satisfy each subject's filter
    SELECT s.subject_kind, s.subject_id, d.dimensions
    FROM defs.subjects s
    CROSS JOIN (SELECT DISTINCT dimensions FROM metric_daily) d
    WHERE NOT EXISTS (
        SELECT 1 FROM defs.filters f
        WHERE f.subject_kind = s.subject_kind AND f.subject_id = s.subject_id
          AND (d.dimensions ->> f.key) IS DISTINCT FROM f.value
    )
),
stats AS (
    SELECT
        p.request_id,
        p.role,
        p.metric,
        sum(md.events) AS events,
        fsum(md.value_sum) AS total,
        min(md.value_min) AS low,
        max(md.value_max) AS high,
        sum(md.promoters) AS promoters,
        sum(md.detractors) AS detractors,
        arg_max(md.last_value, {'at': md.last_occurred_at, 'seq': md.last_seq}) AS last
    FROM parts p
    JOIN matching mt ON mt.subject_kind = p.subject_kind AND mt.subject_id = p.subject_id
    JOIN metric_daily md
      ON md.metric = p.metric AND md.dimensions = mt.dimensions
     AND md.day BETWEEN p.day_from AND p.day_to
    GROUP BY p.request_id, p.role, p.metric
),
part_values AS (
    SELECT
        s.request_id,
        s.role,
        s.events,
        s.total,
        CASE m.aggregation
            WHEN 'sum' THEN s.total
            WHEN 'count' THEN s.events
            WHEN 'avg' THEN s.total / s.events
            WHEN 'min' THEN s.low
            WHEN 'max' THEN s.high
            WHEN 'last' THEN s.last
            WHEN 'nps' THEN 100.0 * (s.promoters - s.detractors) / s.events
        END AS value,
        m.aggregation
    FROM stats s
    JOIN defs.metrics m ON m.metric = s.metric
)
SELECT
    r.request_id,
    CASE
        WHEN m.numerator IS NOT NULL THEN n.value / nullif(d.value, 0)
        -- daily_average: the sum (or count) over the window / the days of the window
        WHEN r.statistic = 'daily_average' THEN v.value / (r.day_to - r.day_from + 1)
        ELSE v.value
    END AS value,
    coalesce(v.events, 0) + coalesce(n.events, 0) + coalesce(d.events, 0) AS events
FROM requests r
JOIN defs.metrics m ON m.metric = r.metric
LEFT JOIN part_values v ON v.request_id = r.request_id AND v.role = 'value'
LEFT JOIN part_values n ON n.request_id = r.request_id AND n.role = 'numerator'
LEFT JOIN part_values d ON d.request_id = r.request_id AND d.role = 'denominator'
