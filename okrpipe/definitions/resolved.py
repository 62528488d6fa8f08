"""Loaded definitions: plain, frozen, fully resolved data ready for computation.

:func:`okrpipe.definitions.loader.load_definitions` builds these from ``okrs.yaml`` after every
check has passed, so their invariants hold: references exist, ids are unique, parents form a
forest, and anchors that are known at load time are strictly monotone.

Anchors (SPEC 6.3) are (value, score) points: a plain key result has (baseline, 0.0) and
(target, 1.0); one with levels has (baseline, 0.0), (commit, 0.3), (target, 0.7) and
(stretch, 1.0). Their values are strictly increasing (direction ``increase``) or strictly
decreasing (``decrease``). A ``{period: P}`` baseline, and a ``{change_pct: X}`` target on
top of it, are only known once the baseline period has been computed: pass that value to
:meth:`KeyResult.anchors`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from okrpipe.definitions.model import Aggregation, Better, Cadence, ChangePct, Statistic
from okrpipe.definitions.periods import Period, Window
from okrpipe.errors import NotFoundError

Direction = Literal["increase", "decrease"]
#: (value, score) points that map a current value to a score by linear interpolation.
Anchors = tuple[tuple[float, float], ...]
LEVEL_SCORES = {"baseline": 0.0, "commit": 0.3, "target": 0.7, "stretch": 1.0}
FINGERPRINT_VERSION = "okrpipe.definitions/1"


@dataclass(frozen=True)
class Thresholds:
    """``status_thresholds`` (SPEC 6.4)."""

    at_risk: float = 0.10
    off_track: float = 0.25


@dataclass(frozen=True)
class Ratio:
    """The two metrics a ratio metric divides."""

    numerator: str
    denominator: str


@dataclass(frozen=True)
class Metric:
    """A metric: exactly one of ``aggregation`` and ``ratio`` is set."""

    key: str
    aggregation: Aggregation | None
    ratio: Ratio | None
    better: Better = "higher"
    description: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class BenchmarkTarget:
    """A target taken from a benchmark; ``value`` is the benchmark's value."""

    benchmark_id: str
    value: float


#: A key result's target: a number, a benchmark's value, or a change on the baseline.
Target = float | BenchmarkTarget | ChangePct
#: A key result's baseline: a number, or the metric over all days of a period.
Baseline = float | Period


@dataclass(frozen=True)
class Benchmark:
    """An external reference value for a metric over a trailing window (SPEC 6.7)."""

    id: str
    metric: str
    value: float
    window: Window
    source: str | None = None
    description: str | None = None


def direction_of(anchors: Anchors) -> Direction | None:
    """``increase`` or ``decrease`` when the anchor values are strictly monotone, else None."""
    values = [value for value, _ in anchors]
    pairs = list(itertools.pairwise(values))
    if pairs and all(a < b for a, b in pairs):
        return "increase"
    if pairs and all(a > b for a, b in pairs):
        return "decrease"
    return None


@dataclass(frozen=True)
class KeyResult:
    """A key result, with its objective's id; ``where`` is sorted (key, value) pairs."""

    id: str
    objective_id: str
    title: str
    metric: str
    where: tuple[tuple[str, str], ...]
    window: Window
    statistic: Statistic
    baseline: Baseline
    target: Target
    commit: float | None = None
    stretch: float | None = None
    weight: float = 1.0
    description: str | None = None

    def baseline_value(self, computed: float | None = None) -> float | None:
        """The numeric baseline, or ``computed`` (the metric over the baseline period)."""
        return self.baseline if isinstance(self.baseline, float) else computed

    def target_value(self, baseline: float | None = None) -> float | None:
        """The numeric target, given the baseline's value when it is a ``{period: P}``."""
        if isinstance(self.target, float):
            return self.target
        if isinstance(self.target, BenchmarkTarget):
            return self.target.value
        base = self.baseline_value(baseline)
        return None if base is None else self.target.apply(base)

    def anchors(self, baseline: float | None = None) -> Anchors | None:
        """The (value, score) anchor points; None while a computed baseline is unknown.

        ``baseline`` is the computed value of a ``{period: P}`` baseline and is ignored when
        the baseline is a number. A computed baseline can make the anchors non-monotone
        (e.g. equal to the target): check with :func:`direction_of`.
        """
        base = self.baseline_value(baseline)
        target = self.target_value(baseline)
        if base is None or target is None:
            return None
        if self.commit is None or self.stretch is None:
            return ((base, 0.0), (target, 1.0))
        return (
            (base, LEVEL_SCORES["baseline"]),
            (self.commit, LEVEL_SCORES["commit"]),
            (target, LEVEL_SCORES["target"]),
            (self.stretch, LEVEL_SCORES["stretch"]),
        )

    @property
    def direction(self) -> Direction | None:
        """The direction when every anchor is known at load time (always valid then)."""
        anchors = self.anchors()
        return None if anchors is None else direction_of(anchors)


