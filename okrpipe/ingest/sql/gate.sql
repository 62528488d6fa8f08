-- Per-row verdicts of one batch, before the batch gate: every reason that applies to a
-- rejected row (row rules from the suite plus identity conflicts).
CREATE OR REPLACE TABLE stage.verdicts AS
SELECT row_number, list_sort(list_distinct(list(reason))) AS reasons
FROM (
    SELECT row_number, reason FROM stage.reasons
    UNION ALL
    SELECT row_number, 'event_id_conflict' FROM stage.identity WHERE outcome = 'conflict'
)
GROUP BY row_number
