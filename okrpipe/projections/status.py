"""The status document (SPEC 8): objectives with their key results, as JSON or a table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from okrpipe.clock import parse_date, parse_timestamp
from okrpipe.definitions import Definitions
from okrpipe.projections.engine import prepare
from okrpipe.projections.materialize import projection_state
from okrpipe.settings import Settings
from okrpipe.store.database import open_db

OBJECTIVE_COLUMNS = (
    "as_of",
    "objective_id",
    "title",
    "owner",
    "parent_id",
    "weight",
    "period_start",
    "period_end",
    "score",
    "rollup_score",
    "status",
    "key_results",
    "known_at",
)
KR_COLUMNS = (
    "as_of",
    "objective_id",
    "kr_id",
    "title",
    "metric",
    "window_start",
    "window_end",
    "current_value",
    "baseline",
    "target",
    "commit",
    "stretch",
    "direction",
    "progress",
    "score",
    "elapsed",
    "expected_progress",
    "status",
    "events",
    "weight",
    "period_start",
    "period_end",
    "note",
    "known_at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _select(
    con: duckdb.DuckDBPyConnection, table: str, key: str, order: str, columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    """``columns`` of the (unqualified) projection ``table``, in the order of ``order``'s
    ``position`` (definition order), as dicts of JSON-ready values."""
    listed = ", ".join(f'p."{c}"' for c in columns)
    # identifiers are this module's constants, never input
    query = f"SELECT {listed} FROM {table} p LEFT JOIN {order} d USING ({key}) ORDER BY d.position"
    return [
        dict(zip(columns, map(_plain, row), strict=True)) for row in con.execute(query).fetchall()
    ]


def status_document(
    con: duckdb.DuckDBPyConnection, as_of: date, known_at: datetime
) -> dict[str, Any]:
    """``{"as_of", "known_at", "objectives": [... {"key_results": [...]}]}`` from the
    (unqualified) objective_progress and kr_progress tables, in definition order."""
    objectives = _select(
        con, "objective_progress", "objective_id", "defs.objectives", OBJECTIVE_COLUMNS
    )
    by_objective: dict[str, list[dict[str, Any]]] = {o["objective_id"]: [] for o in objectives}
    for kr in _select(con, "kr_progress", "kr_id", "defs.key_results", KR_COLUMNS):
        by_objective.setdefault(kr["objective_id"], []).append(kr)
    for objective in objectives:
        objective["key_results"] = by_objective[objective["objective_id"]]
    return {"as_of": as_of.isoformat(), "known_at": known_at.isoformat(), "objectives": objectives}


def materialized_status(settings: Settings, definitions: Definitions) -> dict[str, Any] | None:
    """The status document of the stored projections, as the last materialize left them
    (None before the first one)."""
    with open_db(settings, write=False) as con:
        state = projection_state(con)
        if not state:
            return None
        prepare(con, definitions)
        return status_document(
            con, parse_date(state["as_of"]), parse_timestamp(state["known_at"], "known_at")
        )
