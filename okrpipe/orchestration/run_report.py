"""What a flow run did, for people: batches, the materialize step and changed KR statuses.

The flows capture the key results' statuses before and after their work
(:func:`kr_statuses`), build a :class:`RunReport`, publish :meth:`RunReport.markdown` as a
Prefect artifact and return :meth:`RunReport.summary` (small, JSON-ready).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from okrpipe.history.snapshots import Snapshot
from okrpipe.ingest.outcome import BatchResult
from okrpipe.projections.materialize import MaterializeResult
from okrpipe.settings import Settings
from okrpipe.store.database import open_db


@dataclass(frozen=True)
class KrStatus:
    """A key result's row of ``kr_progress``, as much as a report shows."""

    kr_id: str
    objective_id: str
    status: str
    progress: float | None


@dataclass(frozen=True)
class StatusChange:
    """A key result whose status differs between two captures (None: absent then)."""

    kr_id: str
    objective_id: str
    before: str | None
    after: str | None
    progress: float | None


def kr_statuses(settings: Settings) -> dict[str, KrStatus]:
    """The materialized key results by id (empty when nothing is materialized yet)."""
    if not settings.db.exists():
        return {}
    with open_db(settings, write=False) as con:
        rows = con.execute(
            "SELECT kr_id, objective_id, status, progress FROM kr_progress "
            "ORDER BY objective_id, kr_id"
        ).fetchall()
    return {
        str(kr): KrStatus(str(kr), str(objective), str(status), progress)
        for kr, objective, status, progress in rows
    }


def status_changes(before: dict[str, KrStatus], after: dict[str, KrStatus]) -> list[StatusChange]:
    """The key results whose status changed, appeared or disappeared, in ``after`` order."""
    changes = []
    for kr_id, now in after.items():
        then = before.get(kr_id)
        if then is None or then.status != now.status:
            changes.append(
                StatusChange(
                    kr_id, now.objective_id, then.status if then else None, now.status, now.progress
                )
            )
    for kr_id, then in before.items():
        if kr_id not in after:
            changes.append(StatusChange(kr_id, then.objective_id, then.status, None, None))
    return changes


def _cell(value: object) -> str:
    text = "—" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value:.0%}"


@dataclass
class RunReport:
    """One flow run's outcome."""

    title: str
    batches: list[BatchResult] = field(default_factory=list)
    unchanged_files: int = 0
    materialized: MaterializeResult | None = None
    changes: list[StatusChange] = field(default_factory=list)
    snapshot: Snapshot | None = None

    @property
    def problems(self) -> list[BatchResult]:
        """Batches that were rejected or failed (nothing of them entered the log)."""
        return [b for b in self.batches if not b.ok]

    @property
    def exit_code(self) -> int:
        """SPEC 8: 0 when every file was committed or skipped, 3 when one was not."""
        return 3 if self.problems else 0

    def problem_message(self) -> str:
        """One line naming the batches that were rejected or failed ('' when none)."""
        if not self.problems:
            return ""
        names = ", ".join(f"{b.path or b.source_uri} ({b.status})" for b in self.problems)
        return (
            f"{len(self.problems)} of {len(self.batches)} files not ingested: {names}. "
            "Rejected data is not retried: fix the file and drop the corrected copy in the inbox"
        )

    def markdown(self) -> str:
        """The report as a Markdown document (the Prefect artifact)."""
        lines = [f"# {self.title}", ""]
        if self.problems:
            lines += [f"**Warning:** {self.problem_message()}.", ""]
        if self.batches or self.unchanged_files:
            lines += ["## Batches", ""]
            if self.batches:
                lines += _table(
                    ("file", "status", "read", "accepted", "duplicate", "quarantined", "note"),
                    [
                        (
                            b.path or b.source_uri,
                            b.status,
                            b.rows_read,
                            b.rows_accepted,
                            b.rows_duplicate,
                            b.rows_rejected,
                            _note(b),
                        )
                        for b in self.batches
                    ],
                )
                lines.append("")
            if self.unchanged_files:
                lines += [
                    f"{self.unchanged_files} file(s) unchanged since an earlier run, not read "
                    "again.",
                    "",
                ]
        if self.materialized is not None:
            lines += ["## Materialize", "", self.materialized.summary(), ""]
        if self.snapshot is not None:
            verb = "stored" if self.snapshot.created else "already stored, kept unchanged"
            lines += ["## Snapshot", "", f"{self.snapshot.summary()} ({verb})", ""]
        lines += ["## Key results whose status changed", ""]
        if self.changes:
            lines += _table(
                ("key result", "objective", "before", "after", "progress"),
                [
                    (c.kr_id, c.objective_id, c.before, c.after, _percent(c.progress))
                    for c in self.changes
                ],
            )
        else:
            lines.append("None.")
        return "\n".join(lines) + "\n"

    def summary(self) -> dict[str, Any]:
        """A small JSON-ready summary (the flow's return value)."""
        document: dict[str, Any] = {
            "exit_code": self.exit_code,
            "problem": self.problem_message() or None,
            "batches": [_batch_summary(b) for b in self.batches],
            "unchanged_files": self.unchanged_files,
            "status_changes": [dataclasses.asdict(c) for c in self.changes],
        }
        if self.materialized is not None:
            document["materialize"] = {
                "as_of": self.materialized.as_of.isoformat(),
                "mode": self.materialized.mode,
                "last_seq": self.materialized.last_seq,
                "new_events": self.materialized.new_events,
                "summary": self.materialized.summary(),
            }
        if self.snapshot is not None:
            document["snapshot"] = {
                "label": self.snapshot.label,
                "key_results": self.snapshot.key_results,
                "taken_at": self.snapshot.taken_at.isoformat(),
                "created": self.snapshot.created,
                "summary": self.snapshot.summary(),
            }
        return document


def _note(batch: BatchResult) -> str | None:
    if batch.status in ("rejected", "failed"):
        return batch.error
    if batch.status == "skipped_duplicate":
        return f"same content as batch {batch.duplicate_of}"
    if batch.reasons:
        return ", ".join(f"{code} x{n}" for code, n in list(batch.reasons.items())[:3])
    return None


def _batch_summary(batch: BatchResult) -> dict[str, Any]:
    return {
        "file": batch.path or batch.source_uri,
        "status": batch.status,
        "batch_id": batch.batch_id,
        "rows_read": batch.rows_read,
        "rows_accepted": batch.rows_accepted,
        "rows_duplicate": batch.rows_duplicate,
        "rows_rejected": batch.rows_rejected,
        "line": batch.summary(),
    }
