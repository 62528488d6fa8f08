"""Computing the projections, fully or for the subjects a new batch touched.

The same SQL serves three callers: ``materialize`` (incremental, into the database),
``rebuild`` (everything, into the database) and the as-known-at answers of ``status
--known-at`` (everything, into an in-memory scratch catalog, see :func:`compute_scratch`).
Unqualified table names resolve through DuckDB's search path, so the scratch computation
reads ``events`` from the log and writes its tables into scratch.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

import duckdb

from okrpipe.definitions import Definitions
from okrpipe.projections.definition_tables import load_definition_tables
from okrpipe.store.database import scalar_int

PROJECTIONS = (
    "kr_progress",
    "kr_progress_daily",
    "objective_progress",
    "kpi_scorecard",
    "benchmark_comparison",
)
SUBJECT_TABLES = {  # table -> (subject kind, id column)
    "kr_progress": ("kr", "kr_id"),
    "kr_progress_daily": ("kr", "kr_id"),
    "kpi_scorecard": ("kpi", "kpi_id"),
    "benchmark_comparison": ("benchmark", "benchmark_id"),
}


@cache
def sql(name: str) -> str:
    """The text of ``okrpipe/projections/sql/<name>.sql``."""
    return resources.files("okrpipe.projections").joinpath("sql", f"{name}.sql").read_text()


@dataclass
class Timings:
    """Seconds per step, for logs and benchmarks."""

    steps: dict[str, float] = field(default_factory=dict)

    def run(
        self,
        name: str,
        con: duckdb.DuckDBPyConnection,
        query: str,
        params: dict[str, Any] | None = None,
    ) -> None:
        start = clock.perf_counter()
        con.execute(query, params)
        self.steps[name] = round(self.steps.get(name, 0.0) + clock.perf_counter() - start, 4)


def prepare(con: duckdb.DuckDBPyConnection, definitions: Definitions) -> None:
    """Define the projection macros and load the definitions into ``defs``."""
    load_definition_tables(con, definitions)
    con.execute(sql("macros"))


def rebuild_metric_daily(
    con: duckdb.DuckDBPyConnection,
    definitions: Definitions,
    known_at: datetime | None,
    timings: Timings,
) -> None:
    """metric_daily from every effective event (ingested by ``known_at``, if given)."""
    con.execute("DELETE FROM metric_daily")
    timings.run(
        "metric_daily",
        con,
        f"INSERT INTO metric_daily {sql('metric_daily')}",
        {
            "tz": definitions.timezone,
            "known_at": known_at,
            "metrics": None,
            "not_before": None,
            "not_after": None,
        },
    )


def update_metric_daily(
    con: duckdb.DuckDBPyConnection, definitions: Definitions, after_seq: int, timings: Timings
) -> tuple[set[str], int]:
    """Recompute the metric_daily groups that events after ``after_seq`` touch.

    Returns the metrics touched and how many groups were recomputed.
    """
    timings.run(
        "affected_groups",
        con,
        sql("affected_groups"),
        {"tz": definitions.timezone, "after_seq": after_seq},
    )
    metrics = [m for (m,) in con.execute("SELECT DISTINCT metric FROM affected_groups").fetchall()]
    groups = scalar_int(con, "SELECT count(*) FROM affected_groups")
    if not groups:
        return set(), 0
    con.execute(
        "DELETE FROM metric_daily WHERE (metric, day, dimensions::VARCHAR) IN "
        "(SELECT (metric, day, dimensions::VARCHAR) FROM affected_groups)"
    )
    first_day, last_day = con.execute(
        "SELECT min(day), max(day) FROM affected_groups"
    ).fetchone() or (None, None)
    # a local day lies within 14 hours of its UTC date: this range lets DuckDB skip the row
    # groups of events outside it (events arrive roughly in time order)
    timings.run(
        "metric_daily",
        con,
        f"INSERT INTO metric_daily {sql('metric_daily_affected')}",
        {
            "tz": definitions.timezone,
            "metrics": metrics,
            "not_before": datetime.combine(first_day - timedelta(days=1), time(), UTC),
            "not_after": datetime.combine(last_day + timedelta(days=2), time(), UTC),
        },
    )
    return set(metrics), int(groups)


def subjects_reading(con: duckdb.DuckDBPyConnection, metrics: Iterable[str]) -> None:
    """Fill ``subjects_due`` with every subject whose metric (or ratio part) is in ``metrics``;
    None-like empty input selects nothing."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE subjects_due AS
        SELECT s.subject_kind, s.subject_id
        FROM defs.subjects s
        JOIN defs.metrics m ON m.metric = s.metric
        WHERE list_has_any($metrics, [m.metric, m.numerator, m.denominator])
        """,
        {"metrics": sorted(metrics)},
    )


def all_subjects(con: duckdb.DuckDBPyConnection) -> None:
    """Fill ``subjects_due`` with every key result, KPI and benchmark."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE subjects_due AS "
        "SELECT subject_kind, subject_id FROM defs.subjects"
    )


def compute_subjects(
    con: duckdb.DuckDBPyConnection, as_of: date, known_at: datetime, timings: Timings
) -> None:
    """Replace the rows of the subjects in ``subjects_due``, then every objective's row."""
    params = {"as_of": as_of, "known_at": known_at}
    for table, (kind, column) in SUBJECT_TABLES.items():
        # table and column names come from the constant SUBJECT_TABLES
        con.execute(
            f"DELETE FROM {table} WHERE {column} IN "
            "(SELECT subject_id FROM subjects_due WHERE subject_kind = $kind)",
            {"kind": kind},
        )
    timings.run("requests", con, sql("requests"), {"as_of": as_of})
    timings.run("evaluate", con, sql("evaluate"))
    timings.run("kr_anchors", con, sql("kr_anchors"))
    timings.run("kr_progress_daily", con, sql("kr_progress_daily"), {"known_at": known_at})
    timings.run("kr_progress", con, sql("kr_progress"), params)
    timings.run("kpi_scorecard", con, sql("kpi_scorecard"), params)
    timings.run("benchmark_comparison", con, sql("benchmark_comparison"), params)
    compute_objectives(con, as_of, known_at, timings)


def compute_objectives(
    con: duckdb.DuckDBPyConnection, as_of: date, known_at: datetime, timings: Timings
) -> None:
    """objective_progress from kr_progress, rolled up the parent tree deepest level first."""
    con.execute("DELETE FROM objective_progress")
    timings.run(
        "objective_progress", con, sql("objective_progress"), {"as_of": as_of, "known_at": known_at}
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE objective_depths AS
        WITH RECURSIVE tree(objective_id, depth) AS (
            SELECT objective_id, 0 FROM defs.objectives WHERE parent_id IS NULL
            UNION ALL
            SELECT o.objective_id, t.depth + 1
            FROM defs.objectives o JOIN tree t ON o.parent_id = t.objective_id
        )
        SELECT objective_id, depth FROM tree
        """
    )
    deepest = con.execute("SELECT coalesce(max(depth), -1) FROM objective_depths").fetchone()
    for depth in range(int(deepest[0]) if deepest else -1, -1, -1):
        timings.run("objective_rollup", con, sql("objective_rollup"), {"depth": depth})


def stamp_known_at(con: duckdb.DuckDBPyConnection, known_at: datetime) -> None:
    """Give every projection row the command's clock, as a rebuild would."""
    for table in PROJECTIONS:  # constant names
        con.execute(f"UPDATE {table} SET known_at = $k WHERE known_at <> $k", {"k": known_at})
