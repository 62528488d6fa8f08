"""The shape of ``okrs.yaml`` (SPEC 4) as pydantic models: types, required and unknown keys.

These models check one entry at a time; whatever needs the whole file (unique ids,
references, parent cycles, anchor order) is checked by :mod:`okrpipe.definitions.loader`,
which also turns these models into the plain dataclasses that the rest of okrpipe uses.

Every model forbids unknown keys, so a typo such as ``targte`` is an error, not a silently
ignored line. Numbers must be YAML numbers (``1000``, ``0.5``), not quoted text, and finite.

Ids of objectives, key results, benchmarks and KPIs follow :data:`ID_PATTERN`: a letter or
digit, then letters, digits, ``_``, ``.`` or ``-``, at most 100 characters (safe in file
names, URLs and command lines). Metric keys follow the event format's metric pattern.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    StringConstraints,
    field_validator,
)

from okrpipe.definitions.periods import (
    MAX_TRAILING_DAYS,
    Period,
    SpecError,
    Window,
    parse_period,
    parse_window,
)
from okrpipe.event_format import DIMENSION_KEY_PATTERN, METRIC_PATTERN

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
ID_MAX_LENGTH = 100
METRIC_KEY_MAX_LENGTH = 100
MAX_WHERE_KEYS = 16

Aggregation = Literal["sum", "count", "avg", "min", "max", "last", "nps"]
Better = Literal["higher", "lower"]
Statistic = Literal["value", "daily_average"]
Cadence = Literal["day", "week", "month", "quarter"]


@dataclass(frozen=True)
class BenchmarkRef:
    """``{benchmark: ID}``: a target taken from a benchmark's value."""

    benchmark: str


@dataclass(frozen=True)
class ChangePct:
    """``{change_pct: X}``: a target of baseline x (1 + X/100)."""

    pct: float

    def apply(self, baseline: float) -> float:
        """The target for a baseline value."""
        return baseline * (1 + self.pct / 100)


def _check_id(value: str) -> str:
    if not re.fullmatch(ID_PATTERN, value) or len(value) > ID_MAX_LENGTH:
        raise ValueError(
            f"{value!r} is not a valid id; ids start with a letter or digit and use only "
            f"letters, digits, '_', '.' and '-' (at most {ID_MAX_LENGTH} characters)"
        )
    return value


def _check_metric_key(value: str) -> str:
    if not re.fullmatch(METRIC_PATTERN, value) or len(value) > METRIC_KEY_MAX_LENGTH:
        raise ValueError(
            f"{value!r} is not a valid metric key; use lower-case letters, digits and '_', "
            "starting with a letter, optionally dotted (e.g. visits or support.first_response)"
        )
    return value


def _check_dimension_key(value: str) -> str:
    if not re.fullmatch(DIMENSION_KEY_PATTERN, value) or len(value) > 64:
        raise ValueError(
            f"{value!r} is not a valid dimension key; use lower-case letters, digits and '_', "
            "starting with a letter (at most 64 characters), as in the events' dimensions"
        )
    return value


def _none_to_empty_list(value: object) -> object:
    return [] if value is None else value


def _none_to_empty_dict(value: object) -> object:
    return {} if value is None else value


