"""Writing input files and reading the database back, for tests."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from okrpipe.event_format import FIELDS
from okrpipe.ingest.runner import IngestReport, ingest_paths
from okrpipe.settings import Settings

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def event(event_id: str, **fields: Any) -> dict[str, Any]:
    """A valid observation, with overrides."""
    base: dict[str, Any] = {
        "event_id": event_id,
        "metric": "visits",
        "value": 1.0,
        "occurred_at": "2026-03-01T10:00:00Z",
        "dimensions": {"channel": "web"},
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not _ABSENT}


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


_ABSENT: Any = _Absent()
ABSENT: Any = _ABSENT


def write_ndjson(path: Path, rows: Sequence[dict[str, Any] | str], *, gz: bool = False) -> Path:
    """Rows as NDJSON lines; a str row is written verbatim (for malformed lines)."""
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
    return _write(path, text.encode(), gz)


def write_csv(
    path: Path, rows: list[dict[str, Any]], *, gz: bool = False, columns: list[str] | None = None
) -> Path:
    """Rows as CSV; dimensions as JSON text, None and absent keys as empty cells."""
    names = columns or sorted({k for r in rows for k in r}, key=_field_order)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        cells = []
        for name in names:
            value = row.get(name)
            if value is None:
                cells.append("")
            elif isinstance(value, dict):
                cells.append(json.dumps(value))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return _write(path, out.getvalue().encode(), gz)


def write_parquet(path: Path, rows: Sequence[dict[str, Any]], *, gz: bool = False) -> Path:
    """Rows as Parquet; dimensions as JSON text."""
    names = sorted({k for r in rows for k in r}, key=_field_order)
    columns: dict[str, list[Any]] = {n: [] for n in names}
    for row in rows:
        for name in names:
            value = row.get(name)
            columns[name].append(json.dumps(value) if isinstance(value, dict) else value)
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return _write(path, buffer.getvalue(), gz)


def _field_order(name: str) -> tuple[int, str]:
    return (FIELDS.index(name) if name in FIELDS else len(FIELDS), name)


def _write(path: Path, data: bytes, gz: bool) -> Path:
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def ingest(
    settings: Settings, *paths: Path | str, now: datetime = NOW, **kwargs: Any
) -> IngestReport:
    return ingest_paths(settings, [str(p) for p in paths], now=now, **kwargs)


def query(settings: Settings, sql: str, params: object = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def rejected(settings: Settings, batch_id: int | None = None) -> dict[int, list[str]]:
    """row_number -> reasons of a batch's rejected rows."""
    rows = query(
        settings,
        "SELECT row_number, reasons FROM rejected_events "
        "WHERE $b IS NULL OR batch_id = $b ORDER BY row_number",
        {"b": batch_id},
    )
    return {int(n): list(r) for n, r in rows}
