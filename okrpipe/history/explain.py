"""``okrpipe explain KR_ID``: how a key result's figures were computed, down to its events.

Everything is recomputed as of the requested date and state of knowledge (the stored
projections are not read), then traced: the window and filter, the events counted and their
batches and files, the corrections and retractions that changed them, and where the baseline
and target came from.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import duckdb

from okrpipe.definitions import BenchmarkTarget, ChangePct, Definitions, KeyResult, Period
from okrpipe.history.as_known import SCRATCH, compute_into, reader
from okrpipe.projections.status import KR_COLUMNS, _plain
from okrpipe.settings import Settings

EVENT_FIELDS = (
    "seq",
    "event_id",
    "metric",
    "occurred_at",
    "day",
    "dimensions",
    "original_value",
    "value",
    "counted",
    "superseded_kind",
    "superseded_by",
    "superseded_in_batch",
    "superseding_events",
    "batch_id",
    "source_uri",
    "ingested_at",
)


@cache
def _sql(name: str) -> str:
    return resources.files("okrpipe.history").joinpath("sql", f"{name}.sql").read_text()


def kr_events(
    con: duckdb.DuckDBPyConnection,
    definitions: Definitions,
    kr: KeyResult,
    *,
    day_from: date,
    day_to: date,
    known_at: datetime | None,
) -> list[dict[str, Any]]:
    """The observations the key result reads over [day_from, day_to] (see kr_events.sql)."""
    rows = con.execute(
        _sql("kr_events"),
        {
            "metric": kr.metric,
            "kr_id": kr.id,
            "tz": definitions.timezone,
            "day_from": day_from,
            "day_to": day_to,
            "known_at": known_at,
        },
    ).fetchall()
    return [dict(zip(EVENT_FIELDS, row, strict=True)) for row in rows]


def _arithmetic(
    definitions: Definitions,
    kr: KeyResult,
    events: list[dict[str, Any]],
    days: int,
    value: float | None,
) -> list[str]:
    """Lines that show how the value follows from the counted events."""
    metric = definitions.metrics[kr.metric]
    counted = [e for e in events if e["counted"]]
    lines = []
    parts = [metric.ratio.numerator, metric.ratio.denominator] if metric.ratio else [metric.key]
    for part in parts:
        values = [e["value"] for e in counted if e["metric"] == part]
        aggregation = definitions.metrics[part].aggregation
        total = sum(values)
        line = f"{part} ({aggregation}): {len(values)} events"
        if values:
            line += f", sum {total:,.6g}, min {min(values):,.6g}, max {max(values):,.6g}"
            if aggregation == "nps":
                promoters = sum(1 for v in values if v >= 9)
                detractors = sum(1 for v in values if v <= 6)
                line += (
                    f", promoters {promoters}, detractors {detractors}: "
                    f"100 x ({promoters} - {detractors}) / {len(values)}"
                )
        lines.append(line)
    if metric.ratio:
        lines.append(f"ratio = {metric.ratio.numerator} / {metric.ratio.denominator}")
    if kr.statistic == "daily_average":
        lines.append(f"daily_average = the {metric.aggregation} over the window / {days} days")
    lines.append(f"current value = {value if value is not None else 'NULL (no events)'}")
    return lines


def _baseline(
    kr: KeyResult, baseline: float | None, window: tuple[date, date] | None, events: int | None
) -> dict[str, Any]:
    if isinstance(kr.baseline, Period):
        return {
            "from": f"{{period: {kr.baseline.label}}}",
            "period_start": window and window[0],
            "period_end": window and window[1],
            "events": events,
            "value": baseline,
            "how": f"the key result's metric, filter and statistic over all days of "
            f"{kr.baseline.label}",
        }
    return {"from": "a number in the definitions", "value": baseline}


def _target(
    definitions: Definitions, kr: KeyResult, baseline: float | None, target: float | None
) -> dict[str, Any]:
    if isinstance(kr.target, BenchmarkTarget):
        source = definitions.benchmarks[kr.target.benchmark_id].source
        return {
            "from": f"{{benchmark: {kr.target.benchmark_id}}}",
            "value": target,
            "benchmark_source": source,
        }
    if isinstance(kr.target, ChangePct):
        return {
            "from": f"{{change_pct: {kr.target.pct:g}}}",
            "value": target,
            "how": f"baseline {baseline} x (1 + {kr.target.pct:g} / 100)",
        }
    return {"from": "a number in the definitions", "value": target}


def explain(
    settings: Settings,
    definitions: Definitions,
    kr_id: str,
    *,
    as_of: date,
    known_at: datetime | None,
    stamp: datetime,
    with_events: bool,
) -> dict[str, Any]:
    """The explanation of one key result as JSON-ready data."""
    kr = definitions.kr(kr_id)
    objective = definitions.objective(kr.objective_id)
    with reader(settings, definitions) as con:
        compute_into(con, SCRATCH, definitions, as_of=as_of, known_at=known_at, stamp=stamp)
        row = con.execute(
            "SELECT " + ", ".join(f'"{c}"' for c in KR_COLUMNS) + " FROM kr_progress "
            "WHERE kr_id = $kr",
            {"kr": kr_id},
        ).fetchone()
        assert row is not None
        progress = dict(zip(KR_COLUMNS, map(_plain, row), strict=True))
        window = (
            (row[KR_COLUMNS.index("window_start")], row[KR_COLUMNS.index("window_end")])
            if row[KR_COLUMNS.index("window_start")] is not None
            else None
        )
        baseline_window = (
            (kr.baseline.start, kr.baseline.end) if isinstance(kr.baseline, Period) else None
        )
        baseline_events = None
        if baseline_window:
            found = con.execute(
                "SELECT e.events FROM requests r JOIN evaluations e USING (request_id) "
                "WHERE r.subject_kind = 'kr' AND r.subject_id = $kr AND r.purpose = 'baseline'",
                {"kr": kr_id},
            ).fetchone()
            baseline_events = int(found[0]) if found else None
        events = (
            kr_events(con, definitions, kr, day_from=window[0], day_to=window[1], known_at=known_at)
            if window
            else []
        )
    days = (window[1] - window[0]).days + 1 if window else 0
    counted = [e for e in events if e["counted"]]
    by_batch = Counter((e["batch_id"], e["source_uri"]) for e in counted)
    changed = [e for e in events if e["superseded_kind"]]
    document: dict[str, Any] = {
        "kr_id": kr.id,
        "title": kr.title,
        "objective": {
            "id": objective.id,
            "title": objective.title,
            "period": objective.period.label,
        },
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat() if known_at else None,
        "metric": {"key": kr.metric, **_metric_doc(definitions, kr.metric)},
        "where": dict(kr.where),
        "window": {
            "spec": kr.window.label,
            "first_day": window and window[0].isoformat(),
            "last_day": window and window[1].isoformat(),
            "days": days,
        },
        "statistic": kr.statistic,
        "arithmetic": _arithmetic(definitions, kr, events, days, progress["current_value"]),
        "events": {
            "counted": len(counted),
            "retracted": sum(1 for e in events if not e["counted"]),
            "corrected": sum(1 for e in changed if e["superseded_kind"] == "correction"),
            "first_occurred_at": _plain(min((e["occurred_at"] for e in counted), default=None)),
            "last_occurred_at": _plain(max((e["occurred_at"] for e in counted), default=None)),
            "batches": [
                {"batch_id": b, "source_uri": s, "events": n}
                for (b, s), n in sorted(by_batch.items(), key=lambda kv: kv[0][0])
            ],
        },
        "corrections": [
            {
                "event_id": e["event_id"],
                "by": e["superseded_by"],
                "kind": e["superseded_kind"],
                "in_batch": e["superseded_in_batch"],
                "original_value": e["original_value"],
                "value": e["value"] if e["counted"] else None,
                "superseding_events": e["superseding_events"],
            }
            for e in changed
        ],
        "baseline": _baseline(kr, progress["baseline"], baseline_window, baseline_events),
        "target": _target(definitions, kr, progress["baseline"], progress["target"]),
        "levels": {"commit": kr.commit, "stretch": kr.stretch},
        "result": progress,
        "thresholds": {
            "at_risk": definitions.thresholds.at_risk,
            "off_track": definitions.thresholds.off_track,
        },
    }
    if with_events:
        document["event_list"] = [{k: _plain(v) for k, v in e.items()} for e in events]
    return document


def _metric_doc(definitions: Definitions, key: str) -> dict[str, Any]:
    metric = definitions.metrics[key]
    if metric.ratio:
        return {
            "ratio": {"numerator": metric.ratio.numerator, "denominator": metric.ratio.denominator},
            "better": metric.better,
        }
    return {"aggregation": metric.aggregation, "better": metric.better}
