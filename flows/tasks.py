"""The tasks the flows share, and the one retry rule: retry only what okrpipe marks
retryable (a busy writer lock, a transient I/O fault), never rejected data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from prefect import State, Task, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun

from okrpipe.history.snapshots import Snapshot, take_snapshot
from okrpipe.orchestration.config import is_retryable
from okrpipe.orchestration.run_report import (
    KrStatus,
    RunReport,
    StatusChange,
    kr_statuses,
    status_changes,
)
from okrpipe.projections.materialize import MaterializeResult, materialize
from okrpipe.settings import Settings

# A writer waits up to lock_timeout (60 s) on each attempt; these delays come on top.
RETRY_DELAYS: list[float] = [5, 20, 60]


def retry_transient(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect ``retry_condition_fn``: retry when the task raised a retryable okrpipe error."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the task's own exception, judged here
        return is_retryable(exc)
    return False


P = ParamSpec("P")
R = TypeVar("R")


def step(name: str, task_run_name: str | None = None) -> Callable[[Callable[P, R]], Task[P, R]]:
    """A task around one library call: never cached (it changes or reads a database that
    changes), retried on transient faults only."""
    return task(
        name=name,
        task_run_name=task_run_name,
        cache_policy=NO_CACHE,
        retries=len(RETRY_DELAYS),
        retry_delay_seconds=RETRY_DELAYS,
        retry_condition_fn=retry_transient,
    )


@step("key result statuses")
def capture_statuses(settings: Settings) -> dict[str, KrStatus]:
    """The materialized key results' statuses (before or after a run's work)."""
    return kr_statuses(settings)


@step("materialize")
def materialize_step(settings: Settings, now: datetime, as_of: date | None) -> MaterializeResult:
    """Bring every projection up to date as of ``as_of`` (default: today)."""
    result = materialize(settings, now=now, as_of=as_of)
    get_run_logger().info(result.summary())
    return result


@step("snapshot")
def snapshot_step(settings: Settings, label: str, now: datetime) -> Snapshot:
    """Store kr_progress under ``label``; a label already taken is kept as it is."""
    snapshot = take_snapshot(settings, label=label, now=now, keep_existing=True)
    get_run_logger().info(snapshot.summary())
    return snapshot


def materialize_and_compare(
    settings: Settings, now: datetime, as_of: date | None
) -> tuple[MaterializeResult, list[StatusChange]]:
    """Materialize, and the key results whose status that changed (captured around it)."""
    before = capture_statuses(settings)
    materialized = materialize_step(settings, now, as_of)
    return materialized, status_changes(before, capture_statuses(settings))


def publish_report(report: RunReport, key: str, description: str) -> dict[str, Any]:
    """The run's report as a Markdown artifact under ``key``; returns its summary."""
    create_markdown_artifact(report.markdown(), key=key, description=description)
    return report.summary()