def is_number(value: object) -> TypeGuard[int | float]:
    """Whether a YAML value is a number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: object, what: str) -> float:
    if not is_number(value):
        raise ValueError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return number


def _one_key(value: object, allowed: tuple[str, ...], forms: str) -> tuple[str, object]:
    if isinstance(value, Mapping) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if key in allowed:
            return str(key), inner
    raise ValueError(f"expected {forms}, got {value!r}")


def _baseline(value: object) -> float | Period:
    if is_number(value):
        return _number(value, "baseline")
    _, inner = _one_key(value, ("period",), "a number or {period: PERIOD}")
    try:
        return parse_period(inner)
    except SpecError as exc:
        raise ValueError(f"period: {exc}") from None


def _target(value: object) -> float | BenchmarkRef | ChangePct:
    if is_number(value):
        return _number(value, "target")
    key, inner = _one_key(
        value, ("benchmark", "change_pct"), "a number, {benchmark: ID} or {change_pct: NUMBER}"
    )
    if key == "change_pct":
        return ChangePct(_number(inner, "change_pct"))
    return BenchmarkRef(_benchmark_id(inner))


def _kpi_target(value: object) -> float | BenchmarkRef | None:
    if value is None:
        return None
    if is_number(value):
        return _number(value, "target")
    _, inner = _one_key(value, ("benchmark",), "a number or {benchmark: ID}")
    return BenchmarkRef(_benchmark_id(inner))


def _benchmark_id(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"benchmark must be a benchmark id, got {value!r}")
    return value


def _period(value: object) -> Period:
    return parse_period(value)


def _window(value: object) -> Window:
    return parse_window(value)


def _benchmark_window(value: object) -> Window:
    window = parse_window(value)
    if window.kind == "period_to_date":
        raise ValueError(
            "a benchmark has no period, so period_to_date does not apply; "
            f"use trailing_<N>d with 1 <= N <= {MAX_TRAILING_DAYS} (default trailing_30d)"
        )
    return window


Id = Annotated[str, AfterValidator(_check_id)]
MetricKey = Annotated[str, AfterValidator(_check_metric_key)]
Reference = Annotated[str, StringConstraints(min_length=1)]
Text = Annotated[str, StringConstraints(min_length=1)]
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Weight = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Fraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
DimensionKey = Annotated[str, AfterValidator(_check_dimension_key)]
DimensionValue = Annotated[str, StringConstraints(max_length=256)]
Where = Annotated[
    dict[DimensionKey, DimensionValue],
    BeforeValidator(_none_to_empty_dict),
    Field(max_length=MAX_WHERE_KEYS),
]
PeriodSpec = Annotated[Period, PlainValidator(_period)]
WindowSpec = Annotated[Window, PlainValidator(_window)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThresholdsModel(_Strict):
    """``status_thresholds``: how far behind the straight line a KR may be (SPEC 6.4)."""

    at_risk: Fraction = 0.10
    off_track: Fraction = 0.25


class RatioModel(_Strict):
    """``ratio: {numerator: KEY, denominator: KEY}``."""

    numerator: Reference
    denominator: Reference


class MetricModel(_Strict):
    """One entry of ``metrics``: an aggregated metric or a ratio of two metrics."""

    key: MetricKey
    description: str | None = None
    unit: str | None = None
    aggregation: Aggregation | None = None
    ratio: RatioModel | None = None
    better: Better = "higher"


class BenchmarkModel(_Strict):
    """One entry of ``benchmarks``: an external reference value for a metric."""

    id: Id
    metric: Reference
    value: Number
    source: str | None = None
    description: str | None = None
    window: Annotated[Window, PlainValidator(_benchmark_window)] = Window("trailing", 30)


class KeyResultModel(_Strict):
    """One entry of an objective's ``key_results``."""

    id: Id
    title: Text
    description: str | None = None
    metric: Reference
    where: Where = {}
    window: WindowSpec = Window("period_to_date")
    statistic: Statistic = "value"
    baseline: Annotated[float | Period, PlainValidator(_baseline)]
    target: Annotated[float | BenchmarkRef | ChangePct, PlainValidator(_target)]
    commit: Number | None = None
    stretch: Number | None = None
    weight: Weight = 1.0


class ObjectiveModel(_Strict):
    """One entry of ``objectives``."""

    id: Id
    title: Text
    owner: str | None = None
    description: str | None = None
    period: PeriodSpec
    parent: Reference | None = None
    weight: Weight = 1.0
    key_results: Annotated[list[KeyResultModel], BeforeValidator(_none_to_empty_list)] = []


class KpiModel(_Strict):
    """One entry of ``kpis``: a metric tracked per cadence period against a target."""

    id: Id
    title: str | None = None
    description: str | None = None
    metric: Reference
    where: Where = {}
    cadence: Cadence
    target: Annotated[float | BenchmarkRef | None, PlainValidator(_kpi_target)] = None


class DefinitionsModel(_Strict):
    """The whole ``okrs.yaml``."""

    timezone: str = "UTC"
    status_thresholds: ThresholdsModel = ThresholdsModel()
    metrics: Annotated[list[MetricModel], BeforeValidator(_none_to_empty_list)] = []
    benchmarks: Annotated[list[BenchmarkModel], BeforeValidator(_none_to_empty_list)] = []
    objectives: Annotated[list[ObjectiveModel], BeforeValidator(_none_to_empty_list)] = []
    kpis: Annotated[list[KpiModel], BeforeValidator(_none_to_empty_list)] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(
                f"{value!r} is not an IANA time zone name; {hint}use e.g. UTC, Europe/Oslo or "
                "America/New_York"
            ) from None
        return value


def model_fields_at(loc: tuple[str | int, ...]) -> tuple[str, ...] | None:
    """The keys allowed in the mapping at ``loc`` (a pydantic error location), if known."""
    model: type[BaseModel] = DefinitionsModel
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = _model_in(field.annotation)
        if inner is None:
            return None
        model = inner
    return tuple(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
