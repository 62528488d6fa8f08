"""Whole-file checks of ``okrs.yaml`` (SPEC 4) and the non-fatal warnings of ``okrpipe check``.

:func:`semantic_problems` runs on a schema-valid :class:`DefinitionsModel` and returns every
problem with its location (a pydantic-style ``loc`` tuple); :func:`first_problem` picks the one
that comes first in the file, so the report does not depend on the order of the checks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from okrpipe.definitions.model import (
    BenchmarkRef,
    ChangePct,
    DefinitionsModel,
    KeyResultModel,
    MetricModel,
)
from okrpipe.definitions.resolved import BenchmarkTarget, Definitions

Loc = tuple[str | int, ...]
_AFTER_EVERYTHING = 1 << 30


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, at ``loc``."""

    loc: Loc
    message: str


def file_position(data: Any, loc: Loc) -> tuple[int, ...]:
    """A sort key for ``loc`` that follows the order of the file (keys as written).

    A missing key sorts at the end of its mapping, after the keys that are there.
    """
    position: list[int] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping):
            keys = list(node)
            if part in node:
                position.append(keys.index(part))
                node = node[part]
                continue
            position.append(len(keys))
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            position.append(part)
            node = node[part]
            continue
        else:
            position.append(_AFTER_EVERYTHING if part != "[key]" else 0)
        node = None
    return tuple(position)


def first_problem(problems: list[Problem], data: Any) -> Problem | None:
    """The problem that comes first in the file, or None."""
    return min(problems, key=lambda p: file_position(data, p.loc), default=None)


def _listing(names: Any, what: str) -> str:
    names = sorted(names)
    if not names:
        return f"no {what} are defined"
    shown = ", ".join(names[:30]) + (f" and {len(names) - 30} more" if len(names) > 30 else "")
    return f"defined {what} are: {shown}"


