"""The validator of record: GX judges the batch, the suite's queries name the failing rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from okrpipe.errors import ValidationSetupError
from okrpipe.settings import Settings
from okrpipe.validation import contract as contract_module
from okrpipe.validation.contract import Contract
from okrpipe.validation.gx_engine import engine_for, preload

ENGINE = "great_expectations"


@dataclass
class ValidationRun:
    """One ``validation_runs`` row."""

    suite: str
    suite_version: str
    success: bool
    evaluated: int
    failed: int
    results: dict[str, Any] = field(default_factory=dict)
    engine: str = ENGINE
    duration_ms: float = 0.0


class SuiteValidator:
    """Validates ``stage.rows`` with the event contract and fills ``stage.reasons``.

    GX runs every expectation (pushed down into DuckDB) and its result document is what
    ``validation_runs`` stores. For each expectation that found rows, the same query then
    copies their row numbers with the expectation's reason code into ``stage.reasons``,
    set-based; the two counts must agree.
    """

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        preload()

    @classmethod
    def from_settings(cls, settings: Settings) -> SuiteValidator:
        return cls(contract_module.load(settings.suite))

    def validate(self, con: duckdb.DuckDBPyConnection, *, now: datetime) -> ValidationRun:
        """Judge the staged batch; ``stage.batch`` must hold ``now``."""
        engine = engine_for(self.contract, con)
        engine.bind(con)
        outcome = engine.validate()
        con.execute("CREATE OR REPLACE TABLE stage.reasons (row_number BIGINT, reason VARCHAR)")
        for expectation in outcome.expectations:
            if expectation.success:
                continue
            rule = self.contract.rule(expectation.reason)
            inserted = con.execute(
                f"INSERT INTO stage.reasons SELECT row_number, $reason "
                f"FROM ({rule.failing_rows_sql()})",
                {"reason": rule.reason},
            ).fetchone()
            count = int(inserted[0]) if inserted else 0
            if count != expectation.unexpected:
                raise ValidationSetupError(
                    f"rule {rule.reason!r}: GX counted {expectation.unexpected} rows, its query "
                    f"returned {count}; the suite's query is not deterministic"
                )
        return ValidationRun(
            suite=self.contract.name,
            suite_version=self.contract.version,
            success=outcome.success,
            evaluated=outcome.evaluated,
            failed=outcome.failed,
            results=outcome.document,
            duration_ms=outcome.seconds * 1000,
        )
