"""What happened to one input file: the record behind a ``batches`` row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Status = Literal["committed", "skipped_duplicate", "rejected", "failed"]


@dataclass
class Rejection:
    """A sample rejected row, for messages."""

    row_number: int
    reasons: list[str]


@dataclass
class BatchResult:
    """The outcome of ingesting one file (one batch)."""

    source_uri: str
    status: Status
    path: str = ""  # the file as the user named it, for messages
    batch_id: int | None = None
    sha256: str | None = None
    format: str | None = None
    compression: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    error: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    examples: list[Rejection] = field(default_factory=list)
    warnings: list[dict[str, object]] = field(default_factory=list)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    seq_first: int | None = None
    seq_last: int | None = None
    duplicate_of: int | None = None
    duplicate_of_status: str | None = None
    rerun: bool = False  # skipped as the very file an earlier batch settled: no new row
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the file was committed or skipped (quarantined rows are not failures)."""
        return self.status in ("committed", "skipped_duplicate")

    def summary(self) -> str:
        """One line for humans: file, status, counts and why rows were rejected."""
        name = self.path or self.source_uri
        if self.status == "failed":
            return f"{name}: failed: {self.error}"
        if self.status == "skipped_duplicate":
            if self.rerun:
                return (
                    f"{name}: skipped_duplicate (already ingested as {self.duplicate_of_status} "
                    f"batch {self.duplicate_of}; nothing new)"
                )
            if self.duplicate_of_status == "rejected":
                return (
                    f"{name}: skipped_duplicate (same content as rejected batch "
                    f"{self.duplicate_of}; pass --retry-rejected to validate it again)"
                )
            return (
                f"{name}: skipped_duplicate (same content as batch {self.duplicate_of}; "
                "nothing new)"
            )
        counts = (
            f"{self.rows_read} read, {self.rows_accepted} accepted, "
            f"{self.rows_duplicate} duplicate, {self.rows_rejected} rejected"
        )
        line = f"{name}: {self.status} batch {self.batch_id}: {counts}"
        if self.reasons:
            top = ", ".join(f"{code} x{n}" for code, n in self.reasons.items())
            line += f" [{top}]"
        if self.examples:
            first = self.examples[0]
            line += f"; first: row {first.row_number} {'+'.join(first.reasons)}"
        if self.status == "rejected":
            line += f"; {self.error}"
        return line
