"""One writer per database file across processes (SPEC 9): concurrent ``okrpipe ingest``
processes queue on the writer lock and never interleave; a writer that waits too long fails
with one clear line and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import generate_ndjson
from okrpipe.settings import Settings, companion_paths
from okrpipe.store.lock import file_lock
from tests.helpers import query

NOW = "2026-04-01T00:00:00Z"
OKRPIPE = [sys.executable, "-m", "okrpipe"]


def test_concurrent_writers_queue_and_never_interleave(tmp_path: Path) -> None:
    db = tmp_path / "okr.duckdb"
    files = [
        generate_ndjson(tmp_path / "a.jsonl", 60_000, prefix="a-"),
        generate_ndjson(tmp_path / "b.jsonl", 60_000, prefix="b-"),
        generate_ndjson(tmp_path / "c.jsonl", 60_000, prefix="c-"),
        # the same event ids as a.jsonl with other timestamps: whichever of the two files
        # commits second quarantines them (event_id_conflict), whatever the order
        generate_ndjson(tmp_path / "a-again.jsonl", 20_000, prefix="a-", days=10),
    ]
    # a batch of conflicts only is quarantined row by row here, not rejected whole
    env = {**os.environ, "OKRPIPE_LOCK_TIMEOUT": "300", "OKRPIPE_MAX_REJECT_FRACTION": "1"}
    writers = [
        subprocess.Popen(
            [*OKRPIPE, "--db", str(db), "--now", NOW, "ingest", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for path in files
    ]
    outcomes = [writer.communicate(timeout=300) for writer in writers]
    for writer, (_, err) in zip(writers, outcomes, strict=True):
        assert writer.returncode == 0, err

    settings = Settings(db=db)
    batches = query(
        settings,
        "SELECT batch_id, rows_read, rows_accepted, rows_duplicate, rows_rejected, "
        "seq_first, seq_last FROM batches WHERE status = 'committed' ORDER BY batch_id",
    )
    assert len(batches) == 4
    previous_last = 0
    for batch_id, read, accepted, duplicate, rejected, first, last in batches:
        assert read == accepted + duplicate + rejected  # conservation, per batch
        # each batch's events hold one run of seq, after the previous batch's, that no other
        # batch's event falls into (seq skips the numbers of a batch's rejected rows)
        stored = query(
            settings,
            "SELECT count(*), min(seq), max(seq), "
            "count(*) FILTER (batch_id <> $id AND seq BETWEEN $first AND $last) FROM events "
            "WHERE batch_id = $id OR seq BETWEEN $first AND $last",
            {"id": batch_id, "first": first, "last": last},
        )
        assert stored == [(accepted, first, last, 0)]
        if accepted:  # a file whose every row was quarantined holds no seq
            assert first > previous_last
            previous_last = last
    logged = sum(batch[2] for batch in batches)
    totals = query(
        settings,
        "SELECT count(*), count(DISTINCT event_id), count(DISTINCT seq), max(seq) FROM events",
    )
    assert totals == [(logged, logged, logged, previous_last)]
    ((conflicts,),) = query(
        settings, "SELECT count(*) FROM rejected_events WHERE 'event_id_conflict' IN reasons"
    )
    assert conflicts > 19_000  # the shared ids (the rest of the 20,000 are spoiled rows)


def test_a_second_writer_waits_a_bounded_time_then_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "okr.duckdb"
    events = generate_ndjson(tmp_path / "events.jsonl", 100)
    env = {**os.environ, "OKRPIPE_LOCK_TIMEOUT": "1.5"}
    with file_lock(companion_paths(db)["lock"], exclusive=True, timeout=5):
        start = time.monotonic()
        blocked = subprocess.run(
            [*OKRPIPE, "--db", str(db), "--now", NOW, "ingest", str(events)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        waited = time.monotonic() - start
    assert blocked.returncode == 1
    lines = blocked.stderr.strip().splitlines()
    assert len(lines) == 1, blocked.stderr
    assert f"okr.duckdb is busy: pid {os.getpid()}" in lines[0]
    assert "waited 1.5 s" in lines[0]
    assert "OKRPIPE_LOCK_TIMEOUT" in lines[0]
    assert waited >= 1.5
    assert not db.exists()  # nothing was written

    # once the lock is free, the same command commits the file
    again = subprocess.run(
        [*OKRPIPE, "--db", str(db), "--now", NOW, "ingest", str(events)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert query(Settings(db=db), "SELECT status, rows_read FROM batches") == [("committed", 100)]
