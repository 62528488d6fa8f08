-- Each due key result's anchors (SPEC 6.2-6.3): baseline (a number, or the metric over the
-- baseline period), target (a number, a benchmark's value, or baseline × (1 + x/100)),
-- commit, stretch, and the direction they run in (NULL when they are not strictly monotone,
-- which a computed baseline can cause).
CREATE OR REPLACE TEMP TABLE kr_anchors AS
WITH valued AS (
    SELECT
        k.*,
        coalesce(k.baseline_value, b.value) AS baseline
    FROM defs.key_results k
    SEMI JOIN subjects_due s ON s.subject_kind = 'kr' AND s.subject_id = k.kr_id
    LEFT JOIN requests r
      ON r.subject_kind = 'kr' AND r.subject_id = k.kr_id AND r.purpose = 'baseline'
    LEFT JOIN evaluations b ON b.request_id = r.request_id
),
targeted AS (
    SELECT
        *,
        CASE target_kind
            WHEN 'change_pct' THEN baseline * (1 + change_pct / 100)
            ELSE target_value
        END AS target
    FROM valued
)
SELECT
    *,
    CASE
        WHEN commit_value IS NULL AND target > baseline THEN 'increase'
        WHEN commit_value IS NULL AND target < baseline THEN 'decrease'
        WHEN baseline < commit_value AND commit_value < target AND target < stretch_value
            THEN 'increase'
        WHEN baseline > commit_value AND commit_value > target AND target > stretch_value
            THEN 'decrease'
    END AS direction,
    CASE
        WHEN baseline IS NULL THEN 'the baseline period has no data'
        WHEN baseline = target THEN 'the baseline equals the target; progress is undefined'
        WHEN commit_value IS NOT NULL
             AND NOT (baseline < commit_value AND commit_value < target AND target < stretch_value)
             AND NOT (baseline > commit_value AND commit_value > target AND target > stretch_value)
            THEN 'baseline, commit, target and stretch are not strictly monotone'
    END AS note
FROM targeted
