"""Running the event contract with Great Expectations, pushed down into DuckDB.

The only module that imports ``great_expectations`` (3-5 s): :func:`preload` starts that
import on a background thread when an ingest begins, so it overlaps with reading the first
file. GX gets an ephemeral, in-memory context (no files, no network) and a SQL datasource
whose connections are cursors of the writer's own DuckDB connection, so it queries the
staging database in place: no copy, no pandas.

Why the custom DB-API wrapper: GX fetches query results after closing its SQLAlchemy
connection, and closing sends ROLLBACK. With stock duckdb-engine every cursor shares one
DuckDB connection, so the ROLLBACK discards the pending result and every expectation fails
with "list index out of range" (GX issue #11579). Giving each SQLAlchemy cursor its own
DuckDB cursor keeps results alive. Pin duckdb-engine: the wrapper subclasses its classes.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import duckdb

from okrpipe.errors import ValidationSetupError
from okrpipe.validation.contract import STAGED_ROWS, Contract

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


class _Preloader:
    """The one background import of great_expectations of this process."""

    lock = threading.Lock()
    thread: threading.Thread | None = None


def preload() -> None:
    """Start importing great_expectations in the background (idempotent)."""
    with _Preloader.lock:
        if _Preloader.thread is None:
            _Preloader.thread = threading.Thread(
                target=importlib.import_module, args=("great_expectations",), daemon=True
            )
            _Preloader.thread.start()


def _gx() -> Any:
    preload()
    assert _Preloader.thread is not None
    _Preloader.thread.join()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module("great_expectations")


@dataclass
class ExpectationOutcome:
    """One expectation's verdict on one batch."""

    reason: str
    success: bool
    unexpected: int
    error: str | None = None


@dataclass
class SuiteOutcome:
    """The suite's verdict on one batch, with GX's own result document."""

    success: bool
    evaluated: int
    failed: int
    expectations: list[ExpectationOutcome]
    document: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _cursor_connection(con: duckdb.DuckDBPyConnection) -> Any:
    from duckdb_engine import ConnectionWrapper, CursorWrapper  # noqa: PLC0415

    class OwnCursor(CursorWrapper):
        def __init__(self, child: duckdb.DuckDBPyConnection, wrapper: Any) -> None:
            super().__init__(child, wrapper)
            self._child = child

        def close(self) -> None:
            self._child.close()

    class CursorPerStatement(ConnectionWrapper):
        def __init__(self, parent: duckdb.DuckDBPyConnection) -> None:
            super().__init__(parent)
            self._parent = parent

        def cursor(self) -> OwnCursor:
            return OwnCursor(self._parent.cursor(), self)

    return CursorPerStatement(con.cursor())


def _error_of(result: Any) -> str | None:
    info = getattr(result, "exception_info", None) or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


class GxEngine:
    """An ephemeral GX context for one suite, validating through whichever DuckDB connection
    is bound (:meth:`bind`). Building it costs a few hundred milliseconds, so a process keeps
    one per suite (:func:`engine_for`)."""

    def __init__(self, contract: Contract, con: duckdb.DuckDBPyConnection) -> None:
        gx = _gx()
        from great_expectations.core.expectation_suite import (  # noqa: PLC0415
            ExpectationSuite,
        )
        from great_expectations.data_context.types.base import (  # noqa: PLC0415
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        self._contract = contract
        self._con: duckdb.DuckDBPyConnection | None = con  # GX tests the connection now
        self._context = gx.get_context(
            mode="ephemeral",
            project_config=DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
            ),
        )
        self._context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self._datasource = self._context.data_sources.add_sql(
            name="okrpipe_staging",
            connection_string="duckdb:///:memory:",  # picks the dialect; creator supplies rows
            create_temp_table=False,
            kwargs={"creator": self._connect},
        )
        asset = self._datasource.add_table_asset(name="staged_rows", table_name=STAGED_ROWS)
        self._batches = asset.add_batch_definition_whole_table(name="whole_file")
        try:
            self._suite = self._context.suites.add(ExpectationSuite(**contract.document))
        except Exception as exc:  # noqa: BLE001 - GX raises pydantic and its own errors
            raise ValidationSetupError(
                f"expectation suite {contract.name!r} does not load in Great Expectations: {exc}"
            ) from None

    def _connect(self) -> Any:
        if self._con is None:
            raise ValidationSetupError("the validation engine is not bound to a database")
        return _cursor_connection(self._con)

    def bind(self, con: duckdb.DuckDBPyConnection) -> None:
        """Validate through ``con`` from now on."""
        if con is not self._con:
            # pooled SQLAlchemy connections wrap cursors of the previous DuckDB connection
            self._datasource.get_execution_engine().engine.dispose()
            self._datasource.get_engine().dispose()
            self._con = con

    def validate(self) -> SuiteOutcome:
        """Run the suite on the current ``stage.rows``."""
        clock = time.perf_counter()
        result = self._batches.get_batch().validate(
            self._suite, result_format={"result_format": "BASIC"}
        )
        outcomes: list[ExpectationOutcome] = []
        for item in result.results:
            reason = str(item.expectation_config.meta.get("reason"))
            error = _error_of(item)
            observed = (item.result or {}).get("observed_value")
            outcomes.append(
                ExpectationOutcome(
                    reason=reason,
                    success=bool(item.success),
                    unexpected=int(observed) if isinstance(observed, int) else 0,
                    error=error,
                )
            )
        failed_to_run = [o for o in outcomes if o.error]
        if failed_to_run:
            first = failed_to_run[0]
            raise ValidationSetupError(
                f"expectation {first.reason!r} of suite {self._contract.name!r} could not run: "
                f"{first.error}"
            )
        stats = result.statistics
        return SuiteOutcome(
            success=bool(result.success),
            evaluated=int(stats.get("evaluated_expectations", len(outcomes))),
            failed=int(stats.get("unsuccessful_expectations", 0)),
            expectations=outcomes,
            document=result.to_json_dict(),
            seconds=time.perf_counter() - clock,
        )


_engines: dict[str, GxEngine] = {}
_engines_lock = threading.Lock()


def engine_for(contract: Contract, con: duckdb.DuckDBPyConnection) -> GxEngine:
    """This process's engine for ``contract`` (built on first use, through ``con``)."""
    key = json.dumps(contract.document, sort_keys=True)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = GxEngine(contract, con)
        return _engines[key]
