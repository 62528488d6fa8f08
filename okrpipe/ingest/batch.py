"""One file, one batch, one transaction (SPEC 2).

The file is parsed into the in-memory staging database, validated, checked for identity
against the log, and then its accepted events, its rejected rows, its validation run and
its ``batches`` row are committed together. A crash before COMMIT leaves no trace; a file
whose content is already settled is skipped by its sha256.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import duckdb

from okrpipe.errors import InputFileError, OkrPipeError
from okrpipe.ingest.outcome import BatchResult, Rejection
from okrpipe.ingest.sources import InputFile
from okrpipe.ingest.stage import Progress, read_raw, sql, stage_file
from okrpipe.store.database import scalar_int

EXAMPLES = 5
_HASH_BLOCK = 8 << 20  # few, large calls: each one releases the GIL for its whole block


class ValidationRun(Protocol):
    """What a validator reports for one batch (a ``validation_runs`` row)."""

    suite: str
    suite_version: str
    success: bool
    evaluated: int
    failed: int
    results: dict[str, object]
    engine: str
    duration_ms: float


class Validator(Protocol):
    """Checks ``stage.rows`` and writes every failing row's reasons to ``stage.reasons``."""

    def validate(self, con: duckdb.DuckDBPyConnection, *, now: datetime) -> ValidationRun: ...


@dataclass
class _Verdict:
    validation: ValidationRun
    whole_batch: bool


@dataclass
class _Options:
    now: datetime
    validator: Validator
    max_reject_fraction: float


def sha256_of(item: InputFile) -> str:
    """The sha256 of the file's bytes as stored (compressed files hash compressed)."""
    digest = hashlib.sha256()
    block = bytearray(_HASH_BLOCK)
    view = memoryview(block)
    try:
        with open(item.path, "rb", buffering=0) as handle:
            while n := handle.readinto(block):
                digest.update(view[:n])
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror}") from None
    return digest.hexdigest()


class _Background:
    """A function call on a worker thread (hashing releases the GIL)."""

    def __init__(self, function: Callable[[InputFile], str], item: InputFile) -> None:
        self._result: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, item), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[[InputFile], str], item: InputFile) -> None:
        try:
            self._result = function(item)
        except BaseException as exc:  # noqa: BLE001 - re-raised in result()
            self._error = exc

    def result(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


@contextmanager
def _phase(result: BatchResult, name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        result.timings[name] = round(time.perf_counter() - start, 3)


def _file_size(item: InputFile) -> int:
    try:
        return item.path.stat().st_size
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror}") from None


def _seen_as(
    con: duckdb.DuckDBPyConnection, sha: str, *, retry_rejected: bool
) -> tuple[int, str, str] | None:
    """The earliest batch that settled this content (committed, or rejected unless retried):
    its id, status and source."""
    statuses = ["committed"] if retry_rejected else ["committed", "rejected"]
    row = con.execute(
        "SELECT batch_id, status, source_uri FROM batches WHERE sha256 = $sha "
        "AND list_contains($statuses, status) ORDER BY batch_id LIMIT 1",
        {"sha": sha, "statuses": statuses},
    ).fetchone()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    *,
    now: datetime,
    validator: Validator,
    max_reject_fraction: float,
    retry_rejected: bool = False,
    progress: Progress | None = None,
) -> BatchResult:
    """Ingest one file as one atomic batch and return what happened to it.

    Content that an earlier batch committed is skipped; so is content that an earlier batch
    rejected, unless ``retry_rejected`` (for instance after raising the reject fraction).
    """
    clock = time.perf_counter()
    result = BatchResult(
        source_uri=str(item.path.resolve()),
        path=str(item.path),
        status="failed",
        format=item.format,
        compression=item.compression,
        started_at=datetime.now(UTC),
    )
    options = _Options(now, validator, max_reject_fraction)
    verdict: _Verdict | None = None
    try:
        size = _file_size(item)
        same_size = scalar_int(
            con,
            "SELECT count(*) FROM batches WHERE file_bytes = $size "
            "AND status IN ('committed', 'rejected')",
            {"size": size},
        )
        # content of a size never settled cannot be a duplicate: hash while staging
        hashing = _Background(sha256_of, item)
        if same_size:
            with _phase(result, "hash"):
                result.sha256 = hashing.result()
            earlier = _seen_as(con, result.sha256, retry_rejected=retry_rejected)
            if earlier is not None:
                result.status = "skipped_duplicate"
                result.duplicate_of, result.duplicate_of_status, source = earlier
                # the same file again (a re-run, say after a crash) is reported but not
                # recorded, so that a re-run leaves exactly the state of one clean run
                result.rerun = source == result.source_uri
        if result.status != "skipped_duplicate":
            with _phase(result, "stage"):
                stage_file(con, item, now=now, progress=progress)
            result.sha256 = hashing.result()
            verdict = _judge(con, item, result, options)
    except InputFileError as exc:
        result.status = "failed"
        result.error = exc.message
    result.finished_at = datetime.now(UTC)
    if not result.rerun:
        with _phase(result, "commit"):
            _commit(con, item, result, verdict, options)
    result.seconds = time.perf_counter() - clock
    return result