@dataclass(frozen=True)
class Objective:
    """An objective with its key results (file order) and the ids of its child objectives."""

    id: str
    title: str
    period: Period
    key_results: tuple[KeyResult, ...]
    parent: str | None = None
    children: tuple[str, ...] = ()
    weight: float = 1.0
    owner: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Kpi:
    """A KPI: a metric per cadence period; ``target`` is None when the KPI has none."""

    id: str
    metric: str
    where: tuple[tuple[str, str], ...]
    cadence: Cadence
    target: float | BenchmarkTarget | None = None
    title: str | None = None
    description: str | None = None

    def target_value(self) -> float | None:
        """The numeric target, if any."""
        return self.target.value if isinstance(self.target, BenchmarkTarget) else self.target


@dataclass(frozen=True)
class Definitions:
    """Everything ``okrs.yaml`` defines, checked and resolved. Mappings keep file order.

    ``fingerprint`` is the sha256 of a canonical JSON of everything but ``path``: it does not
    change with key order, whitespace, comments, the order of list entries or spelled-out
    defaults, and changes with any value.
    """

    path: Path
    timezone: str
    tz: ZoneInfo
    thresholds: Thresholds
    metrics: Mapping[str, Metric]
    benchmarks: Mapping[str, Benchmark]
    objectives: Mapping[str, Objective]
    kpis: Mapping[str, Kpi]
    fingerprint: str = field(default="")

    @property
    def key_results(self) -> tuple[KeyResult, ...]:
        """Every key result, in file order."""
        return tuple(kr for objective in self.objectives.values() for kr in objective.key_results)

    def kr(self, kr_id: str) -> KeyResult:
        """The key result with this id; NotFoundError (exit status 2) if there is none."""
        for kr in self.key_results:
            if kr.id == kr_id:
                return kr
        known = ", ".join(sorted(kr.id for kr in self.key_results)) or "none"
        raise NotFoundError(f"no key result {kr_id!r} in {self.path}; key results are: {known}")

    def objective(self, objective_id: str) -> Objective:
        """The objective with this id; NotFoundError (exit status 2) if there is none."""
        found = self.objectives.get(objective_id)
        if found is None:
            known = ", ".join(sorted(self.objectives)) or "none"
            raise NotFoundError(
                f"no objective {objective_id!r} in {self.path}; objectives are: {known}"
            )
        return found

    def to_document(self) -> dict[str, Any]:
        """A JSON-ready canonical form (what the fingerprint hashes)."""
        return {
            "format": FINGERPRINT_VERSION,
            "timezone": self.timezone,
            "thresholds": _plain(self.thresholds),
            "metrics": {key: _plain(m) for key, m in self.metrics.items()},
            "benchmarks": {key: _plain(b) for key, b in self.benchmarks.items()},
            "objectives": {key: _plain(o) for key, o in self.objectives.items()},
            "kpis": {key: _plain(k) for key, k in self.kpis.items()},
        }

    def compute_fingerprint(self) -> str:
        """The sha256 (hex) of the canonical JSON of :meth:`to_document`."""
        text = json.dumps(
            self.to_document(), sort_keys=True, separators=(",", ":"), allow_nan=False
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Period):
        return {"start": value.start.isoformat(), "end": value.end.isoformat()}
    if isinstance(value, Window):
        return value.label
    if is_dataclass(value) and not isinstance(value, type):
        document = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        document["type"] = type(value).__name__
        if isinstance(value, Objective):
            # List order is presentation, not meaning: keyed by id, sorted children.
            document["key_results"] = {kr.id: _plain(kr) for kr in value.key_results}
            document["children"] = sorted(value.children)
        return document
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value
