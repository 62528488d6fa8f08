-- Cells -> the typed rows of one batch (table stage.rows): the facts that the expectation
-- suite (okrpipe/validation/event_contract.json) checks and the values the log stores.
-- Parsing lives here; the rules that accept or reject a row live in the suite. Columns are
-- kept narrow (enums, booleans) because the whole batch is held in memory.
-- Input relation `cells` (cells_ndjson.sql or cells_csv.sql). Parameters: the two
-- timestamp patterns of okrpipe/ingest/stage.py. Types stage.event_kind and
-- stage.timestamp_form: okrpipe/ingest/stage.py.
SELECT
    row_number,
    byte_offset,
    byte_length,
    parse_error,
    extra_fields,
    CASE WHEN starts_with(event_id::VARCHAR, '"') THEN event_id ->> '$' ELSE event_id::VARCHAR END
        AS event_id,
    starts_with(event_id::VARCHAR, '"') AS event_id_is_text,
    kind,
    -- the kind that decides which fields are required: NULL when kind is invalid
    CASE WHEN parse_error IS NULL
        THEN TRY_CAST(coalesce(kind, 'observation') AS stage.event_kind)
    END AS effective_kind,
    metric,
    value IS NOT NULL AS value_given,
    CASE
        -- a string holding a number (CSV cells are always strings)
        WHEN starts_with(value::VARCHAR, '"') THEN
            CASE WHEN regexp_full_match(
                trim(value ->> '$'),
                '[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(?i:nan|inf|infinity)'
            ) THEN TRY_CAST(trim(value ->> '$') AS DOUBLE) END
        -- true, false, objects and arrays are not numbers
        WHEN left(value::VARCHAR, 1) IN ('t', 'f', 'n', '{', '[') THEN NULL
        -- a JSON number, or the non-standard NaN / Infinity / -Infinity literals
        ELSE TRY_CAST(value::VARCHAR AS DOUBLE)
    END AS value,
    occurred_at_form,
    -- the instant, for RFC 3339 text with an offset; for text without one, the instant it
    -- would be in UTC (so that rules can tell a naive timestamp from an invalid one)
    CASE
        WHEN occurred_at_form = 'offset' THEN TRY_CAST(upper(occurred_at) AS TIMESTAMPTZ)
        WHEN occurred_at_form = 'naive' THEN TRY_CAST(upper(occurred_at) || 'Z' AS TIMESTAMPTZ)
    END AS occurred_at,
    dimensions::VARCHAR AS dimensions,
    source,
    supersedes,
    schema_version AS schema_version_text
FROM (
    SELECT
        *,
        CASE
            WHEN occurred_at IS NULL THEN NULL
            WHEN regexp_full_match(occurred_at, $timestamp_with_offset) THEN 'offset'
            WHEN regexp_full_match(occurred_at, $timestamp_without_offset) THEN 'naive'
            ELSE 'other'
        END::stage.timestamp_form AS occurred_at_form
    FROM cells
)
