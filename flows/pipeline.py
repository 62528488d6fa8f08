"""The main pipeline: ingest new files (one batch per file), materialize, report.

A run whose batches were all committed or skipped ends ``Completed``. A run in which a file
was rejected (too many bad rows) or failed (unreadable) still commits the other files,
materializes and publishes its report, then ends ``Failed`` with the files named in the
state message: the CLI's exit status 3, and what Prefect notifications key on. Rejections
are never retried (the retry rule only knows transient faults), and the next run does not
fail again on the same file: the library settled its content and skips it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import State, flow, get_run_logger
from prefect.states import Failed

from flows.tasks import materialize_and_compare, publish_report, step
from okrpipe.ingest.outcome import BatchResult
from okrpipe.orchestration.config import as_of_date, flow_settings, run_clock
from okrpipe.orchestration.inbox import InboxPlan, ingest_one, plan_files
from okrpipe.orchestration.run_report import RunReport
from okrpipe.settings import Settings

ARTIFACT_KEY = "okr-pipeline"


@step("plan files")
def plan_step(settings: Settings, sources: list[str]) -> InboxPlan:
    """The files to ingest; files an earlier run settled (same path and content) are set
    aside."""
    return plan_files(settings, sources)


@step("ingest file", task_run_name="ingest {path}")
def ingest_file(settings: Settings, path: str, now: datetime) -> BatchResult:
    """One file, one atomic batch: committed, skipped, rejected or failed."""
    result = ingest_one(settings, path, now=now)
    get_run_logger().info(result.summary())
    return result


@flow(name="okr-pipeline")
def okr_pipeline(
    *,
    paths: list[str] | None = None,
    inbox: str | None = None,
    as_of: str | None = None,
    now: str | None = None,
    db: str | None = None,
    definitions: str | None = None,
    max_reject_fraction: float | None = None,
    lock_timeout: float | None = None,
) -> dict[str, Any] | State[Any]:
    """Ingest the files of ``paths`` and of the ``inbox`` folder (recursively; with
    neither, the folder ``OKRPIPE_INBOX``, default ``./inbox``) that no earlier run settled,
    then materialize every projection as of ``as_of`` (default today in the definitions'
    time zone). ``now`` (RFC 3339) stands for the clock; ``db``, ``definitions``,
    ``max_reject_fraction`` and ``lock_timeout`` override ``OKRPIPE_*``."""
    settings = flow_settings(
        db=db,
        definitions=definitions,
        max_reject_fraction=max_reject_fraction,
        lock_timeout=lock_timeout,
    )
    clock = run_clock(now)
    day = as_of_date(as_of)
    sources = [*(paths or []), *([inbox] if inbox else [])] or [str(settings.inbox)]
    plan = plan_step(settings, sources)
    get_run_logger().info(
        "%d new file(s) to ingest; %d unchanged since an earlier run, not read again",
        len(plan.new),
        len(plan.unchanged),
    )
    batches = [ingest_file(settings, path, clock) for path in plan.new]
    materialized, changes = materialize_and_compare(settings, clock, day)
    report = RunReport(
        title=f"okr-pipeline: {len(batches)} file(s) ingested, as of {materialized.as_of}",
        batches=batches,
        unchanged_files=len(plan.unchanged),
        materialized=materialized,
        changes=changes,
    )
    summary = publish_report(report, ARTIFACT_KEY, "batches and key-result status changes")
    if report.problems:
        return Failed(message=report.problem_message(), data=summary)
    return summary
