"""The definitions layer: okrs.yaml checks (SPEC 4), periods, windows, fingerprint, `check`."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from okrpipe.cli import check_cmd
from okrpipe.cli import main as cli_main
from okrpipe.definitions import (
    BenchmarkTarget,
    ChangePct,
    Period,
    Window,
    check_definitions,
    direction_of,
    load_definitions,
    parse_period,
    parse_window,
)
from okrpipe.definitions.loader import render_loc
from okrpipe.definitions.periods import SpecError
from okrpipe.errors import DefinitionsError, NotFoundError
from okrpipe.settings import Settings
from okrpipe.store.database import open_db

VALID = """\
timezone: Europe/Oslo            # IANA name; default UTC
status_thresholds: {at_risk: 0.10, off_track: 0.25}
metrics:
  - key: visits
    description: Sessions on the marketing site
    unit: visits
    aggregation: sum
    better: higher
  - key: signups
    aggregation: count
  - key: conversion_rate
    ratio: {numerator: signups, denominator: visits}
    better: higher
  - key: nps
    aggregation: nps
  - key: first_response_hours
    unit: hours
    aggregation: avg
    better: lower
benchmarks:
  - id: nps_industry
    metric: nps
    value: 41
    source: Industry survey 2025
    window: trailing_30d
objectives:
  - id: grow_revenue
    title: Grow revenue
    owner: ceo
    period: 2026
  - id: launch_cloudsales
    title: Successfully launch CloudSALES software in the next 90 days
    owner: product
    period: 2026-Q1
    parent: grow_revenue
    weight: 1
    key_results:
      - id: daily_visits
        title: Achieve 1,000 average daily visits
        metric: visits
        where: {channel: web}
        window: trailing_7d
        statistic: daily_average
        baseline: 250
        target: 1000
        commit: 500
        stretch: 1400
        weight: 1
      - id: conversion
        title: Lift conversion by a quarter
        metric: conversion_rate
        baseline: {period: 2025-Q4}
        target: {change_pct: 25}
      - id: happy_customers
        title: Beat the industry NPS
        metric: nps
        baseline: 30
        target: {benchmark: nps_industry}
        weight: 2
  - id: support_speed
    title: Answer customers fast
    period: {start: 2026-01-05, end: 2026-03-29}
    parent: grow_revenue
    key_results:
      - id: fast_answers
        title: First response within 4 hours
        metric: first_response_hours
        where: {team: support, region: emea}
        baseline: 8
        target: 4
kpis:
  - id: first_response
    metric: first_response_hours
    where: {team: support}
    cadence: week
    target: 4
