"""Ingesting many files: one batch per file, in order, under one writer lock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from okrpipe.ingest.batch import Validator, ingest_file
from okrpipe.ingest.outcome import BatchResult
from okrpipe.ingest.sources import InputFile, expand
from okrpipe.ingest.stage import Progress, prepare
from okrpipe.settings import Settings
from okrpipe.store.database import open_db

log = logging.getLogger("okrpipe.ingest")

ProgressFactory = Callable[[InputFile], Progress | None]


@dataclass
class IngestReport:
    """The batches of one ingest run, in file order."""

    batches: list[BatchResult]

    @property
    def exit_code(self) -> int:
        """0 when every file was committed or skipped, 3 when one was rejected or failed."""
        return 0 if all(b.ok for b in self.batches) else 3

    def totals(self) -> dict[str, int]:
        keys = ("rows_read", "rows_accepted", "rows_duplicate", "rows_rejected")
        return {k: sum(getattr(b, k) for b in self.batches) for k in keys}


def default_validator(settings: Settings) -> Validator:
    """The validator of record: the event contract suite run by Great Expectations."""
    from okrpipe.validation.validator import SuiteValidator  # noqa: PLC0415 - heavy import

    return SuiteValidator.from_settings(settings)


def ingest_files(
    settings: Settings,
    files: list[InputFile],
    *,
    now: datetime,
    retry_rejected: bool = False,
    on_progress: ProgressFactory | None = None,
    on_batch: Callable[[BatchResult], None] | None = None,
) -> IngestReport:
    """Ingest ``files`` into ``settings.db``, one atomic batch per file."""
    results: list[BatchResult] = []
    if not files:
        return IngestReport(results)
    checker = default_validator(settings)
    with open_db(settings, write=True) as con:
        prepare(con)
        for item in files:
            result = ingest_file(
                con,
                item,
                now=now,
                validator=checker,
                max_reject_fraction=settings.max_reject_fraction,
                retry_rejected=retry_rejected,
                progress=on_progress(item) if on_progress else None,
            )
            log.log(logging.INFO if result.ok else logging.WARNING, result.summary())
            results.append(result)
            if on_batch:
                on_batch(result)
    return IngestReport(results)


def ingest_paths(
    settings: Settings, paths: list[str], *, now: datetime, **kwargs: object
) -> IngestReport:
    """Expand files, folders and globs, then :func:`ingest_files`."""
    return ingest_files(settings, expand(paths), now=now, **kwargs)  # type: ignore[arg-type]
