"""The expectation suite is the validator of record (SPEC 3): one test per expectation, a
changed suite changes the outcome, and every validated batch leaves a validation_runs row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from okrpipe.errors import ValidationSetupError
from okrpipe.event_format import REASONS
from okrpipe.ingest.sources import detect
from okrpipe.ingest.stage import prepare, stage_file
from okrpipe.settings import Settings
from okrpipe.validation import contract
from okrpipe.validation.validator import SuiteValidator
from tests.helpers import NOW, event, ingest, query, rejected, write_ndjson
from tests.test_row_contract import CASES, PASSING

SUITE = contract.load()
GOOD = PASSING[0][1]


def first_case(reason: str) -> dict[str, Any] | str:
    """The first row of the contract table rejected for exactly this reason."""
    return next(row for _, row, reasons in CASES if reasons == {reason})


def validate_rows(
    tmp_path: Path,
    rows: list[dict[str, Any] | str],
    name: str = "rows.jsonl",
) -> dict[str, tuple[bool, int]]:
    """Stage ``rows`` and run the suite on them: reason -> (success, unexpected)."""
    path = write_ndjson(tmp_path / name, rows)
    if name.endswith(".csv"):
        path.write_text("event_id,metric\nx,visits,surplus\n")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        prepare(con)
        item = detect(path)
        assert item is not None
        stage_file(con, item, now=NOW)
        run = SuiteValidator(SUITE).validate(con, now=NOW)
        outcomes = {
            r["expectation_config"]["meta"]["reason"]: (
                r["success"],
                r["result"].get("observed_value", 0),
            )
            for r in run.results["results"]
        }
        assert run.evaluated == len(SUITE.rules)
        return outcomes
    finally:
        con.close()


@pytest.mark.parametrize("rule", SUITE.rules, ids=[r.reason for r in SUITE.rules])
def test_each_expectation_catches_its_case_and_passes_the_good_case(
    tmp_path: Path, rule: contract.Rule
) -> None:
    if rule.reason == "malformed_row":
        outcomes = validate_rows(tmp_path, [], name="rows.csv")
    else:
        outcomes = validate_rows(tmp_path, [GOOD, first_case(rule.reason)])
    assert outcomes[rule.reason] == (False, 1)
    assert all(ok for reason, (ok, _) in outcomes.items() if reason != rule.reason)
    clean = validate_rows(tmp_path, [GOOD], name="good.jsonl")
    assert clean[rule.reason] == (True, 0)


def test_a_tightened_suite_changes_the_outcome(tmp_path: Path) -> None:
    document = json.loads(json.dumps(SUITE.document))
    for expectation in document["expectations"]:
        if expectation["meta"]["reason"] == "invalid_metric":
            query_text = expectation["kwargs"]["unexpected_rows_query"]
            expectation["kwargs"]["unexpected_rows_query"] = query_text.replace(
                "length(metric) > 100", "length(metric) > 5"
            )
    document["expectations"].append(
        {
            "type": "unexpected_rows_expectation",
            "kwargs": {
                "unexpected_rows_query": (
                    "SELECT row_number FROM {batch} WHERE source IS DISTINCT FROM 'crm'"
                ),
                "description": "Only the CRM may send events.",
            },
            "meta": {"reason": "unknown_source"},
        }
    )
    document["meta"]["suite_version"] = "1.1.0-strict"
    suite_file = tmp_path / "strict.json"
    suite_file.write_text(json.dumps(document))
    rows = [
        event("a", source="crm"),
        event("b", metric="visits", source="crm"),
        event("c", metric="nps", source="web"),
    ]
    path = write_ndjson(tmp_path / "e.jsonl", rows)

    shipped = Settings(db=tmp_path / "shipped.duckdb", max_reject_fraction=1.0)
    ingest(shipped, path)
    assert rejected(shipped) == {}
    strict = Settings(db=tmp_path / "strict.duckdb", max_reject_fraction=1.0, suite=suite_file)
    ingest(strict, path)
    assert rejected(strict) == {1: ["invalid_metric"], 2: ["invalid_metric"], 3: ["unknown_source"]}
    assert query(strict, "SELECT suite, suite_version FROM validation_runs") == [
        ("okrpipe.event_contract", "1.1.0-strict")
    ]


def test_validation_runs_record_every_validated_batch(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "okr.duckdb")
    good = write_ndjson(tmp_path / "good.jsonl", [event("a"), event("b")])
    mixed = write_ndjson(tmp_path / "mixed.jsonl", [event("c"), event("d", value="x")])
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(b"not gzip")
    ingest(settings, good, mixed, broken, good)
    runs = query(
        settings,
        "SELECT batch_id, suite, success, evaluated, failed, results "
        "FROM validation_runs ORDER BY batch_id",
    )
    assert [(r[0], r[2], r[3], r[4]) for r in runs] == [
        (1, True, len(SUITE.rules), 0),
        (2, False, len(SUITE.rules), 1),
    ]
    document = json.loads(runs[1][5])
    failed = [r for r in document["results"] if not r["success"]]
    assert failed[0]["expectation_config"]["meta"]["reason"] == "invalid_value"
    assert failed[0]["result"]["observed_value"] == 1
    assert document["statistics"]["evaluated_expectations"] == len(SUITE.rules)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {
                "name": "s",
                "expectations": [
                    {
                        "type": "expect_column_values_to_not_be_null",
                        "kwargs": {"column": "event_id"},
                        "meta": {"reason": "x"},
                    }
                ],
            },
            "cannot name failing rows",
        ),
        (
            {
                "name": "s",
                "expectations": [
                    {
                        "type": "unexpected_rows_expectation",
                        "kwargs": {"unexpected_rows_query": "SELECT 1 FROM {batch}"},
                        "meta": {},
                    }
                ],
            },
            "meta.reason",
        ),
        (
            {
                "name": "s",
                "expectations": [
                    {
                        "type": "unexpected_rows_expectation",
                        "kwargs": {"unexpected_rows_query": "SELECT 1"},
                        "meta": {"reason": "x"},
                    }
                ],
            },
            "{batch}",
        ),
        ({"name": "s", "expectations": []}, "no expectations"),
    ],
)
def test_bad_suites_are_refused_with_a_clear_message(
    tmp_path: Path, document: dict[str, Any], message: str
) -> None:
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValidationSetupError, match=message.replace("{", r"\{")):
        contract.load(path)


def test_shipped_suite_covers_every_row_reason() -> None:
    assert {r.reason for r in SUITE.rules} == set(REASONS) - {"event_id_conflict", "batch_rejected"}


def test_great_expectations_and_prefect_stay_out_of_the_core() -> None:
    code = (
        "import sys, okrpipe.cli.main, okrpipe.ingest.runner, okrpipe.definitions; "
        "print(sorted(m for m in ('great_expectations', 'prefect') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
