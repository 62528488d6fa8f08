"""The status document (SPEC 8): objectives with their key results, as JSON or a table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

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


def _rows(
    con: duckdb.DuckDBPyConnection, query: str, columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    return [
        dict(zip(columns, map(_plain, row), strict=True)) for row in con.execute(query).fetchall()
    ]


def status_document(
    con: duckdb.DuckDBPyConnection, as_of: date, known_at: datetime
) -> dict[str, Any]:
    """``{"as_of", "known_at", "objectives": [... {"key_results": [...]}]}`` from the
    (unqualified) objective_progress and kr_progress tables, in definition order."""
    objectives = _rows(
        con,
        "SELECT p.as_of, p.objective_id, p.title, p.owner, p.parent_id, p.weight, "
        "p.period_start, p.period_end, p.score, p.rollup_score, p.status, p.key_results, "
        "p.known_at FROM objective_progress p "
        "LEFT JOIN defs.objectives d USING (objective_id) ORDER BY d.position",
        OBJECTIVE_COLUMNS,
    )
    krs = _rows(
        con,
        "SELECT p.as_of, p.objective_id, p.kr_id, p.title, p.metric, p.window_start, "
        'p.window_end, p.current_value, p.baseline, p.target, p."commit", p.stretch, '
        "p.direction, p.progress, p.score, p.elapsed, p.expected_progress, p.status, "
        "p.events, p.weight, p.period_start, p.period_end, p.note, p.known_at "
        "FROM kr_progress p LEFT JOIN defs.key_results d USING (kr_id) ORDER BY d.position",
        KR_COLUMNS,
    )
    for objective in objectives:
        objective["key_results"] = [
            kr for kr in krs if kr["objective_id"] == objective["objective_id"]
        ]
    return {"as_of": as_of.isoformat(), "known_at": known_at.isoformat(), "objectives": objectives}
