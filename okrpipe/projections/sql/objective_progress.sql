-- objective_progress (SPEC 6.5), before roll-up: each objective's own score and status from
-- its key results. okrpipe/projections/engine.py then rolls scores up the parent tree,
-- deepest level first, and gives objectives without key results their children's worst
-- status.
INSERT INTO objective_progress
WITH krs AS (
    SELECT
        objective_id,
        sum(weight * coalesce(score, 0)) AS weighted,
        sum(weight) AS weights,
        count(*) AS n,
        min(status_rank(status)) AS worst
    FROM kr_progress
    GROUP BY objective_id
)
SELECT
    $as_of::DATE AS as_of,
    o.objective_id,
    o.title,
    o.owner,
    o.parent_id,
    o.weight,
    o.period_start,
    o.period_end,
    k.weighted / k.weights AS score,
    NULL::DOUBLE AS rollup_score,
    status_of_rank(k.worst) AS status,
    coalesce(k.n, 0) AS key_results,
    $known_at AS known_at
FROM defs.objectives o
LEFT JOIN krs k USING (objective_id)
