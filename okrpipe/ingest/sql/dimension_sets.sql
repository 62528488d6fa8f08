-- The distinct dimension objects of one batch (written text -> facts and canonical form).
-- Dimensions repeat heavily (a few label combinations per metric), so checking and sorting
-- each distinct text once is much cheaper than doing it per row.
CREATE OR REPLACE TABLE stage.dimension_sets AS
WITH distinct_sets AS (
    SELECT DISTINCT dimensions FROM stage.rows WHERE dimensions IS NOT NULL
),
parsed AS (
    SELECT
        dimensions,
        json_type(dimensions) = 'OBJECT' AS is_object,
        CASE WHEN json_type(dimensions) = 'OBJECT' THEN json_keys(dimensions) END AS keys
    FROM distinct_sets
),
mapped AS (
    SELECT
        *,
        -- a MAP cannot hold a repeated key; such objects stay NULL here
        CASE WHEN is_object AND len(keys) = len(list_distinct(keys))
            THEN dimensions::JSON::MAP(VARCHAR, JSON)
        END AS entries
    FROM parsed
)
SELECT
    dimensions,
    is_object,
    keys,
    is_object AND entries IS NOT NULL AS keys_unique,
    coalesce(list_transform(map_values(entries), v -> json_type(v)), []) AS value_types,
    coalesce(list_transform(map_values(entries), v -> length(v ->> '$')), []) AS value_lengths,
    CASE
        WHEN entries IS NOT NULL
             AND coalesce(list_bool_and(list_transform(map_values(entries), v -> json_type(v) = 'VARCHAR')), true)
        THEN to_json(map_from_entries(list_sort(map_entries(entries))))
    END AS canonical
FROM mapped
