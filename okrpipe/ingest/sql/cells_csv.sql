-- CSV records -> one row of cells per event (the shape of cells_ndjson.sql). Every cell is
-- text; an empty cell is an absent field; the dimensions cell holds a JSON object as text.
-- Input relation `chunk`: row_number, raw, blank, malformed, cells (each cell still ends with
-- its separator and keeps its quotes). Parameters: $ncols, $extra (the header names that
-- SPEC 1 does not know), and $i_<field>: the 1-based position of each field in the header
-- (NULL when the header lacks it). The csv_* macros are in csv_macros.sql.
SELECT
    row_number,
    byte_offset,
    byte_length,
    CASE WHEN NOT well_formed THEN 'malformed_row' END AS parse_error,
    CASE WHEN well_formed AND len($extra) > 0 THEN $extra END AS extra_fields,
    to_json(event_id) AS event_id,
    kind,
    metric,
    to_json(value) AS value,
    occurred_at,
    CASE WHEN json_valid(dimensions) THEN dimensions::JSON ELSE to_json(dimensions) END
        AS dimensions,
    source,
    supersedes,
    schema_version
FROM (
    SELECT
        row_number,
        byte_offset,
        byte_length,
        NOT malformed AND list_bool_and(
            list_transform(cells, (c, i) -> csv_quoting_ok(c, i = $ncols))
        ) AS well_formed,
        CASE WHEN well_formed THEN csv_cell(cells, $i_event_id, $ncols) END AS event_id,
        CASE WHEN well_formed THEN csv_cell(cells, $i_kind, $ncols) END AS kind,
        CASE WHEN well_formed THEN csv_cell(cells, $i_metric, $ncols) END AS metric,
        CASE WHEN well_formed THEN csv_cell(cells, $i_value, $ncols) END AS value,
        CASE WHEN well_formed THEN csv_cell(cells, $i_occurred_at, $ncols) END AS occurred_at,
        CASE WHEN well_formed THEN csv_cell(cells, $i_dimensions, $ncols) END AS dimensions,
        CASE WHEN well_formed THEN csv_cell(cells, $i_source, $ncols) END AS source,
        CASE WHEN well_formed THEN csv_cell(cells, $i_supersedes, $ncols) END AS supersedes,
        CASE WHEN well_formed THEN csv_cell(cells, $i_schema_version, $ncols) END
            AS schema_version
    FROM chunk
    WHERE NOT blank
)
