"""Running a flow in this process (``okrpipe run``, ``okrpipe demo``, tests).

Without ``PREFECT_API_URL`` Prefect starts a temporary server for the process (about 10 s);
with it, runs are recorded on that server. Either way the flow runs here, with the flow-run
heartbeat off: it only serves crash detection for runs that a worker started, and costs
about a second per run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    temporary_settings,
)

# A temporary server's first start on a machine migrates a new database: about 25 s here,
# longer than Prefect's default wait of 20 s, which then fails the run.
EPHEMERAL_STARTUP_SECONDS = 120


def server_configured() -> bool:
    """Whether flow runs go to a running Prefect server (else a temporary one starts)."""
    return bool(PREFECT_API_URL.value())


class _PrefectBelow(logging.Filter):
    """Drops Prefect's records below a level; lets every other record through."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level or not record.name.startswith("prefect")


def quiet_console(level: int) -> None:
    """Show Prefect's log records on the console (the root logger's handlers) only from
    ``level`` up, for the rest of the process. The records still reach the Prefect server:
    its handlers sit on Prefect's own loggers."""
    for handler in logging.getLogger().handlers:
        present = [f for f in handler.filters if isinstance(f, _PrefectBelow)]
        if present:
            present[0].level = level
        else:
            handler.addFilter(_PrefectBelow(level))


@contextmanager
def local_runs() -> Iterator[None]:
    """Flow runs in this block run without the flow-run heartbeat, and wait long enough
    for a temporary server's first start."""
    startup = max(
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value(), EPHEMERAL_STARTUP_SECONDS
    )
    with temporary_settings(
        updates={
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: startup,
        }
    ):
        yield
