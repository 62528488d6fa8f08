-- Identity (SPEC 1): each candidate is accepted, a duplicate (same event_id and same content
-- as the log's event, or as the first candidate of that id earlier in this file) or a
-- conflict (same event_id, different content). Rows already rejected never count: their
-- event_id stays free. Only the few ids that repeat in the file or are already in the log
-- are compared field by field; stage.identity lists the candidates that are not accepted.
CREATE OR REPLACE TABLE stage.identity AS
WITH valid AS MATERIALIZED (
    SELECT row_number, event_id FROM stage.rows ANTI JOIN stage.reasons USING (row_number)
),
involved AS MATERIALIZED (
    SELECT event_id FROM valid GROUP BY event_id HAVING count(*) > 1
    UNION
    SELECT event_id FROM valid SEMI JOIN events USING (event_id)
),
involved_rows AS MATERIALIZED (
    SELECT
        c.*,
        min(c.row_number) OVER (PARTITION BY c.event_id) AS first_row,
        (c.kind, c.supersedes, c.metric, c.value, c.occurred_at, c.dimensions::VARCHAR,
         c.source, c.schema_version) AS content
    FROM stage.candidates c
    SEMI JOIN involved USING (event_id)
),
verdicts AS (
    SELECT
        r.row_number,
        CASE
            WHEN e.event_id IS NOT NULL THEN
                r.content IS NOT DISTINCT FROM
                (e.kind, e.supersedes, e.metric, e.value, e.occurred_at, e.dimensions::VARCHAR,
                 e.source, e.schema_version)
            WHEN r.row_number <> r.first_row THEN r.content IS NOT DISTINCT FROM f.content
        END AS same
    FROM involved_rows r
    LEFT JOIN events e ON e.event_id = r.event_id
    LEFT JOIN involved_rows f ON f.row_number = r.first_row
)
SELECT row_number, CASE WHEN same THEN 'duplicate' ELSE 'conflict' END AS outcome
FROM verdicts
WHERE same IS NOT NULL
