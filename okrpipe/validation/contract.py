"""The event contract: a Great Expectations suite kept as reviewable data.

``event_contract.json`` is a serialized GX ``ExpectationSuite``. Every expectation is one
rule of SPEC 1 written as DuckDB SQL over ``{batch}`` (the typed rows of one input file,
``stage.rows``) and carries the reason code of the rows it rejects in ``meta.reason``. GX
runs the suite to record and judge each batch; the quarantine runs the very same queries to
find the failing rows. Changing a query in the suite changes which rows are rejected, with no
other code change.

This module reads the suite as plain JSON so that callers need not import GX.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from okrpipe.errors import ValidationSetupError

SUITE_FILE = "event_contract.json"
STAGED_ROWS = "stage.rows"
SUPPORTED_TYPE = "unexpected_rows_expectation"


@dataclass(frozen=True)
class Rule:
    """One expectation of the suite, as the quarantine uses it."""

    reason: str
    query: str
    description: str

    def failing_rows_sql(self, table: str = STAGED_ROWS) -> str:
        """The rule's query with ``{batch}`` bound, exactly as GX formats it."""
        return self.query.format(batch=table)


@dataclass(frozen=True)
class Contract:
    """The suite: its GX document and its rules."""

    name: str
    version: str
    document: dict[str, Any]
    rules: tuple[Rule, ...]

    def rule(self, reason: str) -> Rule:
        for rule in self.rules:
            if rule.reason == reason:
                return rule
        raise KeyError(reason)


def parse(document: dict[str, Any], origin: str) -> Contract:
    """Check a suite document and extract its rules."""
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, expectation in enumerate(document.get("expectations", [])):
        where = f"{origin}: expectations[{index}]"
        if expectation.get("type") != SUPPORTED_TYPE:
            raise ValidationSetupError(
                f"{where}: type {expectation.get('type')!r} cannot name failing rows; write the "
                f"rule as a {SUPPORTED_TYPE} with a DuckDB query over {{batch}}"
            )
        reason = (expectation.get("meta") or {}).get("reason")
        if not reason:
            raise ValidationSetupError(f"{where}: meta.reason (the reason code) is missing")
        if reason in seen:
            raise ValidationSetupError(f"{where}: reason {reason!r} is used twice")
        seen.add(reason)
        kwargs = expectation.get("kwargs", {})
        query = kwargs.get("unexpected_rows_query", "")
        if "{batch}" not in query:
            raise ValidationSetupError(f"{where}: the query must read from {{batch}}")
        rules.append(Rule(reason, query, kwargs.get("description", "")))
    if not rules:
        raise ValidationSetupError(f"{origin}: the suite has no expectations")
    meta = document.get("meta") or {}
    return Contract(
        name=str(document.get("name") or "unnamed"),
        version=str(meta.get("suite_version", "0")),
        document=document,
        rules=tuple(rules),
    )


def load(path: Path | None = None) -> Contract:
    """The suite at ``path``, or the one shipped with okrpipe."""
    if path is None:
        return _shipped()
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValidationSetupError(f"{path}: cannot read the expectation suite ({exc})") from None
    return parse(document, str(path))


@cache
def _shipped() -> Contract:
    text = resources.files("okrpipe.validation").joinpath(SUITE_FILE).read_text()
    return parse(json.loads(text), SUITE_FILE)
