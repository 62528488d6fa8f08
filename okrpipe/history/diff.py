"""``okrpipe diff --from T1 --to T2``: which key results and objectives changed between two
states of knowledge, by how much, and which batches caused it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from okrpipe.definitions import Definitions, Period
from okrpipe.history.as_known import compute_into, reader, use_catalog
from okrpipe.history.explain import kr_events
from okrpipe.projections.status import _plain
from okrpipe.settings import Settings

BEFORE, AFTER = "state_before", "state_after"
KR_FIELDS = ("current_value", "baseline", "target", "progress", "score", "status")
OBJECTIVE_FIELDS = ("score", "rollup_score", "status")
_TOLERANCE = 1e-12


def _rows(
    con: duckdb.DuckDBPyConnection, catalog: str, table: str, key: str, fields: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    # catalog, table, key and fields are this module's constants
    columns = ", ".join([key, *fields])
    found = con.execute(f"SELECT {columns} FROM {catalog}.main.{table}").fetchall()
    return {row[0]: dict(zip(fields, row[1:], strict=True)) for row in found}


def _changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None, fields: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in fields:
        old = before.get(name) if before else None
        new = after.get(name) if after else None
        if isinstance(old, float) and isinstance(new, float):
            if abs(old - new) <= _TOLERANCE * max(1.0, abs(old), abs(new)):
                continue
            out[name] = {"from": old, "to": new, "change": new - old}
        elif old != new:
            out[name] = {"from": old, "to": new}
    return out


def diff(
    settings: Settings, definitions: Definitions, *, before: datetime, after: datetime, as_of: date
) -> dict[str, Any]:
    """The differences as JSON-ready data."""
    with reader(settings, definitions) as con:
        compute_into(con, BEFORE, definitions, as_of=as_of, known_at=before, stamp=before)
        compute_into(con, AFTER, definitions, as_of=as_of, known_at=after, stamp=after)
        use_catalog(con, AFTER)
        between = {
            row[0]: {
                "batch_id": row[0],
                "source_uri": row[1],
                "status": row[2],
                "ingested_at": _plain(row[3]),
                "rows_accepted": row[4],
            }
            for row in con.execute(
                "SELECT batch_id, source_uri, status, ingested_at, rows_accepted FROM batches "
                "WHERE ingested_at > $before AND ingested_at <= $after ORDER BY batch_id",
                {"before": before, "after": after},
            ).fetchall()
        }
        krs_before = _rows(con, BEFORE, "kr_progress", "kr_id", KR_FIELDS)
        krs_after = _rows(con, AFTER, "kr_progress", "kr_id", KR_FIELDS)
        windows = _rows(con, AFTER, "kr_progress", "kr_id", ("window_start", "window_end"))
        changed_krs = []
        for kr in definitions.key_results:
            changes = _changes(krs_before.get(kr.id), krs_after.get(kr.id), KR_FIELDS)
            if not changes:
                continue
            window = windows.get(kr.id, {})
            causes: dict[int, int] = {}
            spans = (
                [(window["window_start"], window["window_end"])]
                if window.get("window_start")
                else []
            )
            if isinstance(kr.baseline, Period):
                spans.append((kr.baseline.start, kr.baseline.end))
            for first, last in spans:
                for event in kr_events(
                    con, definitions, kr, day_from=first, day_to=last, known_at=after
                ):
                    for batch in (event["batch_id"], event["superseded_in_batch"]):
                        if batch in between:
                            causes[batch] = causes.get(batch, 0) + 1
            changed_krs.append(
                {
                    "kr_id": kr.id,
                    "objective_id": kr.objective_id,
                    "title": kr.title,
                    "changes": changes,
                    "caused_by": [{**between[b], "events": n} for b, n in sorted(causes.items())],
                }
            )
        objectives_before = _rows(
            con, BEFORE, "objective_progress", "objective_id", OBJECTIVE_FIELDS
        )
        objectives_after = _rows(con, AFTER, "objective_progress", "objective_id", OBJECTIVE_FIELDS)
    changed_objectives = []
    for objective in definitions.objectives.values():
        changes = _changes(
            objectives_before.get(objective.id),
            objectives_after.get(objective.id),
            OBJECTIVE_FIELDS,
        )
        if changes:
            changed_objectives.append(
                {"objective_id": objective.id, "title": objective.title, "changes": changes}
            )
    return {
        "from": before.isoformat(),
        "to": after.isoformat(),
        "as_of": as_of.isoformat(),
        "batches_between": list(between.values()),
        "key_results": changed_krs,
        "objectives": changed_objectives,
    }