def _judge(
    con: duckdb.DuckDBPyConnection, item: InputFile, result: BatchResult, options: _Options
) -> _Verdict:
    with _phase(result, "validate"):
        validation = options.validator.validate(con, now=options.now)
    with _phase(result, "identity"):
        con.execute(sql("candidates"))
        con.execute(sql("identity"))
        con.execute(sql("gate"))
    counts = con.execute(
        """
        SELECT
            (SELECT count(*) FROM stage.rows),
            (SELECT count(*) FROM stage.verdicts),
            (SELECT count(*) FROM stage.identity WHERE outcome = 'duplicate')
        """
    ).fetchone()
    assert counts is not None
    rows_read, rejected, duplicate = (int(c) for c in counts)
    result.rows_read = rows_read
    result.warnings = _warnings(con)
    result.reasons = dict(
        con.execute(
            "SELECT reason, count(*) FROM (SELECT unnest(reasons) AS reason FROM stage.verdicts) "
            "GROUP BY reason ORDER BY count(*) DESC, reason"
        ).fetchall()
    )
    result.examples = [
        Rejection(int(n), list(r))
        for n, r in con.execute(
            "SELECT row_number, reasons FROM stage.verdicts ORDER BY row_number LIMIT $k",
            {"k": EXAMPLES},
        ).fetchall()
    ]
    whole = rows_read > 0 and rejected / rows_read > options.max_reject_fraction
    if whole:
        result.status = "rejected"
        result.rows_rejected = rows_read
        result.error = (
            f"{rejected} of {rows_read} rows ({rejected / rows_read:.0%}) failed validation, more "
            f"than max_reject_fraction {options.max_reject_fraction:g}; nothing of it entered "
            "the log"
        )
    else:
        result.status = "committed"
        result.rows_rejected = rejected
        result.rows_duplicate = duplicate
        result.rows_accepted = rows_read - rejected - duplicate
    with _phase(result, "raw"):
        con.execute(
            "CREATE OR REPLACE TABLE stage.wanted AS "
            "SELECT row_number FROM stage.rows WHERE $whole "
            "UNION ALL SELECT row_number FROM stage.verdicts WHERE NOT $whole",
            {"whole": whole},
        )
        read_raw(con, item)
    return _Verdict(validation=validation, whole_batch=whole)


def _warnings(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    rows = con.execute(
        """
        SELECT field, count(*) AS n
        FROM (SELECT unnest(extra_fields) AS field FROM stage.rows WHERE extra_fields IS NOT NULL)
        GROUP BY field ORDER BY field
        """
    ).fetchall()
    return [
        {
            "code": "ignored_field",
            "field": field,
            "rows": int(n),
            "message": f"field {field!r} is not part of the event format and was ignored",
        }
        for field, n in rows
    ]


def _commit(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    result: BatchResult,
    verdict: _Verdict | None,
    options: _Options,
) -> None:
    try:
        con.execute("BEGIN TRANSACTION")
        result.batch_id = scalar_int(con, "SELECT coalesce(max(batch_id), 0) + 1 FROM batches")
        params = {"batch_id": result.batch_id, "now": options.now}
        if result.status == "committed" and result.rows_accepted:
            seq_base = scalar_int(con, "SELECT coalesce(max(seq), 0) FROM events")
            con.execute(sql("commit_events"), {**params, "seq_base": seq_base})
            first, last = con.execute(
                "SELECT min(row_number), max(row_number) FROM stage.rows "
                "ANTI JOIN stage.verdicts USING (row_number) "
                "ANTI JOIN stage.identity USING (row_number)"
            ).fetchone() or (0, 0)
            result.seq_first, result.seq_last = seq_base + first, seq_base + last
        if verdict is not None:
            con.execute(sql("commit_rejected"), {**params, "whole_batch": verdict.whole_batch})
            _record_validation(con, result.batch_id, verdict.validation, options.now)
        _record_batch(con, result, item, options)
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise OkrPipeError(f"{item.path}: could not commit the batch ({exc})") from exc


def _record_batch(
    con: duckdb.DuckDBPyConnection, result: BatchResult, item: InputFile, options: _Options
) -> None:
    try:
        file_bytes: int | None = item.path.stat().st_size
    except OSError:
        file_bytes = None
    con.execute(
        """
        INSERT INTO batches VALUES (
            $batch_id, $source_uri, $sha256, $format, $compression, $status,
            $rows_read, $rows_accepted, $rows_duplicate, $rows_rejected,
            $started_at, $finished_at, $error, $now, $file_bytes, $seq_first, $seq_last,
            $warnings, $warning_details, $max_reject_fraction, $duplicate_of)
        """,
        {
            "batch_id": result.batch_id,
            "source_uri": result.source_uri,
            "sha256": result.sha256,
            "format": result.format,
            "compression": result.compression,
            "status": result.status,
            "rows_read": result.rows_read,
            "rows_accepted": result.rows_accepted,
            "rows_duplicate": result.rows_duplicate,
            "rows_rejected": result.rows_rejected,
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "error": result.error,
            "now": options.now,
            "file_bytes": file_bytes,
            "seq_first": result.seq_first,
            "seq_last": result.seq_last,
            "warnings": sum(int(str(w.get("rows", 1))) for w in result.warnings),
            "warning_details": json.dumps(result.warnings) if result.warnings else None,
            "max_reject_fraction": options.max_reject_fraction,
            "duplicate_of": result.duplicate_of,
        },
    )


def _record_validation(
    con: duckdb.DuckDBPyConnection, batch_id: int, run: ValidationRun, now: datetime
) -> None:
    con.execute(
        "INSERT INTO validation_runs VALUES ($batch_id, $suite, $version, $success, "
        "$evaluated, $failed, $results, $engine, $duration_ms, $now)",
        {
            "batch_id": batch_id,
            "suite": run.suite,
            "version": run.suite_version,
            "success": run.success,
            "evaluated": run.evaluated,
            "failed": run.failed,
            "results": json.dumps(run.results, default=str),
            "engine": run.engine,
            "duration_ms": run.duration_ms,
            "now": now,
        },
    )
