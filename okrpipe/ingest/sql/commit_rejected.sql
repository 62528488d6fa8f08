-- Quarantine a batch's rejected rows with their raw text. When the batch gate rejects the
-- whole batch ($whole_batch), rows that were fine carry the reason batch_rejected.
INSERT INTO rejected_events
SELECT
    $batch_id AS batch_id,
    r.row_number,
    w.raw,
    coalesce(v.reasons, ['batch_rejected']) AS reasons,
    $now AS rejected_at,
    r.event_id
FROM stage.rows r
LEFT JOIN stage.verdicts v USING (row_number)
LEFT JOIN stage.raw w USING (row_number)
WHERE v.row_number IS NOT NULL OR $whole_batch
ORDER BY r.row_number
