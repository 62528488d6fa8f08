"""Reading one input file into the staging table ``stage.rows``, set-based.

The staging database is an in-memory DuckDB database attached to the writer's connection
(``stage``), so other cursors of the same connection, such as the validation engine's, see
it. Records reach DuckDB as Arrow chunks (:mod:`okrpipe.ingest.records`) and are parsed
and typed by the SQL in ``ingest/sql``. Raw text is not staged: rows that end up rejected
get it from a second, cheap pass over the file (:func:`read_raw`).
"""

from __future__ import annotations

import gzip
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from importlib import resources
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from okrpipe.errors import InputFileError
from okrpipe.event_format import FIELDS, TIMESTAMP_WITH_OFFSET, TIMESTAMP_WITHOUT_OFFSET
from okrpipe.ingest.readahead import ReadAhead
from okrpipe.ingest.records import DEFAULT_CHUNK_BYTES, csv_chunks, ndjson_chunks, raw_records
from okrpipe.ingest.sources import InputFile

PARQUET_BATCH_ROWS = 256_000
# DuckDB scans one Arrow record batch per thread: cut chunks so that all cores take part
PARALLEL_BATCH_ROWS = 32_768

Progress = Callable[[int], None]


@cache
def sql(name: str) -> str:
    """The text of ``okrpipe/ingest/sql/<name>.sql``."""
    return resources.files("okrpipe.ingest").joinpath("sql", f"{name}.sql").read_text()


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Attach the in-memory staging database and define the CSV cell macros."""
    attached = con.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name = 'stage'"
    ).fetchone()
    if not attached or not attached[0]:
        con.execute("ATTACH ':memory:' AS stage")
        con.execute(
            "CREATE TYPE stage.event_kind AS ENUM ('observation', 'correction', 'retraction')"
        )
        con.execute("CREATE TYPE stage.timestamp_form AS ENUM ('offset', 'naive', 'other')")
    con.execute(sql("csv_macros"))


@contextmanager
def open_stream(item: InputFile) -> Iterator[BinaryIO]:
    """The file's bytes, decompressed when it is gzip."""
    try:
        raw = open(item.path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputFileError(f"cannot open: {exc.strerror}") from None
    try:
        if item.gzip:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield raw
    except (gzip.BadGzipFile, EOFError, OSError) as exc:
        raise InputFileError(f"not a readable gzip file ({exc})") from None
    finally:
        raw.close()


def _cells_sql(item: InputFile) -> str:
    return sql("cells_csv") if item.format == "csv" else sql("cells_ndjson")


def _params(item: InputFile, header: list[str] | None) -> dict[str, object]:
    if header is None:
        return {"known": list(FIELDS), "dimensions_from_text": item.format == "parquet"}
    params: dict[str, object] = {
        "ncols": len(header),
        "extra": [name for name in header if name not in FIELDS],
    }
    for field in FIELDS:
        params[f"i_{field}"] = header.index(field) + 1 if field in header else None
    return params


def _chunks(item: InputFile, stream: BinaryIO) -> tuple[list[str] | None, Iterator[pa.Table]]:
    if item.format == "ndjson":
        return None, ndjson_chunks(stream, DEFAULT_CHUNK_BYTES)
    if item.format == "csv":
        parsed = csv_chunks(stream, DEFAULT_CHUNK_BYTES)
        return parsed.header, parsed.tables
    return None, _parquet_chunks(item, stream)


def _parquet_chunks(item: InputFile, stream: BinaryIO) -> Iterator[pa.Table]:
    """Parquet rows rendered as JSON documents, so that they take the NDJSON path."""
    source: BinaryIO | pa.BufferReader = pa.BufferReader(stream.read()) if item.gzip else stream
    try:
        parquet = pq.ParquetFile(source)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(f"not a readable Parquet file ({exc})") from None
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    next_row = 1
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            data = _instants_as_text(pa.Table.from_batches([batch]))
            numbers = pa.table(
                {"row_number": np.arange(next_row, next_row + data.num_rows, dtype=np.int64)}
            )
            con.register("data", data)
            con.register("numbers", numbers)
            yield con.execute(
                "SELECT n.row_number, to_json(d)::VARCHAR AS raw, false AS blank, "
                "false AS bad_encoding, NULL::BIGINT AS byte_offset, NULL::INTEGER AS byte_length "
                "FROM data d POSITIONAL JOIN numbers n"
            ).to_arrow_table()
            next_row += data.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(f"not a readable Parquet file ({exc})") from None
    finally:
        con.close()


def _instants_as_text(table: pa.Table) -> pa.Table:
    """Timestamp columns with a time zone as RFC 3339 text in UTC (``…Z``)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            utc = table.column(i).cast(pa.timestamp("us", tz="UTC"))
            text = pc.strftime(utc, format="%Y-%m-%dT%H:%M:%SZ")
            table = table.set_column(i, field.name, text)
    return table


def _empty_chunk(item: InputFile) -> pa.Table:
    if item.format == "csv":
        return pa.table(
            {
                "row_number": pa.array([], pa.int64()),
                "raw": pa.array([], pa.large_string()),
                "blank": pa.array([], pa.bool_()),
                "malformed": pa.array([], pa.bool_()),
                "cells": pa.array([], pa.large_list(pa.large_string())),
                "byte_offset": pa.array([], pa.int64()),
                "byte_length": pa.array([], pa.int32()),
            }
        )
    return pa.table(
        {
            "row_number": pa.array([], pa.int64()),
            "raw": pa.array([], pa.large_string()),
            "blank": pa.array([], pa.bool_()),
            "bad_encoding": pa.array([], pa.bool_()),
            "byte_offset": pa.array([], pa.int64()),
            "byte_length": pa.array([], pa.int32()),
        }
    )


def stage_file(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> list[str]:
    """Parse ``item`` into ``stage.rows`` and ``stage.dimension_sets`` (replacing them).

    ``stage.batch`` holds the batch's clock (``now``) for the rules that need it. Returns the
    file's field names when it has a header (CSV). Raises :class:`InputFileError` when the
    file cannot be read at all.
    """
    con.execute(
        "CREATE OR REPLACE TABLE stage.batch AS SELECT $now::TIMESTAMPTZ AS now", {"now": now}
    )
    with open_stream(item) as stream:
        header, chunks = _chunks(item, stream)
        params = {
            **_params(item, header),
            "timestamp_with_offset": TIMESTAMP_WITH_OFFSET,
            "timestamp_without_offset": TIMESTAMP_WITHOUT_OFFSET,
        }
        body = f"WITH cells AS ({_cells_sql(item)}) {sql('stage')}"
        con.register("chunk", _empty_chunk(item))
        con.execute(f"CREATE OR REPLACE TABLE stage.rows AS {body} LIMIT 0", params)
        with ReadAhead(chunks) as ahead:
            for chunk in ahead:
                batches = chunk.to_batches(PARALLEL_BATCH_ROWS)
                con.register("chunk", pa.Table.from_batches(batches, chunk.schema))
                con.execute(f"INSERT INTO stage.rows {body}", params)
                if progress is not None:
                    progress(chunk.num_rows)
        con.unregister("chunk")
    con.execute(sql("dimension_sets"))
    return header or []


_PREAD_LIMIT = 200_000  # more wanted rows than this: one streaming pass beats many reads


def read_raw(con: duckdb.DuckDBPyConnection, item: InputFile) -> None:
    """Fill ``stage.raw(row_number, raw)`` for the rows listed in ``stage.wanted``.

    Uncompressed NDJSON and CSV rows are read back by their byte ranges; otherwise a second
    pass over the file decodes only the wanted records (numbered exactly as
    :func:`stage_file` numbers them). Parquet rows appear as JSON documents.
    """
    con.execute("CREATE OR REPLACE TABLE stage.raw (row_number BIGINT, raw VARCHAR)")
    located = con.execute(
        "SELECT row_number, byte_offset, byte_length FROM stage.rows "
        "SEMI JOIN stage.wanted USING (row_number) ORDER BY row_number"
    ).fetchnumpy()
    numbers = np.asarray(located["row_number"], dtype=np.int64)
    if len(numbers) == 0:
        return
    if item.format == "parquet":
        with open_stream(item) as stream:
            for chunk in _parquet_chunks(item, stream):
                con.register("chunk", chunk)
                con.execute(
                    "INSERT INTO stage.raw SELECT row_number, raw FROM chunk "
                    "WHERE row_number IN (SELECT row_number FROM stage.wanted)"
                )
            con.unregister("chunk")
        return
    if item.gzip or len(numbers) > _PREAD_LIMIT:
        with open_stream(item) as stream:
            found = raw_records(stream, numbers, csv_quotes=item.format == "csv")
            _insert_raw(con, found)
        return
    offsets = np.asarray(located["byte_offset"], dtype=np.int64)
    lengths = np.asarray(located["byte_length"], dtype=np.int64)
    with open(item.path, "rb") as handle:
        fd = handle.fileno()
        _insert_raw(
            con,
            (
                (int(n), os.pread(fd, int(size), int(at)).decode("utf-8", "backslashreplace"))
                for n, at, size in zip(numbers, offsets, lengths, strict=True)
            ),
        )


def _insert_raw(con: duckdb.DuckDBPyConnection, found: Iterator[tuple[int, str]]) -> None:
    while batch := list(itertools.islice(found, 100_000)):
        table = pa.table(
            {
                "row_number": pa.array([n for n, _ in batch], pa.int64()),
                "raw": pa.array([t for _, t in batch], pa.large_string()),
            }
        )
        con.register("found", table)
        con.execute("INSERT INTO stage.raw SELECT * FROM found")
        con.unregister("found")
