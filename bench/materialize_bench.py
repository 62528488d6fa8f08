"""Materialize cost: the first materialize of a large log, then an incremental one after a
small batch, versus a full rebuild.

    .venv/bin/python -m bench.materialize_bench --events 5000000

Generates a quarter of events (5 metrics, 3 channels x 2 teams) and definitions with 24 key
results, 5 KPIs and 2 benchmarks, ingests the events, then times (in one process, after the
imports): the first materialize, the ingest of a 10,000-event batch on the quarter's last
days (with corrections), the incremental materialize that follows, and a rebuild.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.generate import cached_events, fresh, generate_ndjson
from okrpipe.ingest.runner import ingest_paths
from okrpipe.projections.materialize import materialize
from okrpipe.settings import Settings

AS_OF = date(2026, 3, 31)
NOW = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


def definitions() -> str:
    krs = []
    channels = ["web", "app", "partner"]
    for index in range(24):
        metric = ["visits", "signups", "nps", "revenue", "conversion", "first_response_hours"][
            index % 6
        ]
        where = f"{{channel: {channels[index % 3]}}}" if index % 2 else "{}"
        window = ["period_to_date", "trailing_7d", "trailing_30d"][index % 3]
        if metric == "first_response_hours":
            anchors = "baseline: 60, target: 40, commit: 55, stretch: 30"
        elif metric == "conversion":
            anchors = "baseline: 0.5, target: 1.5"
        else:
            anchors = "baseline: {period: 2026-01}, target: {change_pct: 20}"
        krs.append(
            f"      - {{id: kr{index}, title: KR {index}, metric: {metric}, "
            f"where: {where}, window: {window}, {anchors}}}"
        )
    return (
        "\n".join(
            [
                "timezone: Europe/Oslo",
                "metrics:",
                "  - {key: visits, aggregation: sum}",
                "  - {key: signups, aggregation: sum}",
                "  - {key: nps, aggregation: avg}",
                "  - {key: revenue, aggregation: sum}",
                "  - {key: first_response_hours, aggregation: avg, better: lower}",
                "  - {key: conversion, ratio: {numerator: signups, denominator: visits}}",
                "benchmarks:",
                "  - {id: nps_bar, metric: nps, value: 45}",
                "  - {id: response_bar, metric: first_response_hours, value: 48,"
                " window: trailing_7d}",
                "objectives:",
                "  - {id: company, title: Company, period: 2026-Q1}",
                "  - id: growth",
                "    title: Grow",
                "    period: 2026-Q1",
                "    parent: company",
                "    key_results:",
                *krs[:12],
                "  - id: service",
                "    title: Serve",
                "    period: 2026-Q1",
                "    parent: company",
                "    key_results:",
                *krs[12:],
                "kpis:",
                "  - {id: visits_daily, metric: visits, cadence: day, target: 50000}",
                "  - {id: visits_weekly, metric: visits, cadence: week, target: 350000}",
                "  - {id: signups_monthly, metric: signups, cadence: month, target: 1000000}",
                "  - {id: nps_quarterly, metric: nps, cadence: quarter, target: 50}",
                "  - {id: response_weekly, metric: first_response_hours, where: {team: support},"
                " cadence: week, target: 48}",
            ]
        )
        + "\n"
    )


def timed(label: str, action) -> object:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    print(f"  {label:44} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    big = cached_events(work, args.events)
    small = generate_ndjson(
        work / "late-batch.jsonl", args.batch, prefix="late-", start="2026-03-28T00:00:00Z", days=3
    )
    with small.open("a") as handle:  # and corrections of the quarter's last day
        last = args.events - 1
        for i in range(20):
            handle.write(
                json.dumps(
                    {
                        "event_id": f"fix-{i}",
                        "kind": "correction",
                        "supersedes": f"ev-{last - i * 7}",
                        "value": 1,
                    }
                )
                + "\n"
            )
    (work / "okrs.yaml").write_text(definitions())
    db = fresh(work / "materialize.duckdb")
    settings = Settings(db=db, definitions=work / "okrs.yaml")
    print(f"\n{args.events:,} events, 24 key results, 5 KPIs, 2 benchmarks")
    timed("ingest the log", lambda: ingest_paths(settings, [str(big)], now=NOW))
    first = timed("first materialize", lambda: materialize(settings, now=NOW, as_of=AS_OF))
    timed(
        f"ingest a {args.batch:,}-event batch",
        lambda: ingest_paths(settings, [str(small)], now=NOW),
    )
    incremental = timed(
        "incremental materialize", lambda: materialize(settings, now=NOW, as_of=AS_OF)
    )
    rebuild = timed("rebuild", lambda: materialize(settings, now=NOW, as_of=AS_OF, rebuild=True))
    for name, result in (("first", first), ("incremental", incremental), ("rebuild", rebuild)):
        print(f"  {name}: {result.summary()}")  # type: ignore[attr-defined]
        steps = sorted(result.timings.items(), key=lambda kv: -kv[1])[:4]  # type: ignore[attr-defined]
        print("    slowest steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps))
    ratio = incremental.seconds / rebuild.seconds  # type: ignore[attr-defined]
    print(f"  incremental / rebuild = {ratio:.2f}")


if __name__ == "__main__":
    main()
