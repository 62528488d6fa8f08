"""Invariants of ingestion under random input (Hypothesis): conservation, identity against a
reference model, idempotence of re-runs, and independence from how rows are split into files."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from okrpipe.settings import Settings
from tests.helpers import ABSENT, event, ingest, query, write_csv, write_ndjson

IDS = [f"e{i}" for i in range(8)]
INSTANTS = {  # text -> the instant it names
    "2026-03-01T10:00:00Z": datetime(2026, 3, 1, 10, tzinfo=UTC),
    "2026-03-01T11:00:00+01:00": datetime(2026, 3, 1, 10, tzinfo=UTC),
    "2026-03-02T09:30:00-00:30": datetime(2026, 3, 2, 10, tzinfo=UTC),
}
DIMENSIONS = [{}, {"team": "a"}, {"team": "a", "channel": "web"}, {"channel": "web", "team": "a"}]
BAD = {  # how a row is spoiled -> field overrides
    "metric": {"metric": "Not-Valid"},
    "value": {"value": "many"},
    "naive": {"occurred_at": "2026-03-01T10:00:00"},
    "missing": {"value": ABSENT},
}


@dataclass(frozen=True)
class Row:
    """A generated row and what the model knows about it."""

    data: dict[str, Any] | str
    valid: bool
    event_id: str | None
    content: tuple[Any, ...] | None


@st.composite
def rows(draw: st.DrawFn, *, text_rows: bool) -> Row:
    event_id = draw(st.sampled_from(IDS))
    when = draw(st.sampled_from(sorted(INSTANTS)))
    value = draw(st.sampled_from([1, 1.0, 2.5, -3]))
    dims = draw(st.sampled_from(DIMENSIONS))
    data = event(event_id, value=value, occurred_at=when, dimensions=dims)
    spoil = draw(st.sampled_from([None, None, None, *BAD, *(["malformed"] if text_rows else [])]))
    if spoil == "malformed":
        return Row('{"event_id": "' + event_id + '", broken', False, None, None)
    if spoil is not None:
        data.update(BAD[spoil])
        return Row({k: v for k, v in data.items() if v is not ABSENT}, False, event_id, None)
    content = ("visits", float(value), INSTANTS[when], tuple(sorted(dims.items())))
    return Row(data, True, event_id, content)


@st.composite
def files(draw: st.DrawFn) -> list[tuple[str, list[Row]]]:
    count = draw(st.integers(1, 4))
    out = []
    for _ in range(count):
        fmt = draw(st.sampled_from(["ndjson", "csv"]))
        out.append((fmt, draw(st.lists(rows(text_rows=fmt == "ndjson"), min_size=0, max_size=12))))
    return out


def write(folder: Path, index: int, fmt: str, batch: list[Row]) -> Path:
    if fmt == "csv":
        return write_csv(
            folder / f"f{index}.csv",
            [r.data for r in batch],  # type: ignore[misc]
            columns=["event_id", "metric", "value", "occurred_at", "dimensions"],
        )
    return write_ndjson(folder / f"f{index}.jsonl", [r.data for r in batch])


@dataclass
class Expected:
    status: str
    read: int
    accepted: int
    duplicate: int
    rejected: int


def model(
    batches: list[list[Row]], payloads: list[bytes], max_fraction: float
) -> tuple[list[Expected], dict[str, tuple[Any, ...]]]:
    """What SPEC 1-3 say must happen, computed row by row in plain Python."""
    log: dict[str, tuple[Any, ...]] = {}
    settled: set[bytes] = set()
    expected = []
    for batch, payload in zip(batches, payloads, strict=True):
        if payload in settled:
            expected.append(Expected("skipped_duplicate", 0, 0, 0, 0))
            continue
        settled.add(payload)
        first: dict[str, tuple[Any, ...]] = {}
        accepted, duplicate, rejected = {}, 0, 0
        for row in batch:
            if not row.valid:
                rejected += 1
                continue
            assert row.event_id is not None
            assert row.content is not None
            reference = log.get(row.event_id, first.get(row.event_id))
            if reference is None:
                first[row.event_id] = row.content
                accepted[row.event_id] = row.content
            elif reference == row.content:
                duplicate += 1
            else:
                rejected += 1
        read = len(batch)
        if read and rejected / read > max_fraction:
            expected.append(Expected("rejected", read, 0, 0, read))
            continue
        log.update(accepted)
        expected.append(Expected("committed", read, len(accepted), duplicate, rejected))
    return expected, log


def stored(settings: Settings) -> dict[str, tuple[Any, ...]]:
    out = {}
    for event_id, metric, value, when, dims in query(
        settings,
        "SELECT event_id, metric, value, occurred_at, "
        "CAST(dimensions AS MAP(VARCHAR, VARCHAR)) FROM events",
    ):
        out[event_id] = (metric, value, when, tuple(sorted(dims.items())))
    return out


def test_model_sanity() -> None:
    good = Row(event("x"), True, "x", ("visits", 1.0, INSTANTS["2026-03-01T10:00:00Z"], ()))
    expected, log = model([[good, good]], [b"1"], 0.5)
    assert expected[0] == Expected("committed", 2, 1, 1, 0)
    assert set(log) == {"x"}


@given(plan=files(), fraction=st.sampled_from([0.5, 1.0]))
def test_batches_follow_the_model_and_conserve_rows(
    tmp_path_factory: Any, plan: Any, fraction: float
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    settings = Settings(db=folder / "okr.duckdb", max_reject_fraction=fraction)
    paths = [write(folder, i, fmt, batch) for i, (fmt, batch) in enumerate(plan)]
    report = ingest(settings, *paths)
    expected, log = model([b for _, b in plan], [p.read_bytes() for p in paths], fraction)
    got = [
        Expected(b.status, b.rows_read, b.rows_accepted, b.rows_duplicate, b.rows_rejected)
        for b in report.batches
    ]
    assert got == expected
    for b in report.batches:
        assert b.rows_read == b.rows_accepted + b.rows_duplicate + b.rows_rejected
    assert stored(settings) == log
    quarantined = query(settings, "SELECT count(*) FROM rejected_events")[0][0]
    assert quarantined == sum(e.rejected for e in expected)

    # a re-run of the same files, under new names too, changes nothing
    renamed = folder / "again"
    renamed.mkdir()
    copies = [shutil.copy(p, renamed / f"copy-{p.name}") for p in paths]
    before = query(settings, "SELECT * FROM events ORDER BY seq")
    rerun = ingest(settings, *paths, *copies)
    assert {b.status for b in rerun.batches} <= {"skipped_duplicate"}
    assert query(settings, "SELECT * FROM events ORDER BY seq") == before
    assert query(settings, "SELECT count(*) FROM rejected_events")[0][0] == quarantined


@given(
    batch=st.lists(rows(text_rows=True), min_size=1, max_size=24),
    cuts=st.lists(st.integers(0, 24), max_size=4),
)
def test_split_into_files_does_not_matter(
    tmp_path_factory: Any, batch: list[Row], cuts: list[int]
) -> None:
    folder = tmp_path_factory.mktemp("split")
    whole = Settings(db=folder / "whole.duckdb", max_reject_fraction=1.0)
    ingest(whole, write_ndjson(folder / "all.jsonl", [r.data for r in batch]))
    bounds = sorted({0, len(batch), *(c for c in cuts if c < len(batch))})
    pieces = [batch[a:b] for a, b in itertools.pairwise(bounds)]
    split = Settings(db=folder / "split.duckdb", max_reject_fraction=1.0)
    paths = [
        write_ndjson(folder / f"part{i}-{len(p)}.jsonl", [r.data for r in p])
        for i, p in enumerate(pieces)
    ]
    report = ingest(split, *paths)
    assert stored(split) == stored(whole)
    totals = report.totals()
    whole_totals = query(
        whole,
        "SELECT rows_read, rows_accepted, rows_duplicate, rows_rejected "
        "FROM batches WHERE status = 'committed'",
    )[0]
    skipped = sum(
        len(p)
        for p, b in zip(pieces, report.batches, strict=True)
        if b.status == "skipped_duplicate"
    )
    assert (totals["rows_read"] + skipped, totals["rows_accepted"]) == (
        whole_totals[0],
        whole_totals[1],
    )
