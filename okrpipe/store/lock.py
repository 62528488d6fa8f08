"""One writer per database file, across processes and flow runs.

A POSIX ``flock`` on ``<db>.lock``: writers take it exclusively, readers of the pipeline
database share it. A second writer polls for at most ``timeout`` seconds and then fails with
:class:`~okrpipe.errors.WriterBusyError`, naming the holder. The lock dies with its process,
so a killed ingest never leaves a stale lock behind. Within one process the lock is
re-entrant, so a flow that calls several library steps does not deadlock on itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from okrpipe.errors import WriterBusyError

_POLL_SECONDS = 0.05


@dataclass
class _Held:
    handle: IO[str]
    exclusive: bool
    depth: int


_held: dict[tuple[Path, int], _Held] = {}
_guard = threading.RLock()


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return "another process"
    if not info:
        return "another process (a reader)"
    return f"pid {info.get('pid')} ({info.get('command')}, since {info.get('since')})"


@contextmanager
def file_lock(path: Path, *, exclusive: bool, timeout: float) -> Iterator[None]:
    """Hold the lock file ``path`` for the duration of the block (re-entrant per thread)."""
    path = path.resolve()
    key = (path, threading.get_ident())
    with _guard:
        held = _held.get(key)
    if held is not None:
        if exclusive and not held.exclusive:
            raise RuntimeError(f"{path}: a reader cannot upgrade its lock to a writer's")
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - closed in finally
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriterBusyError(
                        f"{path.name.removesuffix('.lock')} is busy: {_holder(path)} is "
                        f"writing it; waited {timeout:g} s. Try again when it finishes, or "
                        "raise OKRPIPE_LOCK_TIMEOUT"
                    ) from None
                time.sleep(_POLL_SECONDS)
        if exclusive:
            handle.seek(0)
            handle.truncate()
            handle.write(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "command": " ".join(os.path.basename(a) for a in sys.argv[:2]),
                        "since": datetime.now(UTC).isoformat(timespec="seconds"),
                    }
                )
            )
            handle.flush()
        with _guard:
            _held[key] = _Held(handle, exclusive, 1)
        try:
            yield
        finally:
            with _guard:
                _held.pop(key, None)
            if exclusive:
                handle.seek(0)
                handle.truncate()
                handle.flush()
    finally:
        handle.close()