"""


def write(tmp_path: Path, text: str, name: str = "okrs.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def valid_data() -> dict[str, Any]:
    return dict(yaml.safe_load(VALID))


def dump(tmp_path: Path, data: dict[str, Any]) -> Path:
    return write(tmp_path, yaml.safe_dump(data, sort_keys=False))


def load_error(path: Path) -> str:
    with pytest.raises(DefinitionsError) as info:
        load_definitions(path)
    message = str(info.value)
    assert "\n" not in message
    assert info.value.exit_code == 2
    return message


# --- the valid example -----------------------------------------------------------------------


def test_the_spec_example_loads_resolved(tmp_path: Path) -> None:
    d = load_definitions(write(tmp_path, VALID))
    assert (d.timezone, d.tz.key) == ("Europe/Oslo", "Europe/Oslo")
    assert (d.thresholds.at_risk, d.thresholds.off_track) == (0.10, 0.25)
    assert list(d.metrics) == [
        "visits",
        "signups",
        "conversion_rate",
        "nps",
        "first_response_hours",
    ]
    ratio = d.metrics["conversion_rate"]
    assert ratio.aggregation is None
    assert ratio.ratio is not None
    assert (ratio.ratio.numerator, ratio.ratio.denominator) == ("signups", "visits")
    assert d.metrics["first_response_hours"].better == "lower"
    assert d.metrics["signups"].better == "higher"
    bench = d.benchmarks["nps_industry"]
    assert (bench.value, bench.window, bench.source) == (41.0, Window("trailing", 30), bench.source)

    launch = d.objective("launch_cloudsales")
    assert launch.period == Period("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
    assert (launch.parent, launch.weight, launch.owner) == ("grow_revenue", 1.0, "product")
    assert d.objective("grow_revenue").children == ("launch_cloudsales", "support_speed")
    assert d.objective("grow_revenue").period.days == 365
    assert d.objective("support_speed").period.label == "2026-01-05/2026-03-29"
    assert d.objective("support_speed").owner is None

    visits = d.kr("daily_visits")
    assert visits.objective_id == "launch_cloudsales"
    assert (visits.where, visits.window.label, visits.statistic) == (
        (("channel", "web"),),
        "trailing_7d",
        "daily_average",
    )
    assert (visits.baseline, visits.target, visits.commit, visits.stretch) == (
        250.0,
        1000.0,
        500.0,
        1400.0,
    )
    assert visits.anchors() == ((250.0, 0.0), (500.0, 0.3), (1000.0, 0.7), (1400.0, 1.0))
    assert visits.direction == "increase"

    conversion = d.kr("conversion")
    assert conversion.baseline == parse_period("2025-Q4")
    assert conversion.target == ChangePct(25.0)
    assert conversion.window == Window("period_to_date")
    assert (conversion.statistic, conversion.weight) == ("value", 1.0)
    assert conversion.anchors() is None
    assert conversion.direction is None
    anchors = conversion.anchors(0.04)
    assert anchors is not None
    assert anchors[0] == (0.04, 0.0)
    assert anchors[1][0] == pytest.approx(0.05)
    assert anchors[1][1] == 1.0

    happy = d.kr("happy_customers")
    assert happy.target == BenchmarkTarget("nps_industry", 41.0)
    assert (happy.target_value(), happy.weight) == (41.0, 2.0)

    fast = d.kr("fast_answers")
    assert fast.where == (("region", "emea"), ("team", "support"))
    assert fast.direction == "decrease"

    kpi = d.kpis["first_response"]
    assert (kpi.metric, kpi.where, kpi.cadence, kpi.target) == (
        "first_response_hours",
        (("team", "support"),),
        "week",
        4.0,
    )
    assert [kr.id for kr in d.key_results] == [
        "daily_visits",
        "conversion",
        "happy_customers",
        "fast_answers",
    ]
    assert len(d.fingerprint) == 64
    assert check_definitions(d.path) == []


def test_defaults_for_a_minimal_file(tmp_path: Path) -> None:
    d = load_definitions(write(tmp_path, "metrics: [{key: visits, aggregation: sum}]\n"))
    assert (d.timezone, d.thresholds.at_risk, d.thresholds.off_track) == ("UTC", 0.10, 0.25)
    assert (dict(d.objectives), dict(d.kpis), dict(d.benchmarks)) == ({}, {}, {})


def test_lookups_that_miss_are_not_found(tmp_path: Path) -> None:
    d = load_definitions(write(tmp_path, VALID))
    with pytest.raises(NotFoundError, match=r"no key result 'nope'.*daily_visits"):
        d.kr("nope")
    with pytest.raises(NotFoundError, match="no objective 'launch_cloudsales ' in "):
        d.objective("launch_cloudsales ")


def test_direction_of() -> None:
    assert direction_of(((1.0, 0.0), (2.0, 1.0))) == "increase"
    assert direction_of(((3.0, 0.0), (2.0, 0.3), (1.0, 0.7), (0.5, 1.0))) == "decrease"
    assert direction_of(((1.0, 0.0), (1.0, 1.0))) is None
    assert direction_of(((1.0, 0.0), (3.0, 0.3), (2.0, 0.7), (4.0, 1.0))) is None


# --- every loading check, with its path ------------------------------------------------------

Mutation = Callable[[dict[str, Any]], Any]


def kr(data: dict[str, Any], i: int = 1, j: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = data["objectives"][i]["key_results"][j]
    return result


CASES: list[tuple[str, Mutation, str, str]] = [
    # (name, mutation, path, message fragment)
    (
        "unknown KR metric",
        lambda d: kr(d).update(metric="visit"),
        "objectives[1].key_results[0].metric",
        "unknown metric 'visit'; defined metrics are: conversion_rate, first_response_hours, "
        "nps, signups, visits",
    ),
    (
        "typo in a key",
        lambda d: kr(d).update(targte=kr(d).pop("target")),
        "objectives[1].key_results[0].targte",
        "unknown key 'targte'; did you mean 'target'? allowed keys are: id, title",
    ),
    (
        "unknown top-level key",
        lambda d: d.update(objetives=[]),
        "objetives",
        "did you mean 'objectives'?",
    ),
    (
        "missing target",
        lambda d: kr(d).pop("target"),
        "objectives[1].key_results[0].target",
        "required key is missing",
    ),
    ("missing title", lambda d: d["objectives"][0].pop("title"), "objectives[0].title", "missing"),
    ("empty title", lambda d: d["objectives"][0].update(title=""), "objectives[0].title", "empty"),
    (
        "text weight",
        lambda d: d["objectives"][1].update(weight="heavy"),
        "objectives[1].weight",
        "expected a number, got 'heavy'",
    ),
    (
        "zero weight",
        lambda d: d["objectives"][1].update(weight=0),
        "objectives[1].weight",
        "greater than 0",
    ),
    (
        "negative KR weight",
        lambda d: kr(d, 1, 2).update(weight=-1),
        "objectives[1].key_results[2].weight",
        "greater than 0",
    ),
    (
        "boolean target",
        lambda d: kr(d).update(target=True),
        "objectives[1].key_results[0].target",
        "expected a number, {benchmark: ID} or {change_pct: NUMBER}, got True",
    ),
    (
        "quoted number",
        lambda d: kr(d).update(commit="500"),
        "objectives[1].key_results[0].commit",
        "expected a number, got '500'",
    ),
    (
        "infinite value",
        lambda d: d["benchmarks"][0].update(value=float("inf")),
        "benchmarks[0].value",
        "finite",
    ),
    (
        "bad target mapping",
        lambda d: kr(d).update(target={"benchmrk": "nps_industry"}),
        "objectives[1].key_results[0].target",
        "expected a number, {benchmark: ID} or {change_pct: NUMBER}",
    ),
    (
        "text change_pct",
        lambda d: kr(d, 1, 1).update(target={"change_pct": "ten"}),
        "objectives[1].key_results[1].target",
        "change_pct must be a number",
    ),
    (
        "KPI target change_pct",
        lambda d: d["kpis"][0].update(target={"change_pct": 5}),
        "kpis[0].target",
        "expected a number or {benchmark: ID}",
    ),
    (
        "bad aggregation",
        lambda d: d["metrics"][0].update(aggregation="average"),
        "metrics[0].aggregation",
        "'average' is not allowed; use one of: 'sum', 'count', 'avg', 'min', 'max', 'last', 'nps'",
    ),
    (
        "bad better",
        lambda d: d["metrics"][0].update(better="more"),
        "metrics[0].better",
        "'more' is not allowed",
    ),
    (
        "bad statistic",
        lambda d: kr(d).update(statistic="mean"),
        "objectives[1].key_results[0].statistic",
        "'mean' is not allowed",
    ),
    ("bad cadence", lambda d: d["kpis"][0].update(cadence="year"), "kpis[0].cadence", "'year'"),
    (
        "metrics not a list",
        lambda d: d.update(metrics={"key": "visits"}),
        "metrics",
        "expected a list",
    ),
    (
        "bad metric key",
        lambda d: d["metrics"][0].update(key="Visits"),
        "metrics[0].key",
        "'Visits' is not a valid metric key",
    ),
    (
        "bad id",
        lambda d: d["objectives"][0].update(id="grow revenue"),
        "objectives[0].id",
        "'grow revenue' is not a valid id",
    ),
    (
        "numeric id",
        lambda d: d["kpis"][0].update(id=7),
        "kpis[0].id",
        "expected text, got 7; put it in quotes",
    ),
    (
        "bad where key",
        lambda d: kr(d).update(where={"Channel": "web"}),
        "objectives[1].key_results[0].where.Channel",
        "'Channel' is not a valid dimension key",
    ),
    (
        "non-text where value",
        lambda d: kr(d).update(where={"channel": True}),
        "objectives[1].key_results[0].where.channel",
        "expected text, got True",
    ),
    (
        "unknown timezone",
        lambda d: d.update(timezone="Europe/Olso"),
        "timezone",
        "'Europe/Olso' is not an IANA time zone name; did you mean 'Europe/Oslo'?",
    ),
    (
        "thresholds out of order",
        lambda d: d.update(status_thresholds={"at_risk": 0.3, "off_track": 0.2}),
        "status_thresholds.off_track",
        "off_track 0.2 is below at_risk 0.3",
    ),
    (
        "threshold typo",
        lambda d: d.update(status_thresholds={"at_rsk": 0.3}),
        "status_thresholds.at_rsk",
        "did you mean 'at_risk'?",
    ),
    # periods
    (
        "quarter 5",
        lambda d: d["objectives"][1].update(period="2026-Q5"),
        "objectives[1].period",
        "'2026-Q5': quarters are Q1 to Q4",
    ),
    (
        "half 3",
        lambda d: d["objectives"][1].update(period="2026-H3"),
        "objectives[1].period",
        "halves are H1 and H2",
    ),
    (
        "month 13",
        lambda d: d["objectives"][1].update(period="2026-13"),
        "objectives[1].period",
        "months are 01 to 12",
    ),
    (
        "start after end",
        lambda d: d["objectives"][2].update(period={"start": "2026-03-01", "end": "2026-02-01"}),
        "objectives[2].period",
        "start 2026-03-01 is after end 2026-02-01",
    ),
    (
        "unreal date",
        lambda d: d["objectives"][2].update(period={"start": "2026-02-30", "end": "2026-03-01"}),
        "objectives[2].period",
        "start '2026-02-30' is not a real date",
    ),
    (
        "not a period",
        lambda d: d["objectives"][1].update(period="Q1-2026"),
        "objectives[1].period",
        "'Q1-2026' is not a period; use YYYY-Qn",
    ),
    (
        "baseline period",
        lambda d: kr(d, 1, 1).update(baseline={"period": "2025-Q0"}),
        "objectives[1].key_results[1].baseline",
        "period: '2025-Q0': quarters are Q1 to Q4",
    ),
    # windows
    (
        "trailing 0 days",
        lambda d: kr(d).update(window="trailing_0d"),
        "objectives[1].key_results[0].window",
        "from 1 to 366",
    ),
    (
        "trailing 367 days",
        lambda d: kr(d).update(window="trailing_367d"),
        "objectives[1].key_results[0].window",
        "from 1 to 366",
    ),
    (
        "unknown window",
        lambda d: kr(d).update(window="weekly"),
        "objectives[1].key_results[0].window",
        "'weekly' is not a window",
    ),
    (
        "benchmark period_to_date",
        lambda d: d["benchmarks"][0].update(window="period_to_date"),
        "benchmarks[0].window",
        "a benchmark has no period",
    ),
    # unique ids
    (
        "duplicate objective id",
        lambda d: d["objectives"][2].update(id="grow_revenue"),
        "objectives[2].id",
        "duplicate id 'grow_revenue' (also objectives[0])",
    ),
    (
        "KR id equals an objective id",
        lambda d: kr(d, 2, 0).update(id="launch_cloudsales"),
        "objectives[2].key_results[0].id",
        "duplicate id 'launch_cloudsales' (also objectives[1]); objectives and key results share",
    ),
    (
        "duplicate KR id",
        lambda d: kr(d, 2, 0).update(id="daily_visits"),
        "objectives[2].key_results[0].id",
        "(also objectives[1].key_results[0])",
    ),
    (
        "duplicate metric key",
        lambda d: d["metrics"][3].update(key="visits"),
        "metrics[3].key",
        "duplicate metric key 'visits' (also metrics[0])",
    ),
    (
        "duplicate benchmark id",
        lambda d: d["benchmarks"].append(dict(d["benchmarks"][0])),
        "benchmarks[1].id",
        "duplicate benchmark id 'nps_industry'",
    ),
    (
        "duplicate KPI id",
        lambda d: d["kpis"].append(dict(d["kpis"][0])),
        "kpis[1].id",
        "duplicate KPI id 'first_response' (also kpis[0])",
    ),
    # references
    (
        "unknown parent",
        lambda d: d["objectives"][1].update(parent="grow"),
        "objectives[1].parent",
        "unknown objective 'grow'; defined objectives are: grow_revenue, launch_cloudsales, "
        "support_speed",
    ),
    (
        "parent is a KR",
        lambda d: d["objectives"][1].update(parent="daily_visits"),
        "objectives[1].parent",
        "'daily_visits' is a key result, not an objective",
    ),
    (
        "own parent",
        lambda d: d["objectives"][0].update(parent="grow_revenue"),
        "objectives[0].parent",
        "parent cycle grow_revenue -> grow_revenue",
    ),
    (
        "parent cycle",
        lambda d: d["objectives"][0].update(parent="support_speed"),
        "objectives[0].parent",
        "parent cycle grow_revenue -> support_speed -> grow_revenue; an objective cannot be",
    ),
    (
        "unknown KR benchmark",
        lambda d: kr(d, 1, 2).update(target={"benchmark": "nps_world"}),
        "objectives[1].key_results[2].target.benchmark",
        "unknown benchmark 'nps_world'; defined benchmarks are: nps_industry",
    ),
    (
        "unknown KPI benchmark",
        lambda d: d["kpis"][0].update(target={"benchmark": "sla"}),
        "kpis[0].target.benchmark",
        "unknown benchmark 'sla'",
    ),
    (
        "unknown KPI metric",
        lambda d: d["kpis"][0].update(metric="response_hours"),
        "kpis[0].metric",
        "unknown metric 'response_hours'",
    ),
    (
        "unknown benchmark metric",
        lambda d: d["benchmarks"][0].update(metric="net_promoter"),
        "benchmarks[0].metric",
        "unknown metric 'net_promoter'",
    ),
    # metrics
    (
        "unknown ratio part",
        lambda d: d["metrics"][2]["ratio"].update(numerator="signup"),
        "metrics[2].ratio.numerator",
        "unknown metric 'signup'",
    ),
    (
        "ratio of a ratio",
        lambda d: d["metrics"][2]["ratio"].update(denominator="conversion_rate"),
        "metrics[2].ratio.denominator",
        "metric 'conversion_rate' is itself a ratio",
    ),
    (
        "ratio with aggregation",
        lambda d: d["metrics"][2].update(aggregation="sum"),
        "metrics[2].aggregation",
        "a ratio metric has no aggregation",
    ),
    (
        "neither aggregation nor ratio",
        lambda d: d["metrics"][1].pop("aggregation"),
        "metrics[1].aggregation",
        "a metric needs an aggregation",
    ),
    (
        "daily_average of avg",
        lambda d: kr(d, 2, 0).update(statistic="daily_average"),
        "objectives[2].key_results[0].statistic",
        "daily_average applies to sum and count metrics only; metric 'first_response_hours' "
        "has aggregation avg",
    ),
    (
        "daily_average of a ratio",
        lambda d: kr(d, 1, 1).update(statistic="daily_average"),
        "objectives[1].key_results[1].statistic",
        "metric 'conversion_rate' is a ratio",
    ),
    # anchors
    (
        "commit without stretch",
        lambda d: kr(d).pop("stretch"),
        "objectives[1].key_results[0].stretch",
        "commit and stretch come together; add stretch or remove commit",
    ),
    (
        "stretch without commit",
        lambda d: kr(d).pop("commit"),
        "objectives[1].key_results[0].commit",
        "add commit or remove stretch",
    ),
    (
        "baseline equals target",
        lambda d: kr(d, 2, 0).update(target=8),
        "objectives[2].key_results[0].target",
        "target 8 equals the baseline",
    ),
    (
        "change_pct of zero",
        lambda d: kr(d, 2, 0).update(target={"change_pct": 0}),
        "objectives[2].key_results[0].target",
        "target (baseline 8 changed by 0%) 8 equals the baseline",
    ),
    (
        "change_pct of a zero baseline",
        lambda d: kr(d, 2, 0).update(baseline=0, target={"change_pct": 10}),
        "objectives[2].key_results[0].target",
        "equals the baseline",
    ),
    (
        "benchmark target equals baseline",
        lambda d: kr(d, 1, 2).update(baseline=41),
        "objectives[1].key_results[2].target",
        "target (benchmark 'nps_industry') 41 equals the baseline",
    ),
    (
        "commit below an increasing baseline",
        lambda d: kr(d).update(commit=100),
        "objectives[1].key_results[0].commit",
        "commit 100 must be above baseline 250; baseline, commit, target and stretch must be "
        "strictly increasing or strictly decreasing",
    ),
    (
        "stretch short of target",
        lambda d: kr(d).update(stretch=900),
        "objectives[1].key_results[0].stretch",
        "stretch 900 must be above target 1000",
    ),
    (
        "commit equals target",
        lambda d: kr(d).update(commit=1000),
        "objectives[1].key_results[0].target",
        "target 1000 must be above commit 1000",
    ),
    (
        "decreasing with a stretch above target",
        lambda d: kr(d, 2, 0).update(commit=6, stretch=5),
        "objectives[2].key_results[0].stretch",
        "stretch 5 must be below target 4",
    ),
    (
        "levels around a benchmark target",
        lambda d: kr(d, 1, 2).update(commit=45, stretch=50),
        "objectives[1].key_results[2].target",
        "target (benchmark 'nps_industry') 41 must be above commit 45",
    ),
    (
        "levels out of order with a period baseline",
        lambda d: kr(d, 1, 1).update(target=0.05, commit=0.06, stretch=0.07),
        "objectives[1].key_results[1].stretch",
        "stretch 0.07 must be below target 0.05",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "path", "fragment"),
    [pytest.param(m, p, f, id=name) for name, m, p, f in CASES],
)
def test_every_loading_check_names_file_path_and_problem(
    tmp_path: Path, mutation: Mutation, path: str, fragment: str
) -> None:
    data = valid_data()
    mutation(data)
    file = dump(tmp_path, data)
    message = load_error(file)
    assert message.startswith(f"{file}: {path}: "), message
    assert fragment in message, message


def test_decreasing_levels_are_valid(tmp_path: Path) -> None:
    data = valid_data()
    kr(data, 2, 0).update(commit=6, stretch=3)
    d = load_definitions(dump(tmp_path, data))
    assert d.kr("fast_answers").anchors() == ((8.0, 0.0), (6.0, 0.3), (4.0, 0.7), (3.0, 1.0))
    assert d.kr("fast_answers").direction == "decrease"


def test_levels_with_a_period_baseline_are_checked_when_known(tmp_path: Path) -> None:
    data = valid_data()
    kr(data, 1, 1).update(target=0.05, commit=0.045, stretch=0.06)
    d = load_definitions(dump(tmp_path, data))
    conversion = d.kr("conversion")
    assert conversion.anchors() is None
    assert conversion.anchors(0.04) == ((0.04, 0.0), (0.045, 0.3), (0.05, 0.7), (0.06, 1.0))
    assert direction_of(conversion.anchors(0.055) or ()) is None  # runtime: not monotone


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("metrics:\n  - key: visits\n   aggregation: sum\n", "line 3, column "),
        ("metrics:\n\t- key: visits\n", "line 2, column 1: YAML syntax error: a tab character"),
        (
            "metrics:\n  - key: visits\n    aggregation: sum\n    aggregation: count\n",
            "line 4, column 5: duplicate key 'aggregation'; keep only one",
        ),
        ("", "the file is empty; create it (`okrpipe demo --dir .` writes an example"),
        ("# only a comment\n", "the file is empty"),
        ("- key: visits\n", "the top level must be a mapping"),
        ("metrics: [\n", "YAML syntax error"),
    ],
)
def test_file_level_problems(tmp_path: Path, text: str, fragment: str) -> None:
    file = write(tmp_path, text)
    message = load_error(file)
    assert message.startswith(f"{file}: "), message
    assert fragment in message, message


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    message = load_error(tmp_path / "okrs.yaml")
    assert message == (
        f"{tmp_path / 'okrs.yaml'}: no such definitions file; create it (`okrpipe demo --dir .` "
        "writes an example okrs.yaml) or point --definitions or $OKRPIPE_DEFINITIONS at yours"
    )
    assert "is a folder" in load_error(tmp_path)
    (tmp_path / "latin1.yaml").write_bytes("timezone: M\xfcnchen\n".encode("latin-1"))
    assert "not UTF-8" in load_error(tmp_path / "latin1.yaml")


def test_the_first_problem_in_file_order_is_reported(tmp_path: Path) -> None:
    data = valid_data()
    data["kpis"][0]["metric"] = "nope_kpi"
    kr(data).update(metric="nope_kr")
    # kpis before objectives in the file: the KPI's problem comes first
    reordered = {key: data[key] for key in ("timezone", "metrics", "benchmarks", "kpis")}
    reordered["objectives"] = data["objectives"]
    assert "kpis[0].metric: unknown metric 'nope_kpi'" in load_error(dump(tmp_path, reordered))
    assert "key_results[0].metric: unknown metric 'nope_kr'" in load_error(dump(tmp_path, data))
    # schema problems come before reference problems, wherever they are
    data["kpis"][0]["cadence"] = "fortnight"
    assert "kpis[0].cadence" in load_error(dump(tmp_path, data))
    # within an entry, keys as written: id before an unknown key after it
    reordered_kr = {"id": "x y", "typo": 1, **{k: v for k, v in kr(data).items() if k != "id"}}
    data["objectives"][1]["key_results"][0] = reordered_kr
    assert "key_results[0].id: 'x y' is not a valid id" in load_error(dump(tmp_path, data))


def test_dates_arrive_as_dates_or_text(tmp_path: Path) -> None:
    data = valid_data()
    data["objectives"][2]["period"] = {"start": "2026-01-05", "end": "2026-03-29"}
    quoted = load_definitions(dump(tmp_path, data))
    plain = load_definitions(write(tmp_path, VALID, "plain.yaml"))
    assert quoted.objective("support_speed").period == plain.objective("support_speed").period
    assert parse_period({"start": date(2026, 1, 5), "end": "2026-03-29"}).days == 84


def test_empty_lists_and_where_may_be_blank(tmp_path: Path) -> None:
    text = "metrics:\n  - {key: visits, aggregation: sum}\nkpis:\nobjectives:\n" + (
        "  - {id: o, title: O, period: 2026, key_results: }\n"
    )
    d = load_definitions(write(tmp_path, text))
    assert d.objective("o").key_results == ()
    assert dict(d.kpis) == {}


def test_yaml_merge_keys_and_blank_optional_values(tmp_path: Path) -> None:
    text = (
        "metrics:\n  - &visits {key: visits, aggregation: sum, unit: visits}\n"
        "  - {<<: *visits, key: signups, aggregation: count}\n"
        "kpis:\n  - {id: k, metric: signups, cadence: month, target: }\n"
    )
    d = load_definitions(write(tmp_path, text))
    assert (d.metrics["signups"].aggregation, d.metrics["signups"].unit) == ("count", "visits")
    assert d.kpis["k"].target is None


def test_render_loc() -> None:
    assert render_loc(("objectives", 1, "key_results", 0, "target")) == (
        "objectives[1].key_results[0].target"
    )
    assert render_loc(("objectives", 0, "key_results", 0, "where", "my key")) == (
        "objectives[0].key_results[0].where['my key']"
    )
    assert render_loc(()) == "(top level)"


# --- periods and windows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "label", "start", "end", "days"),
    [
        ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 90),
        ("2024-Q1", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31), 91),
        ("2026-Q2", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30), 91),
        ("2026-Q3", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
        ("2026-q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), 92),
        ("2026-H1", "2026-H1", date(2026, 1, 1), date(2026, 6, 30), 181),
        ("2024-H1", "2024-H1", date(2024, 1, 1), date(2024, 6, 30), 182),
        ("2026-H2", "2026-H2", date(2026, 7, 1), date(2026, 12, 31), 184),
        ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31), 365),
        (2024, "2024", date(2024, 1, 1), date(2024, 12, 31), 366),
        ("2026-02", "2026-02", date(2026, 2, 1), date(2026, 2, 28), 28),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29), 29),
        ("2000-02", "2000-02", date(2000, 2, 1), date(2000, 2, 29), 29),
        ("2100-02", "2100-02", date(2100, 2, 1), date(2100, 2, 28), 28),
        ("2026-12", "2026-12", date(2026, 12, 1), date(2026, 12, 31), 31),
        (
            {"start": "2026-01-05", "end": "2026-01-05"},
            "2026-01-05/2026-01-05",
            date(2026, 1, 5),
            date(2026, 1, 5),
            1,
        ),
        (
            {"start": date(2024, 2, 28), "end": date(2024, 3, 1)},
            "2024-02-28/2024-03-01",
            date(2024, 2, 28),
            date(2024, 3, 1),
            3,
        ),
    ],
)
def test_periods(spec: object, label: str, start: date, end: date, days: int) -> None:
    period = parse_period(spec)
    assert period == Period(label, start, end)
    assert (period.days, str(period)) == (days, label)
    assert period.contains(start)
    assert period.contains(end)
    assert not period.contains(date.fromordinal(start.toordinal() - 1))
    assert not period.contains(date.fromordinal(end.toordinal() + 1))
    assert parse_period(period.label if "/" not in label else spec) == period


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("2026-Q0", "quarters are Q1 to Q4"),
        ("2026-Q5", "quarters are Q1 to Q4"),
        ("2026-H0", "halves are H1 and H2"),
        ("2026-H3", "halves are H1 and H2"),
        ("2026-00", "months are 01 to 12"),
        ("2026-13", "months are 01 to 12"),
        ("2026-3", "two digits"),
        ("0000", "year 0000 is out of range"),
        ("26-Q1", "is not a period"),
        ("2026-W01", "is not a period"),
        ("2026-03-01", "a single date is not a period"),
        (date(2026, 3, 1), "a single date is not a period"),
        (True, "expected YYYY-Qn"),
        (None, "expected YYYY-Qn"),
        ({"start": "2026-01-01"}, "end is missing"),
        ({"start": "2026-01-01", "end": "2026-02-01", "until": 1}, "unknown key 'until'"),
        ({"start": "2026-02-01", "end": "2026-01-31"}, "start 2026-02-01 is after end 2026-01-31"),
        ({"start": "2025-02-29", "end": "2025-03-01"}, "is not a real date"),
        ({"start": "2026-1-1", "end": "2026-03-01"}, "start must be a date YYYY-MM-DD"),
        ({"start": 20260101, "end": "2026-03-01"}, "start must be a date"),
    ],
)
def test_invalid_periods(spec: object, fragment: str) -> None:
    with pytest.raises(SpecError, match=None) as info:
        parse_period(spec)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("period_to_date", Window("period_to_date")),
        ("trailing_1d", Window("trailing", 1)),
        ("trailing_7d", Window("trailing", 7)),
        ("trailing_366d", Window("trailing", 366)),
    ],
)
def test_windows_round_trip(text: str, window: Window) -> None:
    assert parse_window(text) == window
    assert window.label == text == str(window)


@pytest.mark.parametrize(
    "text", ["trailing_0d", "trailing_367d", "trailing_07d", "trailing_7", "trailing_d", "ptd", 7]
)
def test_invalid_windows(text: object) -> None:
    with pytest.raises(SpecError):
        parse_window(text)


def test_window_spans() -> None:
    q1 = parse_period("2026-Q1")
    ptd, week = Window("period_to_date"), Window("trailing", 7)
    assert ptd.span(date(2025, 12, 31), q1) is None
    assert ptd.span(date(2026, 1, 1), q1) == (date(2026, 1, 1), date(2026, 1, 1))
    assert ptd.span(date(2026, 5, 1), q1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert week.span(date(2026, 1, 3), q1) == (date(2025, 12, 28), date(2026, 1, 3))
    assert week.span(date(2026, 5, 1), q1) == (date(2026, 3, 25), date(2026, 3, 31))
    assert Window("trailing", 30).span(date(2026, 3, 30)) == (date(2026, 3, 1), date(2026, 3, 30))
    with pytest.raises(ValueError, match="needs a period"):
        ptd.span(date(2026, 1, 1))


# --- fingerprint -----------------------------------------------------------------------------


def test_fingerprint_ignores_layout_and_follows_values(tmp_path: Path) -> None:
    base = load_definitions(write(tmp_path, VALID)).fingerprint
    data = valid_data()
    shuffled = {key: data[key] for key in reversed(list(data))}
    for entries in shuffled.values():
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict):
                items = list(entry.items())
                entry.clear()
                entry.update(reversed(items))
    shuffled["objectives"].reverse()
    text = "# a comment\n\n" + yaml.safe_dump(shuffled, sort_keys=False, indent=4)
    assert load_definitions(write(tmp_path, text, "shuffled.yaml")).fingerprint == base

    explicit_defaults = copy.deepcopy(data)
    kr(explicit_defaults, 1, 1).update(window="period_to_date", statistic="value", weight=1.0)
    assert load_definitions(dump(tmp_path, explicit_defaults)).fingerprint == base

    changed = copy.deepcopy(data)
    kr(changed).update(target=1001)
    assert load_definitions(dump(tmp_path, changed)).fingerprint != base
    changed = copy.deepcopy(data)
    changed["benchmarks"][0]["value"] = 42
    assert load_definitions(dump(tmp_path, changed)).fingerprint != base
    changed = copy.deepcopy(data)
    changed["objectives"][2]["period"] = "2026-Q1"
    assert load_definitions(dump(tmp_path, changed)).fingerprint != base


# --- warnings and the check command ----------------------------------------------------------


def test_warnings(tmp_path: Path) -> None:
    data = valid_data()
    data["metrics"].append({"key": "churn", "aggregation": "sum"})
    data["objectives"].append({"id": "empty", "title": "Nothing yet", "period": "2026"})
    kr(data, 1, 2).update(metric="visits", baseline=10)
    kr(data, 2, 0).update(baseline=2)  # first_response_hours is better lower; this increases
    warnings = check_definitions(dump(tmp_path, data))
    assert warnings == [
        "key result 'happy_customers' measures 'visits' but its target benchmark "
        "'nps_industry' measures 'nps'",
        "key result 'fast_answers' aims to increase 'first_response_hours', but that metric "
        "is better lower",
        "objective 'empty' has no key results and no child objectives; it will have no score",
        "metric 'churn' is defined but no key result, KPI, benchmark or ratio uses it",
    ]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def with_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register `check` in the CLI for these tests (main.py may not list it yet)."""
    if check_cmd not in cli_main.COMMANDS:
        monkeypatch.setattr(cli_main, "COMMANDS", (*cli_main.COMMANDS, check_cmd))


