-- benchmark_comparison (SPEC 6.7): each due benchmark over its trailing window at $as_of.
INSERT INTO benchmark_comparison
SELECT
    $as_of::DATE AS as_of,
    b.benchmark_id,
    b.metric,
    r.day_from AS window_start,
    r.day_to AS window_end,
    e.value,
    b.value AS benchmark_value,
    e.value - b.value AS gap,
    (e.value - b.value) / nullif(abs(b.value), 0) AS relative_gap,
    CASE WHEN m.better = 'lower' THEN e.value - b.value <= 0
         ELSE e.value - b.value >= 0 END AS favorable,
    b.source,
    $known_at AS known_at
FROM requests r
JOIN evaluations e USING (request_id)
JOIN defs.benchmarks b ON b.benchmark_id = r.subject_id
JOIN defs.metrics m ON m.metric = b.metric
WHERE r.subject_kind = 'benchmark' AND r.purpose = 'window'
