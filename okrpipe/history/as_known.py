"""Projections as they were known at a moment, computed without touching the stored ones.

The log is append-only and every event carries ``ingested_at``, so the state of knowledge at
time K is simply the events with ``ingested_at <= K``. The same projection SQL runs against
them in an in-memory scratch catalog: unqualified table names resolve to the scratch catalog
first (DuckDB's search path), so ``events`` is read from the log and every projection is
written to scratch. The log itself is opened read-only.
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
    folder = resources.files("okrpipe.store").joinpath("migrations")
    return folder.joinpath("002_projections.sql").read_text()


def use_catalog(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Make ``catalog`` (one of this module's constant names) the first in the search path."""
    con.execute(f"USE {catalog}")
    con.execute(f"SET search_path = '{catalog}.main,{READER_CATALOG}.main'")


def compute_into(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    definitions: Definitions,
    *,
    as_of: date,
    known_at: datetime | None,
    stamp: datetime,
) -> None:
    """Compute every projection into a new in-memory ``catalog`` (a constant name) from the
    events ingested by ``known_at`` (None: all of them); rows carry ``stamp`` as known_at."""
    con.execute(f"ATTACH ':memory:' AS {catalog}")
    use_catalog(con, catalog)
    con.execute(_projection_ddl())
    timings = engine.Timings()
    engine.rebuild_metric_daily(con, definitions, known_at, timings)
    engine.all_subjects(con)
    engine.compute_subjects(con, as_of, stamp, timings)


@contextmanager
def reader(settings: Settings, definitions: Definitions) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the log, ready for :func:`compute_into`."""
    with open_db(settings, write=False) as con:
        engine.prepare(con, definitions)
        yield con


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
    with reader(settings, definitions) as con:
        compute_into(con, SCRATCH, definitions, as_of=as_of, known_at=known_at, stamp=stamp)
        yield con
