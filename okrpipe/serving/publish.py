"""Publishing the serving database: a complete, consistent copy that BI tools read.

DuckDB lets no other process open a file while one writes it, and an open reader would
block the writer. So BI tools never open the pipeline's database: after each materialize the
writer builds a new file beside it (``<name>.serving.duckdb.new``), copies the contract
tables from its one committed state, adds comments and convenience views, checkpoints and
closes it, and then renames it over ``<name>.serving.duckdb`` (an atomic ``os.replace``).
A reader that reconnects sees the new file; a reader holding a connection keeps the file it
opened, complete and consistent, until it reconnects. Nobody waits for anybody.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb

from okrpipe import __version__
from okrpipe.settings import Settings, companion_paths
from okrpipe.store.database import path_literal

#: Tables copied to the serving database (SPEC 7 without events and rejected_events).
TABLES = (
    "batches",
    "validation_runs",
    "metric_daily",
    "kr_progress",
    "kr_progress_daily",
    "objective_progress",
    "kpi_scorecard",
    "benchmark_comparison",
    "kr_snapshots",
)
SERVING = "serving"
#: The oldest DuckDB that can open the serving file: BI drivers embed older DuckDB versions.
STORAGE_VERSION = "v1.0.0"


@dataclass
class Publication:
    """What a publish wrote."""

    path: Path
    seconds: float


def _sql(name: str) -> str:
    return resources.files("okrpipe.serving").joinpath(name).read_text()


def publish(con: duckdb.DuckDBPyConnection, settings: Settings, *, now: datetime) -> Publication:
    """Write the serving database from the writer's connection ``con`` (its committed state).

    Call it under the writer lock, outside a transaction.
    """
    start = time.perf_counter()
    target = companion_paths(settings.db)["serving"]
    fresh = target.with_name(target.name + ".new")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)
    source = con.execute("SELECT current_database()").fetchone()
    assert source is not None
    con.execute(f"ATTACH {path_literal(fresh)} AS {SERVING} (STORAGE_VERSION '{STORAGE_VERSION}')")
    try:
        for table in TABLES:  # constant names
            con.execute(f"CREATE TABLE {SERVING}.{table} AS SELECT * FROM {table}")
        con.execute(
            f"""
            CREATE TABLE {SERVING}.publication AS
            SELECT
                $now::TIMESTAMPTZ AS published_at,
                (SELECT max(as_of) FROM kr_progress) AS as_of,
                (SELECT max(known_at) FROM kr_progress) AS known_at,
                (SELECT TRY_CAST(value AS BIGINT) FROM projection_state
                 WHERE key = 'last_seq') AS last_seq,
                (SELECT count(*) FROM events) AS events,
                $version AS okrpipe_version
            """,
            {"now": now, "version": __version__},
        )
        con.execute(f"USE {SERVING}")
        try:
            con.execute(_sql("views.sql"))
            con.execute(_sql("comments.sql"))
        finally:
            con.execute(f'USE "{str(source[0]).replace(chr(34), chr(34) * 2)}"')
        con.execute(f"CHECKPOINT {SERVING}")
    finally:
        con.execute(f"DETACH {SERVING}")
    os.replace(fresh, target)
    return Publication(path=target, seconds=time.perf_counter() - start)
