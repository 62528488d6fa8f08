"""Loading ``okrs.yaml``: read, check (SPEC 4) and resolve into :class:`Definitions`.

Checks run in three phases and the first problem is reported: YAML syntax (with its line),
the shape of each entry (:mod:`okrpipe.definitions.model`), then everything that needs the
whole file (unique ids, references, parent cycles, anchors). Within a phase, problems are
ordered by where they are in the file. Every problem is one line naming the file, the path
inside it (``objectives[1].key_results[0].target``), what is wrong and how to fix it, raised
as :class:`~okrpipe.errors.DefinitionsError` (exit status 2).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from okrpipe.definitions.checks import (
    Loc,
    file_position,
    first_problem,
    semantic_problems,
    warnings_for,
)
from okrpipe.definitions.model import (
    BenchmarkRef,
    DefinitionsModel,
    KeyResultModel,
    model_fields_at,
)
from okrpipe.definitions.resolved import (
    Benchmark,
    BenchmarkTarget,
    Definitions,
    KeyResult,
    Kpi,
    Metric,
    Objective,
    Ratio,
    Target,
    Thresholds,
)
from okrpipe.errors import DefinitionsError

CREATE_HINT = (
    "create it (`okrpipe demo --dir .` writes an example okrs.yaml) or point --definitions "
    "or $OKRPIPE_DEFINITIONS at yours"
)


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and keeps dates as text (checked later)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}; keep only one", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def load_definitions(path: Path) -> Definitions:
    """Read, check and resolve a definitions file; DefinitionsError on the first problem."""
    data = _read_yaml(path)
    try:
        model = DefinitionsModel.model_validate(data)
    except ValidationError as exc:
        raise _schema_error(path, data, exc.errors()) from None
    problem = first_problem(semantic_problems(model), data)
    if problem is not None:
        raise DefinitionsError(f"{path}: {render_loc(problem.loc)}: {problem.message}")
    return _resolve(path, model)


def check_definitions(path: Path) -> list[str]:
    """Load a definitions file (DefinitionsError if it is wrong) and return its warnings."""
    return warnings_for(load_definitions(path))


def render_loc(loc: Sequence[str | int]) -> str:
    """A location as a path: ``('objectives', 1, 'key_results', 0, 'target')`` becomes
    ``objectives[1].key_results[0].target``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text or "(top level)"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionsError(f"{path}: no such definitions file; {CREATE_HINT}") from None
    except IsADirectoryError:
        raise DefinitionsError(f"{path}: is a folder, not a definitions file") from None
    except UnicodeDecodeError as exc:
        raise DefinitionsError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise DefinitionsError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        raise DefinitionsError(f"{path}: {_yaml_problem(exc)}") from None
    except yaml.YAMLError as exc:
        raise DefinitionsError(f"{path}: YAML syntax error: {exc}") from None
    if data is None:
        raise DefinitionsError(f"{path}: the file is empty; {CREATE_HINT}")
    if not isinstance(data, dict):
        raise DefinitionsError(
            f"{path}: the top level must be a mapping (timezone:, metrics:, objectives:, ...), "
            f"not a {type(data).__name__}"
        )
    return data


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = exc.problem or exc.context or "invalid YAML"
    if "'\\t'" in problem:
        return f"{where}YAML syntax error: a tab character; indent with spaces only"
    if problem.startswith("duplicate key"):
        return f"{where}{problem}"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    return (
        f"{where}YAML syntax error: {problem}{context}; check the indentation and quote "
        "values that contain ': ' or ' #'"
    )


# --- pydantic errors -> one line -----------------------------------------------------------


def _schema_error(path: Path, data: Mapping[str, Any], errors: list[ErrorDetails]) -> Exception:
    first = min(errors, key=lambda e: file_position(data, tuple(e["loc"])))
    loc: Loc = tuple(first["loc"])
    if loc and loc[-1] == "[key]":  # a bad key of a mapping (where:): point at that key
        loc = loc[:-1]
    return DefinitionsError(f"{path}: {render_loc(loc)}: {_explain(first, loc)}")


