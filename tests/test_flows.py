"""The Prefect flows, run for real against one session-wide test server."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.exceptions import PrefectHTTPStatusError

from flows.pipeline import ARTIFACT_KEY, ingest_file, okr_pipeline
from flows.refresh import kr_refresh
from flows.tasks import materialize_step, retry_transient
from flows.weekly import weekly_review
from okrpipe.cli.main import main
from okrpipe.orchestration.config import flow_settings, iso_week_label
from okrpipe.orchestration.inbox import ingest_one, plan_files
from okrpipe.settings import Settings, companion_paths
from okrpipe.store.lock import file_lock
from tests.helpers import NOW, event, query, write_ndjson

pytestmark = pytest.mark.usefixtures("prefect_server")

DEFINITIONS = """
timezone: UTC
metrics:
  - {key: visits, aggregation: sum}
  - {key: signups, aggregation: sum}
objectives:
  - id: launch
    title: Launch
    period: 2026-03
    key_results:
      - {id: visits_kr, title: Visits, metric: visits, baseline: 0, target: 100}
      - {id: signups_kr, title: Signups, metric: signups, baseline: 0, target: 10}
"""
NOW_TEXT = NOW.isoformat()  # 2026-03-15T12:00:00+00:00


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    (tmp_path / "okrs.yaml").write_text(DEFINITIONS)
    (tmp_path / "inbox" / "day").mkdir(parents=True)
    return Settings(db=tmp_path / "okr.duckdb", definitions=tmp_path / "okrs.yaml")


def params(settings: Settings, **extra: Any) -> dict[str, Any]:
    return {
        "db": str(settings.db),
        "definitions": str(settings.definitions),
        "now": NOW_TEXT,
        **extra,
    }


def good_file(folder: Path, name: str = "good.jsonl", n: int = 6) -> Path:
    rows: list[dict[str, Any] | str] = [
        event(f"{name}-{i}", value=10, occurred_at=f"2026-03-{i + 1:02d}T10:00:00Z")
        for i in range(n)
    ]
    rows.append('{"event_id": "cut-short", ')  # one quarantined row
    return write_ndjson(folder / name, rows)


def bad_file(folder: Path) -> Path:
    return write_ndjson(
        folder / "bad.jsonl",
        [event("b1", value="lots"), event("b2", occurred_at="2026-03-01T10:00:00"), event("b3")],
    )


T = TypeVar("T")


def eventually(read: Callable[[], T], check: Callable[[T], bool], seconds: float = 15) -> T:
    """``read()`` until ``check`` holds: Prefect 3 reports task runs to the server as events,
    which it stores a moment after the flow returns."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = read()
            if check(value):
                return value
        except PrefectHTTPStatusError:
            pass
        if time.monotonic() > deadline:
            return read()
        time.sleep(0.2)


def task_run_count(task_run_id: UUID, expected: int) -> int:
    """The run count (attempts) of a task run, once the server has recorded that many."""

    def read() -> int:
        with get_client(sync_client=True) as client:
            return int(client.read_task_run(task_run_id).run_count)

    return eventually(read, lambda count: count >= expected)


def task_runs(flow_run_id: UUID) -> dict[str, int]:
    """Task run name -> run count (attempts) of a flow run."""
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return {run.name: run.run_count for run in runs}


def artifact_markdown(flow_run_id: UUID) -> dict[str, str]:
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {str(a.key): str(a.data) for a in artifacts}


def test_pipeline_commits_skips_rejects_and_reports(project: Settings) -> None:
    inbox = project.db.parent / "inbox"
    good = good_file(inbox / "day")
    shutil.copy(good, inbox / "copy-of-good.jsonl")
    bad_file(inbox)

    state = okr_pipeline(inbox=str(inbox), **params(project), return_state=True)

    # a rejected batch fails the run, after the good files were committed and materialized
    assert state.is_failed()
    assert "bad.jsonl (rejected)" in str(state.message)
    summary = state.result(raise_on_failure=False)
    assert isinstance(summary, dict)
    assert summary["exit_code"] == 3
    statuses = {Path(b["file"]).name: b["status"] for b in summary["batches"]}
    assert statuses == {
        "bad.jsonl": "rejected",
        "copy-of-good.jsonl": "committed",
        "good.jsonl": "skipped_duplicate",
    }
    assert summary["materialize"]["as_of"] == "2026-03-15"
    assert query(project, "SELECT kr_id, status FROM kr_progress ORDER BY kr_id") == [
        ("signups_kr", "no_data"),
        ("visits_kr", "on_track"),
    ]
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    # one task per file, none retried: rejected data is not a transient fault
    attempts = eventually(
        lambda: task_runs(flow_run_id),
        lambda runs: len([n for n in runs if n.startswith("ingest ")]) == 3,
    )
    ingests = {name: n for name, n in attempts.items() if name.startswith("ingest ")}
    assert len(ingests) == 3
    assert set(ingests.values()) == {1}
    markdown = artifact_markdown(flow_run_id)[ARTIFACT_KEY]
    assert "| file | status | read | accepted | duplicate | quarantined | note |" in markdown
    assert "| rejected | 3 | 0 | 0 | 3 |" in markdown
    assert "| committed | 7 | 6 | 0 | 1 | malformed_json x1 |" in markdown
    assert "**Warning:** 1 of 3 files not ingested" in markdown
    assert "| visits_kr | launch | — | on_track | 60% |" in markdown

    # the next run finds nothing new: every file is set aside unread, the run completes
    again = okr_pipeline(inbox=str(inbox), **params(project), return_state=True)
    assert again.is_completed()
    summary = again.result()
    assert isinstance(summary, dict)
    assert summary["batches"] == []
    assert summary["unchanged_files"] == 3
    assert summary["status_changes"] == []
    assert query(project, "SELECT count(*) FROM batches") == [(3,)]


