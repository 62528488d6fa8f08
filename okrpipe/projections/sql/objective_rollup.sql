-- One level of the roll-up (SPEC 6.5): objectives at depth $depth get
-- rollup_score = (Σ wᵢ·sᵢ over their key results + Σ w_c·r_c over their children) /
-- (Σ wᵢ + Σ w_c); a child without a roll-up score counts as 0. NULL when an objective has
-- neither key results nor children. Without key results, the status is the worst child's.
UPDATE objective_progress AS o
SET rollup_score = u.rollup_score,
    status = coalesce(o.status, u.child_status)
FROM (
    SELECT
        d.objective_id,
        (coalesce(k.weighted, 0) + coalesce(c.weighted, 0))
            / nullif(coalesce(k.weights, 0) + coalesce(c.weights, 0), 0) AS rollup_score,
        c.worst_status AS child_status
    FROM objective_depths d
    LEFT JOIN (
        SELECT objective_id, sum(weight * coalesce(score, 0)) AS weighted, sum(weight) AS weights
        FROM kr_progress GROUP BY objective_id
    ) k USING (objective_id)
    LEFT JOIN (
        SELECT parent_id AS objective_id,
               sum(weight * coalesce(rollup_score, 0)) AS weighted,
               sum(weight) AS weights,
               status_of_rank(min(status_rank(status))) AS worst_status
        FROM objective_progress WHERE parent_id IS NOT NULL GROUP BY parent_id
    ) c USING (objective_id)
    WHERE d.depth = $depth
) u
WHERE o.objective_id = u.objective_id