def semantic_problems(model: DefinitionsModel) -> list[Problem]:
    """Every problem that needs more than one entry to see (SPEC 4 loading checks)."""
    checker = _Checker(model)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, model: DefinitionsModel) -> None:
        self.model = model
        self.problems: list[Problem] = []
        self.metrics: dict[str, MetricModel] = {}
        self.benchmarks: dict[str, float] = {}

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(loc, message))

    def run(self) -> None:
        thresholds = self.model.status_thresholds
        if thresholds.off_track < thresholds.at_risk:
            self.add(
                ("status_thresholds", "off_track"),
                f"off_track {thresholds.off_track:g} is below at_risk {thresholds.at_risk:g}; "
                "off_track must be at least at_risk (defaults 0.10 and 0.25)",
            )
        self.unique("metrics", "key", [m.key for m in self.model.metrics], "metric key")
        self.metrics = {m.key: m for m in reversed(self.model.metrics)}
        for i, metric in enumerate(self.model.metrics):
            self.check_metric_definition(("metrics", i), metric)
        self.unique("benchmarks", "id", [b.id for b in self.model.benchmarks], "benchmark id")
        self.benchmarks = {b.id: b.value for b in reversed(self.model.benchmarks)}
        for i, benchmark in enumerate(self.model.benchmarks):
            self.metric(("benchmarks", i, "metric"), benchmark.metric)
        _check_ids(self.model, self.add)
        _check_parents(self.model, self.add)
        for i, objective in enumerate(self.model.objectives):
            for j, kr in enumerate(objective.key_results):
                self.check_key_result(("objectives", i, "key_results", j), kr)
        self.unique("kpis", "id", [k.id for k in self.model.kpis], "KPI id")
        for i, kpi in enumerate(self.model.kpis):
            self.metric(("kpis", i, "metric"), kpi.metric)
            self.benchmark(("kpis", i, "target"), kpi.target)

    def unique(self, section: str, key: str, values: list[str], what: str) -> None:
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            if value in first:
                self.add(
                    (section, i, key),
                    f"duplicate {what} {value!r} (also {section}[{first[value]}])",
                )
            first.setdefault(value, i)

    def metric(self, loc: Loc, key: str) -> MetricModel | None:
        found = self.metrics.get(key)
        if found is None:
            self.add(loc, f"unknown metric {key!r}; {_listing(self.metrics, 'metrics')}")
        return found

    def benchmark(self, loc: Loc, ref: object) -> float | None:
        if not isinstance(ref, BenchmarkRef):
            return None
        if ref.benchmark not in self.benchmarks:
            self.add(
                (*loc, "benchmark"),
                f"unknown benchmark {ref.benchmark!r}; {_listing(self.benchmarks, 'benchmarks')}",
            )
            return None
        return self.benchmarks[ref.benchmark]

    def check_metric_definition(self, loc: Loc, metric: MetricModel) -> None:
        if metric.ratio is None:
            if metric.aggregation is None:
                self.add(
                    (*loc, "aggregation"),
                    "required key is missing: a metric needs an aggregation (sum, count, avg, "
                    "min, max, last or nps) or a ratio: {numerator: KEY, denominator: KEY}",
                )
            return
        if metric.aggregation is not None:
            self.add(
                (*loc, "aggregation"),
                "a ratio metric has no aggregation (its parts have theirs); remove this key",
            )
        for part in ("numerator", "denominator"):
            key = getattr(metric.ratio, part)
            found = self.metric((*loc, "ratio", part), key)
            if found is not None and found.ratio is not None:
                self.add(
                    (*loc, "ratio", part),
                    f"metric {key!r} is itself a ratio; ratio parts must be metrics with an "
                    "aggregation",
                )

    def check_key_result(self, loc: Loc, kr: KeyResultModel) -> None:
        metric = self.metric((*loc, "metric"), kr.metric)
        if (
            kr.statistic == "daily_average"
            and metric is not None
            and metric.aggregation not in ("sum", "count")
        ):
            kind = "is a ratio" if metric.ratio else f"has aggregation {metric.aggregation}"
            self.add(
                (*loc, "statistic"),
                f"daily_average applies to sum and count metrics only; metric {kr.metric!r} "
                f"{kind}; use statistic: value",
            )
        _check_anchors(loc, kr, self.benchmark((*loc, "target"), kr.target), self.add)


def _check_ids(model: DefinitionsModel, add: Callable[[Loc, str], None]) -> None:
    seen: dict[str, str] = {}
    for i, objective in enumerate(model.objectives):
        entries: list[tuple[Loc, str, str]] = [
            (("objectives", i, "id"), objective.id, f"objectives[{i}]")
        ]
        entries += [
            (("objectives", i, "key_results", j, "id"), kr.id, f"objectives[{i}].key_results[{j}]")
            for j, kr in enumerate(objective.key_results)
        ]
        for loc, entry_id, where in entries:
            if entry_id in seen:
                add(
                    loc,
                    f"duplicate id {entry_id!r} (also {seen[entry_id]}); objectives and key "
                    "results share one namespace of ids",
                )
            seen.setdefault(entry_id, where)


def _check_parents(model: DefinitionsModel, add: Callable[[Loc, str], None]) -> None:
    parents = {o.id: o.parent for o in model.objectives}
    kr_ids = {kr.id for o in model.objectives for kr in o.key_results}
    for i, objective in enumerate(model.objectives):
        loc: Loc = ("objectives", i, "parent")
        parent = objective.parent
        if parent is None:
            continue
        if parent not in parents:
            what = (
                f"{parent!r} is a key result, not an objective"
                if parent in kr_ids
                else (f"unknown objective {parent!r}")
            )
            add(loc, f"{what}; {_listing(parents, 'objectives')}")
            continue
        chain = [objective.id]
        current: str | None = parent
        while current is not None and current in parents and current not in chain:
            chain.append(current)
            current = parents[current]
        if current == objective.id:
            cycle = " -> ".join([*chain, objective.id])
            add(loc, f"parent cycle {cycle}; an objective cannot be its own ancestor")


