-- metric × local day × dimension set (SPEC 7), with everything SPEC 5 needs to combine days
-- and dimension sets into any aggregation: sums, extremes, NPS counts and the latest event.
-- Parameters: $tz, $known_at, and the narrowing of effective_events ($metrics, $not_before,
-- $not_after; NULL for all).
SELECT
    metric,
    local_day($tz, occurred_at) AS day,
    dimensions,
    count(*) AS events,
    fsum(value) AS value_sum,
    min(value) AS value_min,
    max(value) AS value_max,
    count(*) FILTER (WHERE value >= 9) AS promoters,
    count(*) FILTER (WHERE value <= 6) AS detractors,
    arg_max(value, {'at': occurred_at, 'seq': seq}) AS last_value,
    max(occurred_at) AS last_occurred_at,
    arg_max(seq, {'at': occurred_at, 'seq': seq}) AS last_seq
FROM effective_events($known_at, $metrics, $not_before, $not_after)
GROUP BY ALL
