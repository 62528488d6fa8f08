"""Event-sourced time (as known at a moment), snapshots, explain and diff."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrpipe.cli.main import main
from okrpipe.definitions import load_definitions
from okrpipe.history.diff import diff
from okrpipe.history.explain import explain
from okrpipe.history.snapshots import take_snapshot
from okrpipe.projections.materialize import materialize
from okrpipe.settings import Settings
from tests.helpers import event, ingest, query, write_ndjson

DEFINITIONS = """
timezone: Europe/Oslo
metrics:
  - {key: visits, aggregation: sum}
  - {key: signups, aggregation: sum}
  - {key: conversion, ratio: {numerator: signups, denominator: visits}}
  - {key: response_hours, aggregation: avg, better: lower}
objectives:
  - id: launch
    title: Launch
    period: 2026-02
    key_results:
      - {id: visits_kr, title: Visits, metric: visits, where: {channel: web},
         window: trailing_7d, statistic: daily_average, baseline: 10, target: 110}
      - {id: conversion_kr, title: Conversion, metric: conversion, baseline: 0, target: 0.5}
      - {id: response_kr, title: Response, metric: response_hours, baseline: {period: 2026-01},
         target: 4}
"""
T1 = datetime(2026, 2, 10, 8, 0, tzinfo=UTC)  # first batch
T1_REVIEW = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)  # materialize + snapshot
T2 = datetime(2026, 2, 12, 8, 0, tzinfo=UTC)  # late events and corrections


def at(day: int, hour: int = 12) -> str:
    return datetime(2026, 2, day, hour, tzinfo=UTC).isoformat()


@pytest.fixture
def db(tmp_path: Path) -> Settings:
    (tmp_path / "okrs.yaml").write_text(DEFINITIONS)
    return Settings(db=tmp_path / "okr.duckdb", definitions=tmp_path / "okrs.yaml")


def first_batch(folder: Path) -> Path:
    return write_ndjson(
        folder / "b1.jsonl",
        [
            event("v1", metric="visits", value=70, occurred_at=at(3)),
            event("v2", metric="visits", value=140, occurred_at=at(8)),
            event(
                "v3", metric="visits", value=500, occurred_at=at(8), dimensions={"channel": "app"}
            ),
            event("s1", metric="signups", value=20, occurred_at=at(8)),
            event("r0", metric="response_hours", value=8, occurred_at="2026-01-15T10:00:00Z"),
            event("r1", metric="response_hours", value=6, occurred_at=at(5)),
        ],
    )


def late_batch(folder: Path) -> Path:
    return write_ndjson(
        folder / "b2.jsonl",
        [
            event("v4", metric="visits", value=210, occurred_at=at(9)),  # late arrival
            {"event_id": "c1", "kind": "correction", "supersedes": "v2", "value": 100},
            {"event_id": "x1", "kind": "retraction", "supersedes": "r1"},
            event("r2", metric="response_hours", value=5, occurred_at=at(9)),
            {"event_id": "c0", "kind": "correction", "supersedes": "nothing-yet", "value": 1},
        ],
    )


KR_FIELDS = (
    "kr_id, current_value, baseline, target, progress, score, status, window_start, window_end"
)


def test_known_at_reproduces_a_snapshot_after_late_events(db: Settings) -> None:
    folder = db.db.parent
    ingest(db, first_batch(folder), now=T1)
    materialize(db, now=T1_REVIEW, as_of=date(2026, 2, 9))
    take_snapshot(db, label="2026-W07", now=T1_REVIEW)
    ingest(db, late_batch(folder), now=T2)
    materialize(db, now=T2, as_of=date(2026, 2, 9))
    snapshot = query(db, f"SELECT {KR_FIELDS} FROM kr_snapshots ORDER BY kr_id")
    current = query(db, f"SELECT {KR_FIELDS} FROM kr_progress ORDER BY kr_id")
    assert snapshot != current  # the late batch changed the figures

    definitions = load_definitions(db.definitions)
    from okrpipe.history.as_known import scratch_projections

    with scratch_projections(
        db, definitions, as_of=date(2026, 2, 9), known_at=T1_REVIEW, stamp=T1_REVIEW
    ) as con:
        again = con.execute(f"SELECT {KR_FIELDS} FROM kr_progress ORDER BY kr_id").fetchall()
    assert again == snapshot
    # hand check of the snapshot: visits over Feb 3..9 (web): 70 + 140 = 210 / 7 = 30
    visits = {row[0]: row for row in snapshot}["visits_kr"]
    assert visits[1] == pytest.approx(30.0)
    assert visits[4] == pytest.approx((30 - 10) / (110 - 10))
    # and after the late batch: 70 + 100 (corrected) + 210 = 380 / 7
    assert {row[0]: row for row in current}["visits_kr"][1] == pytest.approx(380 / 7)


def test_status_known_at_cli(db: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    folder = db.db.parent
    ingest(db, first_batch(folder), now=T1)
    ingest(db, late_batch(folder), now=T2)
    common = ["--db", str(db.db), "--definitions", str(db.definitions)]
    assert (
        main(
            [
                *common,
                "status",
                "--known-at",
                T1_REVIEW.isoformat(),
                "--as-of",
                "2026-02-09",
                "--json",
            ]
        )
        == 0
    )
    before = json.loads(capsys.readouterr().out)
    assert (
        main([*common, "status", "--known-at", T2.isoformat(), "--as-of", "2026-02-09", "--json"])
        == 0
    )
    after = json.loads(capsys.readouterr().out)
    assert before["known_at"] == T1_REVIEW.isoformat()
    values = {k["kr_id"]: k["current_value"] for k in before["objectives"][0]["key_results"]}
    later = {k["kr_id"]: k["current_value"] for k in after["objectives"][0]["key_results"]}
    assert values["visits_kr"] == pytest.approx(30.0)
    assert later["visits_kr"] == pytest.approx(380 / 7)
    assert values["response_kr"] == pytest.approx(6.0)  # r1 before its retraction
    assert later["response_kr"] == pytest.approx(5.0)
    # nothing was materialized: the stored tables stay empty
    assert query(db, "SELECT count(*) FROM kr_progress") == [(0,)]


def test_explain_golden(db: Settings) -> None:
    folder = db.db.parent
    ingest(db, first_batch(folder), now=T1)
    ingest(db, late_batch(folder), now=T2)
    definitions = load_definitions(db.definitions)
    doc = explain(
        db,
        definitions,
        "visits_kr",
        as_of=date(2026, 2, 9),
        known_at=None,
        stamp=T2,
        with_events=True,
    )
    assert doc["window"] == {
        "spec": "trailing_7d",
        "first_day": "2026-02-03",
        "last_day": "2026-02-09",
        "days": 7,
    }
    assert doc["where"] == {"channel": "web"}
    assert doc["events"]["counted"] == 3  # v1, v2 (corrected), v4; v3 is channel app
    assert doc["events"]["corrected"] == 1
    assert [(b["batch_id"], b["events"]) for b in doc["events"]["batches"]] == [(1, 2), (2, 1)]
    assert doc["corrections"] == [
        {
            "event_id": "v2",
            "by": "c1",
            "kind": "correction",
            "in_batch": 2,
            "original_value": 140.0,
            "value": 100.0,
            "superseding_events": 1,
        }
    ]
    assert doc["arithmetic"][0] == "visits (sum): 3 events, sum 380, min 70, max 210"
    assert doc["result"]["current_value"] == pytest.approx(380 / 7)
    assert doc["baseline"] == {"from": "a number in the definitions", "value": 10.0}
    assert [e["event_id"] for e in doc["event_list"]] == ["v1", "v2", "v4"]

    response = explain(
        db,
        definitions,
        "response_kr",
        as_of=date(2026, 2, 9),
        known_at=None,
        stamp=T2,
        with_events=True,
    )
    assert response["baseline"]["from"] == "{period: 2026-01}"
    assert response["baseline"]["value"] == pytest.approx(8.0)
    assert response["baseline"]["events"] == 1
    assert response["events"]["retracted"] == 1
    assert response["result"]["direction"] == "decrease"


def test_diff_names_changes_and_their_batches(db: Settings) -> None:
    folder = db.db.parent
    ingest(db, first_batch(folder), now=T1)
    ingest(db, late_batch(folder), now=T2)
    definitions = load_definitions(db.definitions)
    doc = diff(
        db, definitions, before=T1_REVIEW, after=T2 + timedelta(hours=1), as_of=date(2026, 2, 9)
    )
    changed = {k["kr_id"]: k for k in doc["key_results"]}
    # conversion reads all visits: 20 / (70 + 140 + 500) before, 20 / (70 + 100 + 500 + 210) after
    assert set(changed) == {"visits_kr", "response_kr", "conversion_kr"}
    assert changed["conversion_kr"]["changes"]["current_value"]["to"] == pytest.approx(20 / 880)
    visits = changed["visits_kr"]["changes"]["current_value"]
    assert visits["change"] == pytest.approx(380 / 7 - 30)
    assert [c["batch_id"] for c in changed["visits_kr"]["caused_by"]] == [2]
    assert [b["batch_id"] for b in doc["batches_between"]] == [2]
    assert doc["objectives"][0]["objective_id"] == "launch"


# -- order of arrival ------------------------------------------------------------------------


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[list[int]]]:
    count = draw(st.integers(2, 12))
    events: list[dict[str, Any]] = []
    for i in range(count):
        events.append(
            event(
                f"e{i}",
                metric=draw(st.sampled_from(["visits", "signups", "response_hours"])),
                value=draw(st.integers(0, 20)),
                occurred_at=(datetime(2026, 2, 1, tzinfo=UTC) + timedelta(hours=7 * i)).isoformat(),
                dimensions={"channel": draw(st.sampled_from(["web", "app"]))},
            )
        )
    targets = draw(st.lists(st.integers(0, count - 1), unique=True, max_size=count // 2))
    for n, target in enumerate(targets):  # at most one superseding event per observation
        if draw(st.booleans()):
            events.append(
                {
                    "event_id": f"c{n}",
                    "kind": "correction",
                    "supersedes": f"e{target}",
                    "value": draw(st.integers(0, 20)),
                }
            )
        else:
            events.append({"event_id": f"x{n}", "kind": "retraction", "supersedes": f"e{target}"})
    order = draw(st.permutations(range(len(events))))
    cuts = sorted(draw(st.lists(st.integers(1, len(events) - 1), max_size=3, unique=True)))
    bounds = [0, *cuts, len(events)]
    return events, [list(order[a:b]) for a, b in itertools.pairwise(bounds)]


PROJECTIONS = {
    "metric_daily": "SELECT * EXCLUDE (last_seq) FROM metric_daily ORDER BY ALL",
    "kr_progress": "SELECT * EXCLUDE (known_at) FROM kr_progress ORDER BY ALL",
    "kr_progress_daily": "SELECT * EXCLUDE (known_at) FROM kr_progress_daily ORDER BY ALL",
    "objective_progress": "SELECT * EXCLUDE (known_at) FROM objective_progress ORDER BY ALL",
}


@given(delivery=deliveries())
def test_order_and_batching_of_arrival_do_not_matter(tmp_path_factory: Any, delivery: Any) -> None:
    events, batches = delivery
    folder = tmp_path_factory.mktemp("order")
    (folder / "okrs.yaml").write_text(DEFINITIONS)
    results = []
    for name, plan in (("in_order", [list(range(len(events)))]), ("shuffled", batches)):
        settings = Settings(db=folder / f"{name}.duckdb", definitions=folder / "okrs.yaml")
        for number, indexes in enumerate(plan):
            path = write_ndjson(folder / f"{name}-{number}.jsonl", [events[i] for i in indexes])
            ingest(settings, path, now=T2)
        materialize(settings, now=T2, as_of=date(2026, 2, 20))
        results.append({table: query(settings, sql) for table, sql in PROJECTIONS.items()})
    assert results[0] == results[1]
