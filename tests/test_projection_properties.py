"""Incremental materialization after any sequence of batches equals a rebuild (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from okrpipe.projections.materialize import materialize
from okrpipe.settings import Settings
from tests.helpers import ingest, query, write_ndjson

DEFINITIONS = """
timezone: America/New_York
metrics:
  - {key: visits, aggregation: sum}
  - {key: signups, aggregation: count}
  - {key: latency, aggregation: avg, better: lower}
  - {key: score, aggregation: nps}
  - {key: peak, aggregation: max}
  - {key: latest, aggregation: last}
  - {key: conversion, ratio: {numerator: signups, denominator: visits}}
benchmarks:
  - {id: nps_bar, metric: score, value: 20, window: trailing_7d}
  - {id: latency_bar, metric: latency, value: 5, window: trailing_14d}
objectives:
  - id: top
    title: Top
    period: 2026-03
    key_results:
      - {id: k_visits, title: v, metric: visits, where: {channel: web}, window: trailing_3d,
         statistic: daily_average, baseline: 1, target: 10}
  - id: child
    title: Child
    period: 2026-03
    parent: top
    weight: 2
    key_results:
      - {id: k_conv, title: c, metric: conversion, baseline: 0, target: 1}
      - {id: k_latency, title: l, metric: latency, baseline: 9, target: 3, commit: 7,
         stretch: 1}
      - {id: k_score, title: s, metric: score, baseline: {period: 2026-02}, target: 50}
      - {id: k_latest, title: t, metric: latest, baseline: 2, target: {change_pct: 150},
         weight: 3}
kpis:
  - {id: p_visits, metric: visits, cadence: week, target: 20}
  - {id: p_latency, metric: latency, cadence: day, target: 4}
  - {id: p_peak, metric: peak, where: {channel: app}, cadence: month, target: 8}
"""
METRICS = ["visits", "signups", "latency", "score", "peak", "latest"]
TABLES = {
    "metric_daily": "SELECT * FROM metric_daily ORDER BY ALL",
    "kr_progress": "SELECT * EXCLUDE (known_at) FROM kr_progress ORDER BY ALL",
    "kr_progress_daily": "SELECT * EXCLUDE (known_at) FROM kr_progress_daily ORDER BY ALL",
    "objective_progress": "SELECT * EXCLUDE (known_at) FROM objective_progress ORDER BY ALL",
    "kpi_scorecard": "SELECT * EXCLUDE (known_at) FROM kpi_scorecard ORDER BY ALL",
    "benchmark_comparison": "SELECT * EXCLUDE (known_at) FROM benchmark_comparison ORDER BY ALL",
}


@st.composite
def batch(draw: st.DrawFn, number: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 8))):
        event_id = f"b{number}-{index}"
        choice = draw(st.sampled_from(["obs", "obs", "obs", "correction", "retraction"]))
        target = f"b{draw(st.integers(0, number))}-{draw(st.integers(0, 7))}"
        if choice == "correction":
            rows.append(
                {
                    "event_id": event_id,
                    "kind": "correction",
                    "supersedes": target,
                    "value": draw(st.integers(0, 10)),
                }
            )
        elif choice == "retraction":
            rows.append({"event_id": event_id, "kind": "retraction", "supersedes": target})
        else:
            moment = datetime(2026, 2, 25, tzinfo=UTC) + timedelta(
                hours=draw(st.integers(0, 24 * 30))
            )
            rows.append(
                {
                    "event_id": event_id,
                    "metric": draw(st.sampled_from(METRICS)),
                    "value": draw(st.integers(0, 10)),
                    "occurred_at": moment.isoformat(),
                    "dimensions": {"channel": draw(st.sampled_from(["web", "app"]))},
                }
            )
    return rows


@st.composite
def history(draw: st.DrawFn) -> list[tuple[list[dict[str, Any]], date]]:
    steps = draw(st.integers(1, 4))
    return [(draw(batch(n)), date(2026, 3, draw(st.integers(1, 31)))) for n in range(steps)]


def tables(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    return {name: query(settings, sql) for name, sql in TABLES.items()}


@given(plan=history())
def test_incremental_equals_rebuild(tmp_path_factory: Any, plan: list[Any]) -> None:
    folder: Path = tmp_path_factory.mktemp("incremental")
    (folder / "okrs.yaml").write_text(DEFINITIONS)
    settings = Settings(
        db=folder / "okr.duckdb", definitions=folder / "okrs.yaml", max_reject_fraction=1.0
    )
    now = datetime(2026, 4, 1, tzinfo=UTC)
    for number, (rows, as_of) in enumerate(plan):
        ingest(settings, write_ndjson(folder / f"batch{number}.jsonl", rows), now=now)
        materialize(settings, now=now, as_of=as_of)
    incremental = tables(settings)
    materialize(settings, now=now, as_of=plan[-1][1], rebuild=True)
    assert tables(settings) == incremental
