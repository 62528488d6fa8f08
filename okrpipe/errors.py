"""The one error tree of okrpipe.

Every error says what went wrong and what to do, in one line. ``retryable`` tells callers
(the Prefect flows) whether trying again can help: a lock held by another writer can clear,
a bad definitions file cannot.
"""

from __future__ import annotations


class OkrPipeError(Exception):
    """Base of every error okrpipe raises on purpose."""

    retryable: bool = False
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(OkrPipeError):
    """Bad command-line usage or settings (exit status 2)."""

    exit_code = 2


class DefinitionsError(OkrPipeError):
    """The definitions file is missing or wrong (exit status 2)."""

    exit_code = 2


class InputFileError(OkrPipeError):
    """An input file cannot be read at all (its batch is recorded as ``failed``)."""


class DatabaseError(OkrPipeError):
    """The database file cannot be opened or has an unexpected shape."""


class WriterBusyError(DatabaseError):
    """Another process holds the writer lock of the database file beyond the wait budget."""

    retryable = True


class TransientIOError(OkrPipeError):
    """An I/O fault that may clear on its own (disk full, file briefly unavailable)."""

    retryable = True


class ValidationSetupError(OkrPipeError):
    """The expectation suite cannot be loaded or run."""


class NotFoundError(OkrPipeError):
    """A key result, objective or snapshot that the command names does not exist."""

    exit_code = 2
