"""A real ``okrpipe ingest`` process killed with SIGKILL at random moments, then re-run,
leaves exactly the state of one clean run (SPEC 2)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate_ndjson
from okrpipe.settings import Settings
from tests.helpers import query

NOW = "2026-04-01T00:00:00Z"
OKRPIPE = [sys.executable, "-m", "okrpipe"]
STATE = {
    "events": "SELECT * FROM events ORDER BY seq",
    "rejected_events": "SELECT * FROM rejected_events ORDER BY batch_id, row_number",
    "batches": "SELECT batch_id, source_uri, sha256, status, rows_read, rows_accepted, "
    "rows_duplicate, rows_rejected, seq_first, seq_last, ingested_at FROM batches "
    "ORDER BY batch_id",
    "validation_runs": "SELECT batch_id, suite, success, evaluated, failed "
    "FROM validation_runs ORDER BY batch_id",
}


def ingest_command(db: Path, files: list[Path]) -> list[str]:
    return [*OKRPIPE, "--db", str(db), "--now", NOW, "ingest", *map(str, files)]


def state(db: Path) -> dict[str, list[tuple[object, ...]]]:
    settings = Settings(db=db)
    return {name: query(settings, sql) for name, sql in STATE.items()}


def consistent(db: Path) -> None:
    """Every batch row agrees with the rows it committed: nothing half-written."""
    settings = Settings(db=db)
    tables = {name for (name,) in query(settings, "SELECT table_name FROM duckdb_tables()")}
    if "batches" not in tables:
        return  # killed before the schema was created: nothing committed
    rows = query(
        settings,
        """
        SELECT b.batch_id, b.status, b.rows_accepted, b.rows_rejected,
               (SELECT count(*) FROM events e WHERE e.batch_id = b.batch_id),
               (SELECT count(*) FROM rejected_events r WHERE r.batch_id = b.batch_id)
        FROM batches b""",
    )
    for batch_id, status, accepted, rejected, stored, quarantined in rows:
        assert (stored, quarantined) == (accepted, rejected), (batch_id, status)
    orphans = query(
        settings, "SELECT count(*) FROM events WHERE batch_id NOT IN (SELECT batch_id FROM batches)"
    )
    assert orphans == [(0,)]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("crash-inputs")
    return [
        generate_ndjson(folder / "big-a.jsonl", 300_000),
        generate_ndjson(folder / "big-b.jsonl", 120_000, prefix="b-"),
    ]


def test_sigkill_at_random_points_then_rerun_equals_clean_run(
    tmp_path: Path, inputs: list[Path]
) -> None:
    clean_db = tmp_path / "clean.duckdb"
    started = time.monotonic()
    subprocess.run(ingest_command(clean_db, inputs), check=True, capture_output=True)
    clean_seconds = time.monotonic() - started
    expected = state(clean_db)
    assert expected["events"], "the clean run stored nothing"

    seed = int(os.environ.get("OKRPIPE_CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    crashed_db = tmp_path / "crashed.duckdb"
    kills = attempts = 0
    while kills < 3 and attempts < 10:
        attempts += 1
        delay = rng.uniform(0.3, clean_seconds * 0.95)
        child = subprocess.Popen(
            ingest_command(crashed_db, inputs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        killed = child.poll() is None
        if killed:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait()
        if crashed_db.exists():
            consistent(crashed_db)
        print(f"seed {seed}: attempt {attempts} after {delay:.2f} s: killed {killed}")
        if not killed:
            # it finished first: start again from nothing, so that the next kill lands in work
            for leftover in tmp_path.glob("crashed.duckdb*"):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
    final = subprocess.run(
        ingest_command(crashed_db, inputs), check=False, capture_output=True, text=True
    )
    assert final.returncode == 0, final.stderr
    assert kills >= 1, f"seed {seed}: no attempt was killed mid-run in {attempts} attempts"
    got = state(crashed_db)
    for table, rows in expected.items():
        assert got[table] == rows, f"seed {seed}: {table} differs"
