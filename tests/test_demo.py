"""``okrpipe demo`` end to end: example OKRs and events, the pipeline flow, the status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from okrpipe.cli.main import main
from okrpipe.settings import Settings
from tests.helpers import query

pytestmark = pytest.mark.usefixtures("prefect_server")

NOW = "2026-02-16T09:00:00+01:00"  # Monday of week 7 of 2026-Q1; events through Feb 15
ROOT = Path(__file__).resolve().parents[1]


def test_demo_runs_the_pipeline_and_shows_a_mixed_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    assert main(["--now", NOW, "demo", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "wrote example OKRs for 2026-Q1" in out
    assert "2025-12-01 to 2026-02-15" in out
    assert "materialized as of 2026-02-15" in out
    assert "Successfully launch CloudSALES in 90 days" in out

    settings = Settings(db=folder / "okr.duckdb", definitions=folder / "okrs.yaml")
    suffixes = {"".join(p.suffixes[-2:]) for p in (folder / "inbox").iterdir()}
    assert suffixes == {".jsonl", ".csv.gz", ".parquet"}
    assert query(settings, "SELECT DISTINCT status FROM batches") == [("committed",)]
    ((events, corrections, retractions),) = query(
        settings,
        "SELECT count(*), count(*) FILTER (kind = 'correction'), "
        "count(*) FILTER (kind = 'retraction') FROM events",
    )
    assert events > 20_000
    assert (corrections, retractions) == (24, 1)
    assert query(settings, "SELECT count(*) FROM rejected_events") == [(7,)]
    assert query(settings, "SELECT sum(rows_duplicate) FROM batches") == [(12,)]
    statuses = dict(query(settings, "SELECT kr_id, status FROM kr_progress"))
    assert len(statuses) == 6
    assert {"on_track", "at_risk", "off_track"} <= set(statuses.values())
    assert statuses["first_response"] == "on_track"  # a decreasing key result
    assert query(settings, "SELECT count(*) FROM kpi_scorecard WHERE value IS NOT NULL")[0][0] > 50

    # again, as a user runs it (a new process; the session's server records the run):
    # nothing is regenerated or ingested twice, and the status is shown again
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    again = subprocess.run(
        [sys.executable, "-m", "okrpipe", "--now", NOW, "demo", "--dir", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "kept the existing definitions" in again.stdout
    assert "11 file(s) unchanged since an earlier run: skipped" in again.stdout
    assert "nothing new" in again.stdout
    assert "Delight CloudSALES customers" in again.stdout
    assert query(settings, "SELECT count(*) FROM batches") == [(11,)]
