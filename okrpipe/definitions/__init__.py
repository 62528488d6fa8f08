"""The definitions layer: loading and checking ``okrs.yaml`` (SPEC 4).

``load_definitions(path)`` returns checked, resolved :class:`Definitions` or raises
:class:`~okrpipe.errors.DefinitionsError` with a one-line message naming the file, the path
inside it and the fix. ``check_definitions(path)`` also returns non-fatal warnings.
"""

from __future__ import annotations

from okrpipe.definitions.loader import check_definitions, load_definitions
from okrpipe.definitions.model import ChangePct
from okrpipe.definitions.periods import Period, Window, parse_period, parse_window
from okrpipe.definitions.resolved import (
    Anchors,
    Baseline,
    Benchmark,
    BenchmarkTarget,
    Definitions,
    Direction,
    KeyResult,
    Kpi,
    Metric,
    Objective,
    Ratio,
    Target,
    Thresholds,
    direction_of,
)

__all__ = [
    "Anchors",
    "Baseline",
    "Benchmark",
    "BenchmarkTarget",
    "ChangePct",
    "Definitions",
    "Direction",
    "KeyResult",
    "Kpi",
    "Metric",
    "Objective",
    "Period",
    "Ratio",
    "Target",
    "Thresholds",
    "Window",
    "check_definitions",
    "direction_of",
    "load_definitions",
    "parse_period",
    "parse_window",
]
