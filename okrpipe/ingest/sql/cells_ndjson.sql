-- NDJSON lines (and Parquet rows rendered as JSON) -> one row of cells per event.
-- Cells are the fields of SPEC 1 as written: event_id, value and dimensions as JSON text
-- (their JSON type matters), the others as text. A JSON null counts as absent.
-- Input relation `chunk`: row_number, raw, blank, bad_encoding. Parameters: $known (the
-- field names of SPEC 1) and $dimensions_from_text (Parquet: a string column holding JSON
-- objects is read as the objects).
SELECT
    row_number,
    byte_offset,
    byte_length,
    CASE WHEN doc IS NULL THEN 'malformed_json' END AS parse_error,
    CASE
        WHEN doc IS NULL THEN NULL
        -- cheap test first: more keys than known fields present means unknown fields
        WHEN len(json_keys(raw)) > (
            (doc.event_id IS NOT NULL)::INT + (doc.kind IS NOT NULL)::INT
            + (doc.metric IS NOT NULL)::INT + (doc.value IS NOT NULL)::INT
            + (doc.occurred_at IS NOT NULL)::INT + (doc.dimensions IS NOT NULL)::INT
            + (doc.source IS NOT NULL)::INT + (doc.supersedes IS NOT NULL)::INT
            + (doc.schema_version IS NOT NULL)::INT)
        THEN list_filter(json_keys(raw), k -> NOT list_contains($known, k))
    END AS extra_fields,
    doc.event_id,
    doc.kind,
    doc.metric,
    doc.value,
    doc.occurred_at,
    CASE
        WHEN $dimensions_from_text AND starts_with(doc.dimensions::VARCHAR, '"')
             AND json_valid(doc.dimensions ->> '$')
        THEN (doc.dimensions ->> '$')::JSON
        ELSE doc.dimensions
    END AS dimensions,
    doc.source,
    doc.supersedes,
    doc.schema_version
FROM (
    SELECT
        row_number,
        byte_offset,
        byte_length,
        raw,
        CASE WHEN NOT bad_encoding AND starts_with(ltrim(raw, E' \t\r\n'), '{') THEN
            try(from_json(raw, '{"event_id": "JSON", "kind": "VARCHAR", "metric": "VARCHAR",
                "value": "JSON", "occurred_at": "VARCHAR", "dimensions": "JSON",
                "source": "VARCHAR", "supersedes": "VARCHAR", "schema_version": "VARCHAR"}'))
        END AS doc
    FROM chunk
    WHERE NOT blank
)