@pytest.mark.usefixtures("with_check")
def test_check_command_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, VALID)
    db = str(tmp_path / "okr.duckdb")
    code, out, err = run_cli(capsys, "--definitions", str(path), "--db", db, "check")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{path}: ok"
    assert "timezone     Europe/Oslo" in out
    assert "key results  4" in out
    assert "warnings     0" in out
    code, out, _ = run_cli(capsys, "check", "--json", "--definitions", str(path), "--db", db)
    document = json.loads(out)
    assert code == 0
    assert document["ok"] is True
    assert document["definitions"] == str(path)
    assert document["warnings"] == []
    summary = document["summary"]
    assert {k: summary[k] for k in ("metrics", "objectives", "key_results", "kpis")} == {
        "metrics": 5,
        "objectives": 3,
        "key_results": 4,
        "kpis": 1,
    }
    assert (summary["benchmarks"], summary["timezone"]) == (1, "Europe/Oslo")
    assert summary["fingerprint"] == load_definitions(path).fingerprint
    assert not (tmp_path / "okr.duckdb").exists()  # check writes nothing


@pytest.mark.usefixtures("with_check")
def test_check_command_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = valid_data()
    kr(data).update(metric="visit")
    path = dump(tmp_path, data)
    code, out, err = run_cli(capsys, "--definitions", str(path), "check")
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"okrpipe: error: {path}: objectives[1].key_results[0].metric: unknown metric 'visit'; "
        "defined metrics are: conversion_rate, first_response_hours, nps, signups, visits"
    )
    code, out, _ = run_cli(capsys, "--definitions", str(path), "check", "--json")
    document = json.loads(out)
    assert code == 2
    assert document["ok"] is False
    assert document["error"].startswith(f"{path}: objectives[1].key_results[0].metric: ")
    code, _, err = run_cli(capsys, "--definitions", str(tmp_path / "none.yaml"), "check")
    assert code == 2
    assert "okrpipe demo --dir ." in err


