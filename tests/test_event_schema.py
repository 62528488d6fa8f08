"""schemas/event.schema.json is generated from the pydantic model and agrees with ingestion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from okrpipe.event_format import Event, render_json_schema
from tests.test_row_contract import CASES, PASSING

SCHEMA = Path(__file__).parents[1] / "schemas" / "event.schema.json"


def test_committed_schema_matches_the_model() -> None:
    assert SCHEMA.read_text() == render_json_schema(), (
        "schemas/event.schema.json is stale: run "
        "`python -m okrpipe.event_format > schemas/event.schema.json`"
    )


def test_schema_is_valid_json_schema_shape() -> None:
    schema = json.loads(SCHEMA.read_text())
    assert schema["required"] == ["event_id"]
    assert set(schema["properties"]) == {
        "event_id",
        "kind",
        "metric",
        "value",
        "occurred_at",
        "dimensions",
        "source",
        "supersedes",
        "schema_version",
    }


# Rules the model cannot know: they depend on the ingest clock, on JSON text the model never
# sees, or on what the log already holds.
_NOT_IN_MODEL = {"future_timestamp", "malformed_json", "non_finite_value"}


@pytest.mark.parametrize(
    ("case", "row", "reasons"),
    [c for c in CASES if isinstance(c[1], dict)],
    ids=[c[0] for c in CASES if isinstance(c[1], dict)],
)
def test_model_rejects_what_ingestion_rejects(
    case: str, row: dict[str, Any], reasons: set[str]
) -> None:
    if reasons <= _NOT_IN_MODEL:
        pytest.skip("rule outside the model")
    with pytest.raises(ValidationError):
        Event.model_validate(row)


@pytest.mark.parametrize(
    ("case", "row"),
    [c for c in PASSING if isinstance(c[1], dict)],
    ids=[c[0] for c in PASSING if isinstance(c[1], dict)],
)
def test_model_accepts_what_ingestion_accepts(case: str, row: dict[str, Any]) -> None:
    if case in {"ignored fields on a correction", "retraction value ignored"}:
        pytest.skip("ingestion ignores these fields; the model still types them")
    Event.model_validate(row)
