"""The event format, schema_version 1 (SPEC 1): the pydantic model and the reason codes.

The model is the producer-facing contract: ``schemas/event.schema.json`` is generated from
it (``python -m okrpipe.event_format > schemas/event.schema.json``) and a test fails when
the two drift apart. Ingestion does not run pydantic per row; it checks the same rules
set-based in DuckDB through the expectation suite (``okrpipe/validation``).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 1
FIELDS = (
    "event_id",
    "kind",
    "metric",
    "value",
    "occurred_at",
    "dimensions",
    "source",
    "supersedes",
    "schema_version",
)
KINDS = ("observation", "correction", "retraction")
METRIC_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
DIMENSION_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
EVENT_ID_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]+$"
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
#: RFC 3339 date-time without, and with, its offset (unanchored, for SQL regexps too)
TIMESTAMP_WITHOUT_OFFSET = r"\d{4}-\d{2}-\d{2}[Tt ]" + _CLOCK
TIMESTAMP_WITH_OFFSET = TIMESTAMP_WITHOUT_OFFSET + r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)"
TIMESTAMP_PATTERN = "^" + TIMESTAMP_WITH_OFFSET + "$"

#: Every reason code a rejected row can carry (SPEC 3), plus ``invalid_source`` and
#: ``invalid_supersedes`` for the two field rules that SPEC 3 names no code for.
REASONS = (
    "malformed_json",
    "malformed_row",
    *(f"missing_field:{name}" for name in ("event_id", "metric", "value", "occurred_at")),
    "invalid_event_id",
    "invalid_kind",
    "invalid_metric",
    "invalid_value",
    "non_finite_value",
    "invalid_timestamp",
    "naive_timestamp",
    "future_timestamp",
    "invalid_dimensions",
    "missing_supersedes",
    "unexpected_supersedes",
    "invalid_supersedes",
    "invalid_source",
    "unsupported_schema_version",
    "event_id_conflict",
    "batch_rejected",
)

EventId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=EVENT_ID_PATTERN)]
DimensionKey = Annotated[str, StringConstraints(max_length=64, pattern=DIMENSION_KEY_PATTERN)]
DimensionValue = Annotated[str, StringConstraints(max_length=256)]

_CONDITIONAL_RULES: list[dict[str, Any]] = [
    {
        "if": {"properties": {"kind": {"const": "observation"}}},
        "then": {
            "required": ["metric", "value", "occurred_at"],
            "not": {"required": ["supersedes"]},
        },
    },
    {
        "if": {"not": {"required": ["kind"]}},
        "then": {
            "required": ["metric", "value", "occurred_at"],
            "not": {"required": ["supersedes"]},
        },
    },
    {
        "if": {"properties": {"kind": {"const": "correction"}}, "required": ["kind"]},
        "then": {"required": ["value", "supersedes"]},
    },
    {
        "if": {"properties": {"kind": {"const": "retraction"}}, "required": ["kind"]},
        "then": {"required": ["supersedes"]},
    },
]


class Event(BaseModel):
    """One raw KPI fact, as producers write it (one NDJSON line, CSV row or Parquet row).

    ``kind`` decides which fields are required: an observation needs ``metric``, ``value`` and
    ``occurred_at``; a correction needs ``value`` and ``supersedes``; a retraction needs
    ``supersedes``. Fields not listed here are ignored by ingestion (and counted as warnings).
    Two rules are not expressed here because they depend on the moment of ingestion or on
    the log: ``occurred_at`` may not be later than now + 24 h, and ``event_id`` is unique
    across the log.
    """

    model_config = ConfigDict(
        extra="allow",
        title="okrpipe event (schema_version 1)",
        json_schema_extra={"allOf": _CONDITIONAL_RULES},  # type: ignore[dict-item]
    )

    event_id: EventId = Field(
        description="Unique across the whole log; 1-128 characters, no control characters."
    )
    kind: Literal["observation", "correction", "retraction"] = Field(
        default="observation",
        description="A correction replaces the value of the observation it supersedes; a "
        "retraction removes it.",
    )
    metric: Annotated[str, StringConstraints(max_length=100, pattern=METRIC_PATTERN)] | None = (
        Field(default=None, description="Dotted lower-case name, e.g. support.first_response.")
    )
    value: float | None = Field(default=None, description="A finite number.")
    occurred_at: Annotated[str, StringConstraints(pattern=TIMESTAMP_PATTERN)] | None = Field(
        default=None,
        description="RFC 3339 with an offset (Z or ±hh:mm), not before 1970.",
    )
    dimensions: dict[DimensionKey, DimensionValue] | None = Field(
        default=None, max_length=16, description='Up to 16 string labels, e.g. {"team": "support"}.'
    )
    source: Annotated[str, StringConstraints(max_length=128)] | None = Field(
        default=None, description="Free text naming the producer."
    )
    supersedes: EventId | None = Field(
        default=None,
        description="For corrections and retractions: the event_id of the "
        "observation they correct or retract.",
    )
    schema_version: Literal[1, "1"] = Field(default=1, description="Only 1 is accepted today.")

    @field_validator("value", mode="before")
    @classmethod
    def _not_boolean(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("value must be a number, not a boolean")
        return value

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("value must be a finite number")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _real_instant(cls, value: str | None) -> str | None:
        if value is None:
            return value
        text = value.upper().replace("Z", "+00:00")
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date and time") from None
        if instant.astimezone(UTC).year < 1970:
            raise ValueError("occurred_at may not be before 1970")
        return value

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Event:
        required = {
            "observation": ("metric", "value", "occurred_at"),
            "correction": ("value", "supersedes"),
            "retraction": ("supersedes",),
        }[self.kind]
        missing = [name for name in required if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} needs {', '.join(missing)}")
        if self.kind == "observation" and self.supersedes is not None:
            raise ValueError("an observation cannot supersede another event")
        return self


def json_schema() -> dict[str, Any]:
    """The JSON Schema of an event, as committed in ``schemas/event.schema.json``."""
    schema = Event.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://okrpipe.dev/schemas/event.schema.json"
    return schema


def render_json_schema() -> str:
    """The schema file's exact text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render_json_schema(), end="")
