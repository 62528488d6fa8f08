"""Projections as they were known at a moment, computed without touching the stored ones.

The log is append-only and every event carries ``ingested_at``, so the state of knowledge at
time K is simply the events with ``ingested_at <= K``. The same projection SQL runs against
them in an in-memory scratch catalog: unqualified table names resolve to scratch first
(DuckDB's search path), so ``events`` is read from the log and every projection is written to
scratch. The log itself is opened read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from importlib import resources

import duckdb

from okrpipe.definitions import Definitions
from okrpipe.projections import engine
from okrpipe.settings import Settings
from okrpipe.store.database import READER_CATALOG, open_db

SCRATCH = "scratch"


def _projection_ddl() -> str:
    return (
        resources.files("okrpipe.store").joinpath("migrations", "002_projections.sql").read_text()
    )


@contextmanager
def scratch_projections(
    settings: Settings,
    definitions: Definitions,
    *,
    as_of: date,
    known_at: datetime | None,
    stamp: datetime,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose unqualified projection tables hold the figures at ``as_of`` from
    the events ingested by ``known_at`` (None: all of them), stamped ``stamp``."""
    with open_db(settings, write=False) as con:
        con.execute(f"ATTACH ':memory:' AS {SCRATCH}")
        con.execute(f"USE {SCRATCH}")
        con.execute(f"SET search_path = '{SCRATCH}.main,{READER_CATALOG}.main'")
        con.execute(_projection_ddl())
        engine.prepare(con, definitions)
        timings = engine.Timings()
        engine.rebuild_metric_daily(con, definitions, known_at, timings)
        engine.all_subjects(con)
        engine.compute_subjects(con, as_of, stamp, timings)
        yield con
