-- kr_progress (SPEC 7): each due key result at as-of date $as_of. Its current value is the
-- value on day min($as_of, last day of the period); before the period it is not_started and
-- its figures are NULL.
INSERT INTO kr_progress
WITH current AS (
    SELECT r.subject_id AS kr_id, r.day_from, r.day_to, e.value, e.events
    FROM requests r
    JOIN evaluations e USING (request_id)
    JOIN defs.key_results k ON k.kr_id = r.subject_id
    WHERE r.subject_kind = 'kr' AND r.purpose = 'daily'
      AND r.day = least($as_of::DATE, k.period_end)
),
measured AS (
    SELECT
        a.*,
        c.day_from AS window_start,
        c.day_to AS window_end,
        c.value AS current_value,
        c.events,
        kr_progress_of(c.value, a.baseline, a.target, a.direction) AS progress,
        elapsed_share($as_of::DATE, a.period_start, a.period_end) AS elapsed
    FROM kr_anchors a
    LEFT JOIN current c USING (kr_id)
)
SELECT
    $as_of::DATE AS as_of,
    m.objective_id,
    m.kr_id,
    m.title,
    m.metric,
    m.window_start,
    m.window_end,
    m.current_value,
    m.baseline,
    m.target,
    m.commit_value AS "commit",
    m.stretch_value AS stretch,
    m.direction,
    m.progress,
    kr_score(m.current_value, m.baseline, m.commit_value, m.target, m.stretch_value,
             m.direction) AS score,
    m.elapsed,
    m.elapsed AS expected_progress,
    kr_status($as_of::DATE, m.period_start, m.period_end, m.current_value, m.progress,
              m.elapsed, s.at_risk, s.off_track) AS status,
    m.events,
    m.weight,
    m.period_start,
    m.period_end,
    m.note,
    $known_at AS known_at
FROM measured m
CROSS JOIN defs.settings s
