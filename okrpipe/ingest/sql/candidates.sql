-- The rows that passed every row rule, in the form the log stores them.
-- Fields that SPEC 1 says are ignored (a superseding event's metric, occurred_at and
-- dimensions; a retraction's value) are not kept.
CREATE OR REPLACE VIEW stage.candidates AS
SELECT
    r.row_number,
    r.event_id,
    r.effective_kind::VARCHAR AS kind,
    CASE WHEN r.effective_kind <> 'observation' THEN r.supersedes END AS supersedes,
    CASE WHEN r.effective_kind = 'observation' THEN r.metric END AS metric,
    CASE WHEN r.effective_kind <> 'retraction' THEN r.value END AS value,
    CASE WHEN r.effective_kind = 'observation' THEN r.occurred_at END AS occurred_at,
    CASE WHEN r.effective_kind = 'observation' THEN coalesce(d.canonical, '{}') ELSE '{}' END::JSON
        AS dimensions,
    r.source,
    1 AS schema_version
FROM stage.rows r
LEFT JOIN stage.dimension_sets d USING (dimensions)
ANTI JOIN stage.reasons USING (row_number)
