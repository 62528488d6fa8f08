-- kr_progress_daily (SPEC 7): each due key result on each day of its period up to $as_of.
INSERT INTO kr_progress_daily
WITH daily AS (
    SELECT r.subject_id AS kr_id, r.day, e.value AS current_value
    FROM requests r
    JOIN evaluations e USING (request_id)
    WHERE r.subject_kind = 'kr' AND r.purpose = 'daily'
),
scored AS (
    SELECT
        d.kr_id,
        d.day,
        d.current_value,
        kr_progress_of(d.current_value, a.baseline, a.target, a.direction) AS progress,
        kr_score(d.current_value, a.baseline, a.commit_value, a.target, a.stretch_value,
                 a.direction) AS score,
        elapsed_share(d.day, a.period_start, a.period_end) AS expected_progress,
        a.period_start,
        a.period_end
    FROM daily d
    JOIN kr_anchors a USING (kr_id)
)
SELECT
    kr_id,
    day,
    current_value,
    progress,
    score,
    expected_progress,
    kr_status(day, period_start, period_end, current_value, progress, expected_progress,
              s.at_risk, s.off_track) AS status,
    $known_at AS known_at
FROM scored
CROSS JOIN defs.settings s
