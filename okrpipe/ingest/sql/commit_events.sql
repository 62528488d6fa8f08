-- Append a batch's accepted events to the log. seq continues the log's sequence in file
-- order ($seq_base + row_number: strictly increasing, gaps where rows were not accepted).
-- No ORDER BY: seq carries the order; sorting 5M rows here would cost seconds.
INSERT INTO events
SELECT
    $seq_base + c.row_number AS seq,
    c.event_id,
    c.kind,
    c.supersedes,
    c.metric,
    c.value,
    c.occurred_at,
    c.dimensions,
    c.source,
    c.schema_version,
    $batch_id AS batch_id,
    $now AS ingested_at,
    c.row_number
FROM stage.candidates c
ANTI JOIN stage.identity USING (row_number)