def insert_event(con: Any, **values: object) -> None:
    """One row in `events`, whatever NOT NULL columns the log schema has grown (no GX here)."""
    filler = {"BIGINT": 1, "INTEGER": 1, "DOUBLE": 1.0, "JSON": "{}", "VARCHAR": "x"}
    columns = con.execute("DESCRIBE events").fetchall()
    row = {name: values.get(name, filler.get(kind)) for name, kind, *_ in columns}
    row["ingested_at"] = row["occurred_at"] = datetime(2026, 3, 1, tzinfo=UTC)
    names = ", ".join(row)
    con.execute(
        f"INSERT INTO events ({names}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
    )


@pytest.mark.usefixtures("with_check")
def test_check_warns_about_metrics_in_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(db=tmp_path / "okr.duckdb", definitions=write(tmp_path, VALID))
    with open_db(settings, write=True) as con:
        for seq, metric in enumerate(["visits", "page_views", "churn.monthly", None], start=1):
            insert_event(con, seq=seq, event_id=f"e{seq}", kind="observation", metric=metric)
    argv = ["--db", str(settings.db), "--definitions", str(settings.definitions), "check"]
    code, out, _ = run_cli(capsys, *argv, "--json")
    assert code == 0
    assert json.loads(out)["warnings"] == [
        f"the event log ({settings.db}) has events of metrics that the definitions do not name "
        "(kept, but used by nothing): churn.monthly, page_views"
    ]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0
    assert "warnings     1" in out
    assert "warning: the event log" in out


def test_check_help_teaches_by_example() -> None:
    assert "okrpipe check" in check_cmd.EXAMPLES
    assert check_cmd.HELP
