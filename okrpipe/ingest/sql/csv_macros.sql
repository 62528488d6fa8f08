-- Cell helpers for cells_csv.sql. A cell arrives as written, still ending with the separator
-- that closed it: a comma, or for the last cell of a record its line terminator.
CREATE OR REPLACE TEMP MACRO csv_strip(c, is_last) AS
    CASE WHEN is_last THEN rtrim(c, E'\r\n') ELSE c[:-2] END;

-- RFC 4180: a cell is either unquoted without any double quote, or wholly quoted with inner
-- quotes doubled.
CREATE OR REPLACE TEMP MACRO csv_quoting_ok(c, is_last) AS
    CASE
        WHEN starts_with(csv_strip(c, is_last), '"') THEN
            length(csv_strip(c, is_last)) >= 2
            AND ends_with(csv_strip(c, is_last), '"')
            AND NOT contains(replace(csv_strip(c, is_last)[2:-2], '""', ''), '"')
        ELSE NOT contains(csv_strip(c, is_last), '"')
    END;

-- The text of cell k (1-based) of a record with n cells; NULL when empty or k is NULL.
CREATE OR REPLACE TEMP MACRO csv_cell(cells, k, n) AS
    CASE WHEN k IS NOT NULL THEN
        nullif(
            CASE
                WHEN starts_with(csv_strip(cells[k], k = n), '"')
                THEN replace(csv_strip(cells[k], k = n)[2:-2], '""', '"')
                ELSE csv_strip(cells[k], k = n)
            END,
            ''
        )
    END;
