-- Quarantine a batch's rejected rows with their raw text. When the batch gate rejects the
-- whole batch ($whole_batch), rows that were fine carry the reason batch_rejected.
INSERT INTO rejected_events
SELECT $batch_id, v.row_number, w.raw, v.reasons, $now, r.event_id
FROM stage.verdicts v
JOIN stage.rows r USING (row_number)
LEFT JOIN stage.raw w USING (row_number)
UNION ALL
SELECT $batch_id, r.row_number, w.raw, ['batch_rejected'], $now, r.event_id
FROM stage.rows r
ANTI JOIN stage.verdicts USING (row_number)
LEFT JOIN stage.raw w USING (row_number)
WHERE $whole_batch
