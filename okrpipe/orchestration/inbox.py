"""Which input files a pipeline run has to ingest, and ingesting one of them.

An inbox folder keeps every file it ever received, so a scheduled run sees mostly old
files. The library would skip each of them by its sha256, but one task per old file would
cost the orchestrator more than the ingest itself; :func:`plan_files` therefore sets aside,
before any task starts, the files that an earlier batch already recorded under the same path
with the same content. Everything else goes to the library, which decides as always
(committed, skipped as a duplicate of other content, rejected, failed).

Producers should write a file under a hidden name (``.name.tmp``, ignored) and rename it
when complete, so that a run never reads a half-written file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from okrpipe.errors import UsageError
from okrpipe.ingest.batch import sha256_of
from okrpipe.ingest.outcome import BatchResult
from okrpipe.ingest.runner import ingest_files
from okrpipe.ingest.sources import SUPPORTED, InputFile, detect, expand
from okrpipe.settings import Settings
from okrpipe.store.database import open_db

# statuses that settle a file's content for good: a re-run would change nothing
_SETTLED = ("committed", "rejected", "skipped_duplicate")


@dataclass
class InboxPlan:
    """The files of one run: to ingest, in order, and those an earlier batch settled."""

    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def plan_files(settings: Settings, paths: list[str]) -> InboxPlan:
    """Expand ``paths`` (files, folders recursively, globs) and set aside the files whose
    path and content (sha256) an earlier batch already settled."""
    files = expand(paths)
    plan = InboxPlan()
    if not files or not settings.db.exists():
        plan.new = [str(item.path) for item in files]
        return plan
    with open_db(settings, write=False) as con:
        recorded: dict[str, list[tuple[int | None, str | None]]] = {}
        for uri, size, sha in con.execute(
            "SELECT source_uri, file_bytes, sha256 FROM batches "
            "WHERE list_contains($settled, status)",
            {"settled": list(_SETTLED)},
        ).fetchall():
            recorded.setdefault(str(uri), []).append((size, sha))
    for item in files:
        plan_list = plan.unchanged if _settled(item, recorded) else plan.new
        plan_list.append(str(item.path))
    return plan


def _settled(item: InputFile, recorded: dict[str, list[tuple[int | None, str | None]]]) -> bool:
    earlier = recorded.get(str(item.path.resolve()))
    if not earlier:
        return False
    try:
        size = item.path.stat().st_size
    except OSError:
        return False  # the library reports the unreadable file
    if not any(bytes_ == size for bytes_, _ in earlier):
        return False
    sha = sha256_of(item)
    return any(bytes_ == size and digest == sha for bytes_, digest in earlier)


def ingest_one(settings: Settings, path: str, *, now: datetime) -> BatchResult:
    """Ingest one file as one batch (under the writer lock) and return what happened.

    A planned file that vanished before its turn is recorded as a ``failed`` batch, like
    any unreadable file, rather than stopping the run."""
    item = detect(Path(path))
    if item is None:
        raise UsageError(f"{path}: not an input file; supported extensions are {SUPPORTED}")
    return ingest_files(settings, [item], now=now).batches[0]