def test_refresh_flow_reports_status_changes(project: Settings) -> None:
    okr_pipeline(paths=[str(good_file(project.db.parent))], **params(project))
    summary = kr_refresh(**params(project, as_of="2026-03-31"))
    assert summary["materialize"]["as_of"] == "2026-03-31"
    assert [(c["kr_id"], c["before"], c["after"]) for c in summary["status_changes"]] == [
        ("visits_kr", "on_track", "missed")
    ]
    assert query(
        project, "SELECT as_of::VARCHAR, status FROM kr_progress WHERE kr_id = 'visits_kr'"
    ) == [("2026-03-31", "missed")]


def test_weekly_review_is_idempotent_per_iso_week(project: Settings) -> None:
    okr_pipeline(paths=[str(good_file(project.db.parent))], **params(project))
    first = weekly_review(**params(project))
    assert first["snapshot"]["label"] == iso_week_label(NOW.date()) == "2026-W11"
    assert first["snapshot"]["created"] is True
    assert first["snapshot"]["key_results"] == 2
    # a re-run later the same week keeps the record as it was
    later = weekly_review(**params(project, now="2026-03-15T18:00:00Z"))
    assert later["snapshot"]["created"] is False
    assert later["snapshot"]["taken_at"] == first["snapshot"]["taken_at"]
    assert query(project, "SELECT label, count(*) FROM kr_snapshots GROUP BY label") == [
        ("2026-W11", 2)
    ]


def test_writer_busy_is_retried_until_the_lock_clears(project: Settings) -> None:
    path = good_file(project.db.parent)
    held, release = threading.Event(), threading.Event()
    decisions: list[bool] = []

    def other_writer() -> None:
        with file_lock(companion_paths(project.db)["lock"], exclusive=True, timeout=5):
            held.set()
            release.wait(30)

    def spy(task: Any, task_run: Any, state: Any) -> bool:
        decisions.append(retry_transient(task, task_run, state))
        release.set()  # the other writer finishes: the retry finds the lock free
        return decisions[-1]

    @flow(name="retry-probe")
    def probe() -> str:
        settings = flow_settings(
            db=str(project.db), definitions=str(project.definitions), lock_timeout=0.2
        )
        fast = ingest_file.with_options(retry_delay_seconds=0.2, retry_condition_fn=spy)
        state = fast(settings, str(path), NOW, return_state=True)
        assert state.is_completed()
        return str(state.state_details.task_run_id)

    holder = threading.Thread(target=other_writer)
    holder.start()
    held.wait(5)
    try:
        task_run_id = probe()
    finally:
        release.set()
        holder.join()
    assert decisions == [True]  # WriterBusyError: retried once, then the batch committed
    assert task_run_count(UUID(task_run_id), 2) == 2
    assert query(project, "SELECT status FROM batches") == [("committed",)]


def test_bad_definitions_are_not_retried(project: Settings) -> None:
    project.definitions.write_text("objectives: [")

    @flow(name="materialize-probe")
    def probe() -> str:
        fast = materialize_step.with_options(retry_delay_seconds=0.1)
        state = fast(project, NOW, None, return_state=True)
        assert state.is_failed()
        return str(state.state_details.task_run_id)

    assert task_run_count(UUID(probe()), 1) == 1


def test_okrpipe_run_command(project: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    folder = project.db.parent
    good = good_file(folder)
    options = ["--db", str(project.db), "--definitions", str(project.definitions)]
    assert main([*options, "--now", NOW_TEXT, "run", str(good)]) == 0
    out = capsys.readouterr().out
    assert "good.jsonl: committed batch 1: 7 read, 6 accepted, 0 duplicate, 1 rejected" in out
    assert "materialized as of 2026-03-15" in out
    assert "visits_kr: new -> on_track" in out

    assert main([*options, "--now", NOW_TEXT, "run", str(bad_file(folder)), str(good)]) == 3
    captured = capsys.readouterr()
    assert "bad.jsonl: rejected batch 2" in captured.out
    assert "1 file(s) unchanged since an earlier run: skipped" in captured.out
    assert "okrpipe: 1 of 1 files not ingested" in captured.err
    assert "Traceback" not in captured.err

    # bad definitions: the flow fails on the first non-retryable error, one clear line
    project.definitions.write_text("objectives: [")
    assert main([*options, "--now", NOW_TEXT, "run", str(good)]) == 2
    err = capsys.readouterr().err
    assert "okrpipe: error:" in err
    assert "Traceback" not in err


def test_a_planned_file_that_vanished_is_a_failed_batch(project: Settings) -> None:
    path = good_file(project.db.parent)
    plan = plan_files(project, [str(path)])
    path.unlink()  # a producer took it back between planning and ingest
    result = ingest_one(project, plan.new[0], now=NOW)
    assert result.status == "failed"
    assert query(project, "SELECT status FROM batches") == [("failed",)]
