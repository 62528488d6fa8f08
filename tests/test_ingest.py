"""Batches: formats, identity, skipping, failures, the batch gate and bookkeeping (SPEC 2)."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from okrpipe.ingest.outcome import BatchResult
from okrpipe.settings import Settings
from tests.helpers import (
    NOW,
    event,
    ingest,
    query,
    rejected,
    write_csv,
    write_ndjson,
    write_parquet,
)

EVENTS = [
    event("a", value=1, dimensions={"team": "x", "channel": "web"}),
    event("b", value=2.5, occurred_at="2026-03-02T23:30:00-02:00"),
    {"event_id": "c", "kind": "correction", "supersedes": "a", "value": 3},
]
CONTENT = (
    "SELECT event_id, kind, supersedes, metric, value, occurred_at, dimensions, source "
    "FROM events ORDER BY event_id"
)


def conserved(batch: BatchResult) -> bool:
    return batch.rows_read == batch.rows_accepted + batch.rows_duplicate + batch.rows_rejected


@pytest.mark.parametrize("writer", [write_ndjson, write_csv, write_parquet])
@pytest.mark.parametrize("gz", [False, True])
def test_formats_store_the_same_events(
    tmp_path: Path, db_settings: Settings, writer: object, gz: bool
) -> None:
    reference = Settings(db=tmp_path / "ref.duckdb")
    ingest(reference, write_ndjson(tmp_path / "ref.jsonl", EVENTS))
    suffix = {write_ndjson: ".jsonl", write_csv: ".csv", write_parquet: ".parquet"}[writer]  # type: ignore[index]
    path = writer(tmp_path / f"events{suffix}", EVENTS, gz=gz)  # type: ignore[operator]
    report = ingest(db_settings, path)
    batch = report.batches[0]
    assert (batch.status, batch.rows_read, batch.rows_accepted) == ("committed", 3, 3)
    assert batch.format == suffix.strip(".").replace("jsonl", "ndjson")
    assert batch.compression == ("gzip" if gz else None)
    assert query(db_settings, CONTENT) == query(reference, CONTENT)


def test_same_bytes_under_another_name_are_skipped(tmp_path: Path, db_settings: Settings) -> None:
    first = write_ndjson(tmp_path / "day1.jsonl", EVENTS)
    copy = tmp_path / "elsewhere" / "renamed.jsonl"
    copy.parent.mkdir()
    shutil.copy(first, copy)
    ingest(db_settings, first)
    report = ingest(db_settings, copy, first)
    assert [b.status for b in report.batches] == ["skipped_duplicate", "skipped_duplicate"]
    assert all(b.duplicate_of == 1 for b in report.batches)
    assert report.exit_code == 0
    assert query(db_settings, "SELECT count(*) FROM events") == [(3,)]
    # another name is another file seen: recorded; the same file again is a re-run: reported
    assert [b.rerun for b in report.batches] == [False, True]
    assert query(db_settings, "SELECT status, rows_read FROM batches ORDER BY batch_id") == [
        ("committed", 3),
        ("skipped_duplicate", 0),
    ]


def test_identity_within_a_file_and_against_the_log(tmp_path: Path, db_settings: Settings) -> None:
    ingest(db_settings, write_ndjson(tmp_path / "one.jsonl", [event("a"), event("b")]))
    rows = [
        event("a"),  # same as the log: duplicate
        event("b", value=9),  # differs from the log: conflict
        event("c"),  # new
        event("c", occurred_at="2026-03-01T11:00:00+01:00"),  # same instant: duplicate
        event("c", value=2),  # differs from row 3: conflict
        event("d", metric="Bad"),  # rejected: d stays free
        event("d"),  # so this one is accepted
    ]
    report = ingest(db_settings, write_ndjson(tmp_path / "two.jsonl", rows))
    batch = report.batches[0]
    assert (batch.rows_read, batch.rows_accepted, batch.rows_duplicate, batch.rows_rejected) == (
        7,
        2,
        2,
        3,
    )
    assert rejected(db_settings, batch.batch_id) == {
        2: ["event_id_conflict"],
        5: ["event_id_conflict"],
        6: ["invalid_metric"],
    }
    assert query(
        db_settings, "SELECT event_id, row_number FROM events WHERE batch_id = 2 ORDER BY seq"
    ) == [("c", 3), ("d", 7)]


def test_seq_grows_in_file_order_across_batches(tmp_path: Path, db_settings: Settings) -> None:
    ingest(db_settings, write_ndjson(tmp_path / "1.jsonl", [event(f"x{i}") for i in range(5)]))
    ingest(
        db_settings,
        write_ndjson(tmp_path / "2.jsonl", [event("y0"), event("bad", value="no"), event("y1")]),
    )
    rows = query(
        db_settings, "SELECT event_id, seq, batch_id, ingested_at FROM events ORDER BY seq"
    )
    assert [r[0] for r in rows] == ["x0", "x1", "x2", "x3", "x4", "y0", "y1"]
    seqs = [r[1] for r in rows]
    assert seqs == sorted(set(seqs))
    assert {r[3] for r in rows} == {NOW}
    assert query(db_settings, "SELECT batch_id, seq_first, seq_last FROM batches ORDER BY 1") == [
        (1, seqs[0], seqs[4]),
        (2, seqs[5], seqs[6]),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plain.jsonl.gz", b'{"event_id": "a"}\n', "not a readable gzip file"),
        ("broken.parquet", b"PAR1 not really", "not a readable Parquet file"),
        ("empty.csv", b"", "no header row"),
        ("blank.csv", b"\n\n", "no header row"),
        ("dup_header.csv", b"event_id,value,value\n", "more than once"),
    ],
)
def test_unreadable_files_fail_and_leave_nothing(
    tmp_path: Path, db_settings: Settings, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    report = ingest(db_settings, path)
    batch = report.batches[0]
    assert batch.status == "failed"
    assert message in (batch.error or "")
    assert report.exit_code == 3
    assert query(db_settings, "SELECT count(*) FROM events") == [(0,)]
    assert query(db_settings, "SELECT status, error IS NOT NULL, rows_read FROM batches") == [
        ("failed", True, 0)
    ]


def test_truncated_gzip_fails_whole(tmp_path: Path, db_settings: Settings) -> None:
    data = gzip.compress(
        b"".join(
            b'{"event_id": "e%d", "metric": "visits", "value": 1, '
            b'"occurred_at": "2026-03-01T10:00:00Z"}\n' % i
            for i in range(20000)
        )
    )
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    assert ingest(db_settings, path).batches[0].status == "failed"
    assert query(db_settings, "SELECT count(*) FROM events") == [(0,)]


def test_empty_files_commit_no_rows(tmp_path: Path, db_settings: Settings) -> None:
    nd = tmp_path / "empty.jsonl"
    nd.write_bytes(b"")
    header_only = tmp_path / "header.csv"
    header_only.write_text("event_id,metric,value,occurred_at\n")
    report = ingest(db_settings, nd, header_only)
    assert [(b.status, b.rows_read) for b in report.batches] == [("committed", 0), ("committed", 0)]


def test_batch_gate(tmp_path: Path, db_settings: Settings) -> None:
    half = [event("g1"), event("g2"), event("b1", value="x"), event("b2", value="x")]
    over = [event("h1"), event("c1", value="x"), event("c2", value="x")]
    report = ingest(
        db_settings,
        write_ndjson(tmp_path / "half.jsonl", half),
        write_ndjson(tmp_path / "over.jsonl", over),
    )
    at_limit, rejected_batch = report.batches
    assert at_limit.status == "committed"
    assert (
        rejected_batch.status,
        rejected_batch.rows_accepted,
        rejected_batch.rows_duplicate,
        rejected_batch.rows_rejected,
    ) == ("rejected", 0, 0, 3)
    assert report.exit_code == 3
    assert rejected(db_settings, rejected_batch.batch_id) == {
        1: ["batch_rejected"],
        2: ["invalid_value"],
        3: ["invalid_value"],
    }
    assert query(
        db_settings,
        "SELECT count(*) FROM events WHERE batch_id = $b",
        {"b": rejected_batch.batch_id},
    ) == [(0,)]
    strict = Settings(db=db_settings.db, max_reject_fraction=0.1)
    again = ingest(
        strict, write_ndjson(tmp_path / "third.jsonl", [event("k1"), event("k2", value="x")])
    )
    assert again.batches[0].status == "rejected"


def test_rejected_content_is_skipped_unless_retried(tmp_path: Path, db_settings: Settings) -> None:
    path = write_ndjson(
        tmp_path / "bad.jsonl", [event("a"), event("b", value="x"), event("c", value="x")]
    )
    assert ingest(db_settings, path).batches[0].status == "rejected"
    assert ingest(db_settings, path).batches[0].status == "skipped_duplicate"
    lenient = Settings(db=db_settings.db, max_reject_fraction=0.9)
    retried = ingest(lenient, path, retry_rejected=True).batches[0]
    assert (retried.status, retried.rows_accepted, retried.rows_rejected) == ("committed", 1, 2)


def test_ignored_fields_become_warnings(tmp_path: Path, db_settings: Settings) -> None:
    rows = [event("a", note="x"), event("b", note="y", extra=1), event("c")]
    batch = ingest(db_settings, write_ndjson(tmp_path / "w.jsonl", rows)).batches[0]
    assert {(w["field"], w["rows"]) for w in batch.warnings} == {("note", 2), ("extra", 1)}
    assert query(db_settings, "SELECT warnings FROM batches") == [(3,)]


def test_blank_lines_are_not_rows(tmp_path: Path, db_settings: Settings) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text(
        '\n{"event_id": "a", "metric": "m", "value": 1, '
        '"occurred_at": "2026-03-01T10:00:00Z"}\r\n  \n\nnot json\n\n'
    )
    batch = ingest(db_settings, path).batches[0]
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (2, 1, 1)
    assert query(db_settings, "SELECT row_number, raw FROM rejected_events") == [(2, "not json")]


def test_parquet_typed_columns(tmp_path: Path, db_settings: Settings) -> None:
    table = pa.table(
        {
            "event_id": ["p1", "p2", "p3"],
            "metric": ["visits"] * 3,
            "value": pa.array([1, 2, 3], pa.int32()),
            "occurred_at": pa.array(
                [datetime(2026, 3, 1, 10, tzinfo=UTC)] * 3, pa.timestamp("ms", tz="Europe/Oslo")
            ),
            "dimensions": pa.array([[("team", "x")], [], None], pa.map_(pa.string(), pa.string())),
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    naive = pa.table(
        {
            "event_id": ["n1"],
            "metric": ["visits"],
            "value": [1.0],
            "occurred_at": pa.array([datetime(2026, 3, 1, 10)], pa.timestamp("us")),
        }
    )
    pq.write_table(naive, tmp_path / "naive.parquet")
    report = ingest(db_settings, tmp_path / "typed.parquet", tmp_path / "naive.parquet")
    assert report.batches[0].rows_accepted == 3
    assert query(
        db_settings, "SELECT event_id, occurred_at, dimensions FROM events ORDER BY 1"
    ) == [
        ("p1", datetime(2026, 3, 1, 10, tzinfo=UTC), '{"team":"x"}'),
        ("p2", datetime(2026, 3, 1, 10, tzinfo=UTC), "{}"),
        ("p3", datetime(2026, 3, 1, 10, tzinfo=UTC), "{}"),
    ]
    assert report.batches[1].status == "rejected"
    assert rejected(db_settings, 2) == {1: ["naive_timestamp"]}


def test_every_batch_conserves_rows(tmp_path: Path, db_settings: Settings) -> None:
    files = [
        write_ndjson(tmp_path / "a.jsonl", [event("a"), "oops", event("a"), event("b", value=2)]),
        write_csv(tmp_path / "b.csv", [event("b", value=3), event("c")]),
        write_parquet(tmp_path / "c.parquet", [event("c"), event("d", metric="X")]),
    ]
    report = ingest(db_settings, *files)
    assert all(conserved(b) for b in report.batches)
    rows = query(
        db_settings,
        "SELECT rows_read, rows_accepted + rows_duplicate + rows_rejected, "
        "rows_rejected FROM batches",
    )
    assert all(read == parts for read, parts, _ in rows)
    per_batch = query(
        db_settings,
        "SELECT b.rows_rejected, count(r.row_number) FROM batches b "
        "LEFT JOIN rejected_events r USING (batch_id) GROUP BY b.batch_id, b.rows_rejected",
    )
    assert all(expected == stored for expected, stored in per_batch)