def _explain(error: ErrorDetails, loc: Loc) -> str:
    kind = error["type"]
    value = error.get("input")
    message = error["msg"]
    if kind == "missing":
        return "required key is missing; add it"
    if kind == "extra_forbidden":
        allowed = model_fields_at(loc[:-1]) or ()
        name = str(loc[-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key {name!r}; {hint}allowed keys are: {', '.join(allowed)}"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind in ("string_type", "str_type"):
        return (
            f"expected text, got {value!r}; put it in quotes (YAML reads bare numbers, dates "
            "and yes/no/true/false as other types)"
        )
    if kind in ("float_type", "int_type", "float_parsing"):
        return f"expected a number, got {value!r}; write it without quotes, e.g. 1000 or 0.5"
    if kind == "finite_number":
        return f"expected a finite number, got {value!r}"
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        return f"{value!r} is out of range: {message[0].lower()}{message[1:]}"
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"{value!r} is not allowed; use one of: {expected.replace(' or ', ', ')}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list ('- ' entries), got {_kind_of(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping ('key: value' lines), got {_kind_of(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("string_too_long", "too_long"):
        return f"too long: {message[0].lower()}{message[1:]}"
    return f"{message[0].lower()}{message[1:]} (got {value!r})"


def _kind_of(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


# --- resolution ----------------------------------------------------------------------------


def _resolve(path: Path, model: DefinitionsModel) -> Definitions:
    benchmark_values = {b.id: b.value for b in model.benchmarks}

    def resolve_target(value: float | BenchmarkRef | Any) -> Any:
        if isinstance(value, BenchmarkRef):
            return BenchmarkTarget(value.benchmark, benchmark_values[value.benchmark])
        return value

    metrics = {
        m.key: Metric(
            key=m.key,
            aggregation=m.aggregation,
            ratio=Ratio(m.ratio.numerator, m.ratio.denominator) if m.ratio else None,
            better=m.better,
            description=m.description,
            unit=m.unit,
        )
        for m in model.metrics
    }
    benchmarks = {
        b.id: Benchmark(b.id, b.metric, b.value, b.window, b.source, b.description)
        for b in model.benchmarks
    }
    children: dict[str, list[str]] = {}
    for o in model.objectives:
        if o.parent is not None:
            children.setdefault(o.parent, []).append(o.id)
    objectives = {
        o.id: Objective(
            id=o.id,
            title=o.title,
            period=o.period,
            key_results=tuple(
                _key_result(o.id, kr, resolve_target(kr.target)) for kr in o.key_results
            ),
            parent=o.parent,
            children=tuple(children.get(o.id, ())),
            weight=o.weight,
            owner=o.owner,
            description=o.description,
        )
        for o in model.objectives
    }
    kpis = {
        k.id: Kpi(
            id=k.id,
            metric=k.metric,
            where=tuple(sorted(k.where.items())),
            cadence=k.cadence,
            target=resolve_target(k.target),
            title=k.title,
            description=k.description,
        )
        for k in model.kpis
    }
    definitions = Definitions(
        path=path,
        timezone=model.timezone,
        tz=ZoneInfo(model.timezone),
        thresholds=Thresholds(model.status_thresholds.at_risk, model.status_thresholds.off_track),
        metrics=MappingProxyType(metrics),
        benchmarks=MappingProxyType(benchmarks),
        objectives=MappingProxyType(objectives),
        kpis=MappingProxyType(kpis),
    )
    return replace(definitions, fingerprint=definitions.compute_fingerprint())


def _key_result(objective_id: str, kr: KeyResultModel, target: Target) -> KeyResult:
    return KeyResult(
        id=kr.id,
        objective_id=objective_id,
        title=kr.title,
        metric=kr.metric,
        where=tuple(sorted(kr.where.items())),
        window=kr.window,
        statistic=kr.statistic,
        baseline=kr.baseline,
        target=target,
        commit=kr.commit,
        stretch=kr.stretch,
        weight=kr.weight,
        description=kr.description,
    )