def _check_anchors(
    loc: Loc, kr: KeyResultModel, benchmark_value: float | None, add: Callable[[Loc, str], None]
) -> None:
    if (kr.commit is None) != (kr.stretch is None):
        present, absent = ("commit", "stretch") if kr.stretch is None else ("stretch", "commit")
        add(
            (*loc, absent),
            f"{absent} is missing: commit and stretch come together; add {absent} or remove "
            f"{present}",
        )
        return
    baseline = kr.baseline if isinstance(kr.baseline, float) else None
    target: float | None = None
    target_text = "target"
    if isinstance(kr.target, float):
        target = kr.target
    elif isinstance(kr.target, BenchmarkRef) and benchmark_value is not None:
        target = benchmark_value
        target_text = f"target (benchmark {kr.target.benchmark!r})"
    elif isinstance(kr.target, ChangePct) and baseline is not None:
        target = kr.target.apply(baseline)
        target_text = f"target (baseline {baseline:g} changed by {kr.target.pct:g}%)"
    if baseline is not None and target is not None and baseline == target:
        add(
            (*loc, "target"),
            f"{target_text} {target:g} equals the baseline; a key result needs a target "
            "different from its baseline",
        )
        return
    named = [("baseline", baseline, "baseline")]
    if kr.commit is not None:
        named.append(("commit", kr.commit, "commit"))
    named.append(("target", target, target_text))
    if kr.stretch is not None:
        named.append(("stretch", kr.stretch, "stretch"))
    known = [(key, value, text) for key, value, text in named if value is not None]
    if len(known) < 2:
        return
    increasing = target > baseline if target is not None and baseline is not None else None
    for (_, before, before_text), (key, value, text) in itertools.pairwise(known):
        if increasing is None:
            if value == before:
                add((*loc, key), f"{text} {value:g} equals {before_text}; {_ORDER_RULE}")
                return
            increasing = value > before
            continue
        if (value > before) != increasing or value == before:
            side = "above" if increasing else "below"
            add(
                (*loc, key),
                f"{text} {value:g} must be {side} {before_text} {before:g}; {_ORDER_RULE}",
            )
            return


_ORDER_RULE = (
    "baseline, commit, target and stretch must be strictly increasing or strictly decreasing"
)


# --- warnings ------------------------------------------------------------------------------


def warnings_for(definitions: Definitions) -> list[str]:
    """Things that are allowed but probably not meant (printed by ``okrpipe check``)."""
    warnings: list[str] = []
    used_metrics: set[str] = set()
    for metric in definitions.metrics.values():
        if metric.ratio is not None:
            used_metrics.update((metric.ratio.numerator, metric.ratio.denominator))
    for benchmark in definitions.benchmarks.values():
        used_metrics.add(benchmark.metric)
    for kpi in definitions.kpis.values():
        used_metrics.add(kpi.metric)
    for objective in definitions.objectives.values():
        if not objective.key_results and not objective.children:
            warnings.append(
                f"objective {objective.id!r} has no key results and no child objectives; "
                "it will have no score"
            )
        for kr in objective.key_results:
            used_metrics.add(kr.metric)
            metric = definitions.metrics[kr.metric]
            if isinstance(kr.target, BenchmarkTarget):
                benchmark = definitions.benchmarks[kr.target.benchmark_id]
                if benchmark.metric != kr.metric:
                    warnings.append(
                        f"key result {kr.id!r} measures {kr.metric!r} but its target benchmark "
                        f"{benchmark.id!r} measures {benchmark.metric!r}"
                    )
            direction = kr.direction
            if direction is not None and (direction == "increase") != (metric.better == "higher"):
                warnings.append(
                    f"key result {kr.id!r} aims to {direction} {kr.metric!r}, but that metric "
                    f"is better {metric.better}"
                )
    for key in definitions.metrics:
        if key not in used_metrics:
            warnings.append(
                f"metric {key!r} is defined but no key result, KPI, benchmark or ratio uses it"
            )
    return warnings
