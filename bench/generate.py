"""Generating realistic event files of any size, set-based in DuckDB (for benchmarks)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from okrpipe.store.database import path_literal

METRICS = ["visits", "signups", "nps", "first_response_hours", "revenue"]

# One row per event: a quarter of traffic from three channels and two teams, ~1% of rows
# spoiled in the ways producers get it wrong, and ~0.2% exact duplicates of earlier rows.
_EVENTS_SQL = """
COPY (
    SELECT
        $prefix || j AS event_id,
        CASE WHEN j % 1000 = 17 THEN 'Bad Metric' ELSE $metrics[1 + (j % 5)::INT] END
            AS metric,
        CASE
            WHEN j % 1000 = 37 THEN '"many"'::JSON
            ELSE (round((j * 7919) % 1000 / 10.0, 1))::VARCHAR::JSON
        END AS value,
        strftime(
            $start::TIMESTAMPTZ + to_seconds(j * $spacing),
            CASE WHEN j % 1000 = 57 THEN '%Y-%m-%dT%H:%M:%S' ELSE '%Y-%m-%dT%H:%M:%SZ' END
        ) AS occurred_at,
        {'channel': ['web', 'app', 'partner'][1 + (j % 3)::INT],
         'team': ['support', 'sales'][1 + (j % 2)::INT]} AS dimensions,
        'bench' AS source
    FROM (SELECT CASE WHEN i % 500 = 499 THEN i - 1 ELSE i END AS j FROM range($n) t(i))
) TO {path} (FORMAT json)
"""


def generate_ndjson(
    path: Path,
    events: int,
    *,
    prefix: str = "ev-",
    start: str = "2026-01-01T00:00:00Z",
    days: int = 90,
) -> Path:
    """Write ``events`` NDJSON events spread over ``days`` days from ``start`` to ``path``.

    Event ids are ``prefix`` + row index, so files with different prefixes do not collide.
    """
    spacing = max(1, (days * 86400) // max(events, 1))
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    # COPY's target cannot be a bound parameter; the path is ours, not user input
    con.execute(
        _EVENTS_SQL.replace("{path}", path_literal(path)),
        {"n": events, "metrics": METRICS, "spacing": spacing, "prefix": prefix, "start": start},
    )
    con.close()
    return path


def cached_events(workdir: Path, events: int) -> Path:
    """``workdir/events-N.jsonl``, generated on first use and kept for later runs."""
    path = workdir / f"events-{events}.jsonl"
    return path if path.exists() else generate_ndjson(path, events)


def fresh(path: Path) -> Path:
    """``path`` with no database file (nor its .wal, .lock) left from an earlier run."""
    for leftover in path.parent.glob(path.name + "*"):
        if leftover.is_file():
            leftover.unlink()
    return path
