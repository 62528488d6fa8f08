"""Golden tests of the projections: every expected number is worked out by hand from SPEC 1, 5-7.

Each test names the SPEC rule it checks; the comment next to an expected value shows the
arithmetic. The code under test (okrpipe/projections/sql) is never consulted for expectations.

Databases are shared per module to keep the file fast: each scenario is ingested once, then the
database file is copied and materialized once per as-of date it is read at.

Main scenario (timezone UTC): most objectives have the period P = 2026-03-01 .. 2026-03-10
(10 days, so elapsed on day 03-0k is k/10). Events are at 12:00 UTC unless said otherwise.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from okrpipe.definitions import load_definitions
from okrpipe.errors import DefinitionsError
from okrpipe.projections.materialize import materialize
from okrpipe.settings import Settings
from tests.helpers import ingest, write_ndjson

INGEST_NOW = datetime(2026, 7, 1, tzinfo=UTC)  # after every event (future check: now + 24 h)
MAT_NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
P = {"start": "2026-03-01", "end": "2026-03-10"}

# --------------------------------------------------------------------------------------------
# building blocks


def obs(
    event_id: str,
    metric: str,
    value: float,
    when: str,
    dims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An observation; ``when`` is a date (12:00 UTC that day) or a full RFC 3339 timestamp."""
    occurred = when if "T" in when else f"{when}T12:00:00Z"
    row: dict[str, Any] = {
        "event_id": event_id,
        "metric": metric,
        "value": value,
        "occurred_at": occurred,
    }
    if dims is not None:
        row["dimensions"] = dims
    return row


def correction(event_id: str, target: str, value: float, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "kind": "correction",
        "supersedes": target,
        "value": value,
    } | extra


def retraction(event_id: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"event_id": event_id, "kind": "retraction", "supersedes": target} | extra


def kr(kr_id: str, metric: str, baseline: Any, target: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": kr_id,
        "title": kr_id,
        "metric": metric,
        "baseline": baseline,
        "target": target,
    } | extra


def objective(obj_id: str, krs: list[dict[str, Any]], period: Any = None, **extra: Any) -> Any:
    return {"id": obj_id, "title": obj_id, "period": period or P, "key_results": krs} | extra


def fetch(settings: Settings, sql: str, params: object = None) -> list[dict[str, Any]]:
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


@dataclass
class Scenario:
    """A database ingested once; ``at(as_of)`` is a materialized copy per as-of date."""

    folder: Path
    definitions: Path
    base: Path
    copies: dict[date, Settings] = field(default_factory=dict)

    @classmethod
    def build(
        cls, folder: Path, document: dict[str, Any], batches: list[list[dict[str, Any]]]
    ) -> Scenario:
        definitions = folder / "okrs.yaml"
        definitions.write_text(yaml.safe_dump(document, sort_keys=False))
        base = folder / "base.duckdb"
        settings = Settings(db=base, definitions=definitions)
        for number, rows in enumerate(batches, 1):
            path = write_ndjson(folder / f"batch{number}.jsonl", rows)
            report = ingest(settings, path, now=INGEST_NOW)
            assert report.totals() == {
                "rows_read": len(rows),
                "rows_accepted": len(rows),
                "rows_duplicate": 0,
                "rows_rejected": 0,
            }, [b.summary() for b in report.batches]
        return cls(folder, definitions, base)

    def at(self, as_of: date) -> Settings:
        if as_of not in self.copies:
            db = self.folder / f"asof-{as_of.isoformat()}.duckdb"
            shutil.copyfile(self.base, db)
            wal = self.base.with_name(self.base.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, db.with_name(db.name + ".wal"))
            settings = Settings(db=db, definitions=self.definitions)
            materialize(settings, now=MAT_NOW, as_of=as_of)
            self.copies[as_of] = settings
        return self.copies[as_of]

    # readers ---------------------------------------------------------------------------------

    def kr(self, as_of: date, kr_id: str) -> dict[str, Any]:
        rows = fetch(self.at(as_of), "SELECT * FROM kr_progress WHERE kr_id = $k", {"k": kr_id})
        assert len(rows) == 1, rows
        return rows[0]

    def kr_daily(self, as_of: date, kr_id: str) -> list[dict[str, Any]]:
        return fetch(
            self.at(as_of),
            "SELECT day, current_value, progress, score, expected_progress, status "
            "FROM kr_progress_daily WHERE kr_id = $k ORDER BY day",
            {"k": kr_id},
        )

    def objective(self, as_of: date, obj_id: str) -> dict[str, Any]:
        rows = fetch(
            self.at(as_of),
            "SELECT * FROM objective_progress WHERE objective_id = $o",
            {"o": obj_id},
        )
        assert len(rows) == 1, rows
        return rows[0]

    def kpi(self, as_of: date, kpi_id: str) -> list[tuple[Any, ...]]:
        rows = fetch(
            self.at(as_of),
            "SELECT period_start, period_end, value, target, met, attainment, change, partial "
            "FROM kpi_scorecard WHERE kpi_id = $k ORDER BY period_start",
            {"k": kpi_id},
        )
        return [tuple(r.values()) for r in rows]

    def benchmark(self, as_of: date, benchmark_id: str) -> dict[str, Any]:
        rows = fetch(
            self.at(as_of),
            "SELECT * FROM benchmark_comparison WHERE benchmark_id = $b",
            {"b": benchmark_id},
        )
        assert len(rows) == 1, rows
        return rows[0]


def d(text: str) -> date:
    return date.fromisoformat(text)


def approx_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with floats wrapped in pytest.approx, for comparing whole KPI tables."""
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in r) for r in rows]


# --------------------------------------------------------------------------------------------
# main scenario (UTC)

BEFORE = d("2026-02-25")  # before P
DAY2 = d("2026-03-02")
DAY5 = d("2026-03-05")
DAY8 = d("2026-03-08")
LAST = d("2026-03-10")  # P's last day
AFTER = d("2026-03-20")  # after P

MAIN_METRICS = [
    {"key": "m_sum", "aggregation": "sum"},
    {"key": "m_count", "aggregation": "count"},
    {"key": "m_avg", "aggregation": "avg"},
    {"key": "m_min", "aggregation": "min"},
    {"key": "m_max", "aggregation": "max"},
    {"key": "m_last", "aggregation": "last"},
    {"key": "m_last2", "aggregation": "last"},
    {"key": "m_nps", "aggregation": "nps"},
    {"key": "signups", "aggregation": "sum"},
    {"key": "visits", "aggregation": "sum"},
    {"key": "zero_den", "aggregation": "sum"},
    {"key": "m_empty", "aggregation": "sum"},
    {"key": "conv", "ratio": {"numerator": "signups", "denominator": "visits"}},
    {"key": "conv0", "ratio": {"numerator": "signups", "denominator": "zero_den"}},
    {"key": "conv_none", "ratio": {"numerator": "signups", "denominator": "m_empty"}},
    {"key": "resp_hours", "aggregation": "avg", "better": "lower"},
    {"key": "m_stat", "aggregation": "sum"},
    {"key": "m_roll", "aggregation": "sum"},
    {"key": "m_dim", "aggregation": "sum"},
    {"key": "m_corr", "aggregation": "sum"},
    {"key": "kpi_v", "aggregation": "sum"},
]

MAIN_BENCHMARKS = [
    {"id": "bench_nps_lo", "metric": "m_nps", "value": 10},
    {"id": "bench_nps_hi", "metric": "m_nps", "value": 50},
    {"id": "bench_resp", "metric": "resp_hours", "value": 5},
    {"id": "bench_resp_ok", "metric": "resp_hours", "value": 8},
    {"id": "bench_empty", "metric": "m_empty", "value": 3},
    {"id": "bench_zero", "metric": "m_sum", "value": 0, "window": "trailing_10d"},
]

MAIN_OBJECTIVES = [
    objective(
        "agg",
        [
            kr("kr_sum", "m_sum", 0, 1000),
            kr("kr_count", "m_count", 0, 1000),
            kr("kr_avg", "m_avg", 0, 1000),
            kr("kr_min", "m_min", -100, 100),
            kr("kr_max", "m_max", 0, 1000),
            kr("kr_last", "m_last", 0, 1000),
            kr("kr_last2", "m_last2", 0, 1000),
            kr("kr_nps", "m_nps", 0, 100),
            kr("kr_conv", "conv", 0, 1),
            kr("kr_conv0", "conv0", 0, 1),
            kr("kr_conv_none", "conv_none", 0, 1),
        ],
    ),
    objective(
        "win",
        [
            kr("w_ptd", "m_sum", 0, 20),
            kr("w_tr3", "m_sum", 0, 20, window="trailing_3d"),
            kr("w_da_plain", "m_sum", 0, 2, statistic="daily_average"),
            kr("w_da7", "m_sum", 0, 2, statistic="daily_average", window="trailing_7d"),
            kr("w_dacount", "m_count", 0, 1, statistic="daily_average"),
            kr(
                "w_da",
                "m_sum",
                {"period": "2026-02"},
                {"change_pct": 50},
                statistic="daily_average",
            ),
            kr("w_pct", "m_sum", 8, {"change_pct": 25}),
            kr("w_bench", "m_nps", 0, {"benchmark": "bench_nps_hi"}),
        ],
    ),
    objective(
        "lvl",
        [
            kr("lv_a", "m_sum", 0, 20, commit=10, stretch=40),
            kr("lv_b", "m_sum", 0, 5, commit=2, stretch=20),
            kr("lv_c", "m_sum", 0, 5, commit=2, stretch=10),
            kr("lv_d", "m_sum", 20, 40, commit=30, stretch=50),
            kr("lv_e", "m_sum", 0, 20, commit=12, stretch=30),
            kr("lv_plain", "m_sum", 0, 8),
            kr("lv_plain_mid", "m_sum", 4, 20),
        ],
    ),
    objective(
        "dec",
        [
            kr("dec_plain", "resp_hours", 10, 4),
            kr("dec_lv", "resp_hours", 10, 4, commit=8, stretch=2),
            kr("dec_worse", "resp_hours", 5, 1),
            kr("dec_stretch", "resp_hours", 12, 7, commit=10, stretch=5),
        ],
    ),
    objective(
        "o_status",
        [
            kr("st_on", "m_stat", 0, 100),
            kr("st_risk", "m_stat", 10, 110, weight=2),
            kr("st_off", "m_stat", 20, 120),
            kr("st_nodata", "m_empty", 0, 10),
        ],
    ),
    objective(
        "o_nodata",
        [kr("st_on2", "m_stat", 0, 100), kr("st_nodata2", "m_empty", 0, 10)],
    ),
    objective(
        "o_risk",
        [
            kr("st_risk2", "m_stat", 10, 110),
            kr("st_risk_edge", "m_stat", 15, 115),
            kr("st_nodata3", "m_empty", 0, 10),
            kr("st_ach", "m_stat", 0, 70),
        ],
    ),
    objective("o_ach", [kr("st_ach2", "m_stat", 0, 70)]),
    objective(
        "o_ns",
        [kr("st_ns", "m_stat", 0, 100), kr("st_ns2", "m_sum", 0, 100, window="trailing_30d")],
        period="2026-04",
    ),
    objective("ro_root", [kr("rr", "m_roll", 0, 500)]),
    objective("ro_c1", [kr("rc1", "m_roll", 0, 62.5)], parent="ro_root", weight=2),
    objective(
        "ro_c2",
        [kr("rc2", "m_roll", 0, 250), kr("rc2b", "m_roll", 0, 25, weight=3)],
        parent="ro_root",
        weight=1,
    ),
    objective("ro_gc", [kr("rgc", "m_roll", 0, 100)], parent="ro_c2", weight=3),
    objective("ro_empty", []),
    objective(
        "whr",
        [
            kr("wh_both", "m_dim", 0, 1000, where={"channel": "web", "country": "no"}),
            kr("wh_web", "m_dim", 0, 1000, where={"channel": "web"}),
            kr("wh_no", "m_dim", 0, 1000, where={"country": "no"}),
            kr("wh_all", "m_dim", 0, 1000),
            kr("wh_none", "m_dim", 0, 1000, where={"channel": "tv"}),
        ],
    ),
    objective("cor", [kr("cor_sum", "m_corr", 0, 1000)]),
]

MAIN_KPIS = [
    {"id": "kpi_month", "metric": "kpi_v", "cadence": "month", "target": 50},
    {"id": "kpi_quarter", "metric": "kpi_v", "cadence": "quarter", "target": 200},
    {
        "id": "kpi_week",
        "metric": "kpi_v",
        "cadence": "week",
        "target": 20,
        "where": {"region": "eu"},
    },
    {"id": "kpi_resp", "metric": "resp_hours", "cadence": "month", "target": 4},
    {
        "id": "kpi_resp_bench",
        "metric": "resp_hours",
        "cadence": "month",
        "target": {"benchmark": "bench_resp"},
    },
]

MAIN_EVENTS: list[dict[str, Any]] = [
    # m_sum: Feb 14 + 14 (baseline month), P: 3, 4, 5; after P: 100
    obs("s0", "m_sum", 14, "2026-02-10"),
    obs("s1", "m_sum", 14, "2026-02-28"),
    obs("s2", "m_sum", 3, "2026-03-02"),
    obs("s3", "m_sum", 4, "2026-03-05"),
    obs("s4", "m_sum", 5, "2026-03-09"),
    obs("s5", "m_sum", 100, "2026-03-11"),
    # m_count: 3 events in P (values 7), one before and one after
    obs("n1", "m_count", 7, "2026-03-02"),
    obs("n2", "m_count", 7, "2026-03-03"),
    obs("n3", "m_count", 7, "2026-03-09"),
    obs("n4", "m_count", 7, "2026-02-27"),
    obs("n5", "m_count", 7, "2026-03-12"),
    # m_avg: 2, 4, 9 in P; 100 before
    obs("a1", "m_avg", 2, "2026-03-02"),
    obs("a2", "m_avg", 4, "2026-03-04"),
    obs("a3", "m_avg", 9, "2026-03-06"),
    obs("a4", "m_avg", 100, "2026-02-20"),
    # m_min: 6, -2, 3 in P; -50 before
    obs("mi1", "m_min", 6, "2026-03-02"),
    obs("mi2", "m_min", -2, "2026-03-03"),
    obs("mi3", "m_min", 3, "2026-03-04"),
    obs("mi4", "m_min", -50, "2026-02-25"),
    # m_max: 6, -2, 3 in P; 50 after
    obs("mx1", "m_max", 6, "2026-03-02"),
    obs("mx2", "m_max", -2, "2026-03-03"),
    obs("mx3", "m_max", 3, "2026-03-04"),
    obs("mx4", "m_max", 50, "2026-03-15"),
    # m_last, in file (= seq) order: a tie at 03-08T09:00 across two dimension sets; the later
    # row (higher seq) holds 20. l4 has a higher seq but an earlier occurred_at; l5 is after P.
    obs("l1", "m_last", 10, "2026-03-03T10:00:00Z"),
    obs("l2", "m_last", 30, "2026-03-08T09:00:00Z", {"channel": "web"}),
    obs("l3", "m_last", 20, "2026-03-08T09:00:00Z", {"channel": "app"}),
    obs("l4", "m_last", 40, "2026-03-04T10:00:00Z"),
    obs("l5", "m_last", 99, "2026-03-12T10:00:00Z"),
    # m_last2: a tie at 03-05T08:00 within one dimension set and day; 1 has the higher seq
    obs("q1", "m_last2", 3, "2026-03-05T08:00:00Z"),
    obs("q2", "m_last2", 1, "2026-03-05T08:00:00Z"),
    obs("q3", "m_last2", 2, "2026-03-05T07:59:59Z"),
    # m_nps: 10, 9, 8, 7, 6, 0, 10 -> promoters 3 (10, 9, 10), detractors 2 (6, 0), n = 7
    *[obs(f"p{i}", "m_nps", v, f"2026-03-0{i + 2}") for i, v in enumerate([10, 9, 8, 7, 6, 0, 10])],
    # ratios: signups 5 + 5, visits 15 + 25, zero_den 0
    obs("g1", "signups", 5, "2026-03-02"),
    obs("g2", "signups", 5, "2026-03-06"),
    obs("v1", "visits", 15, "2026-03-02"),
    obs("v2", "visits", 25, "2026-03-07"),
    obs("z1", "zero_den", 0, "2026-03-03"),
    # resp_hours: Feb 3; P: 7, 5
    obs("h0", "resp_hours", 3, "2026-02-10"),
    obs("h1", "resp_hours", 7, "2026-03-02"),
    obs("h2", "resp_hours", 5, "2026-03-04"),
    # statuses: one event of 70
    obs("t1", "m_stat", 70, "2026-03-02"),
    # roll-up: one event of 50
    obs("r1", "m_roll", 50, "2026-03-02"),
    # dimensions
    obs("d1", "m_dim", 1, "2026-03-03", {"channel": "web", "country": "no"}),
    obs("d2", "m_dim", 2, "2026-03-03", {"channel": "web", "country": "se"}),
    obs("d3", "m_dim", 4, "2026-03-03", {"channel": "app", "country": "no"}),
    obs("d4", "m_dim", 8, "2026-03-03", {"channel": "web"}),
    obs("d5", "m_dim", 16, "2026-03-03"),
    obs("d6", "m_dim", 32, "2026-03-03", {"channel": "web", "country": "no", "device": "mob"}),
    obs("d7", "m_dim", 64, "2026-03-03", {"country": "no"}),
    obs("d8", "m_dim", 128, "2026-03-03", {"country": "no", "channel": "web"}),  # = d1's set
    # corrections and retractions, in seq order
    obs("c1", "m_corr", 10, "2026-03-02"),
    correction("x1a", "c1", 15, metric="m_other", occurred_at="2026-03-09T12:00:00Z"),
    correction("x1b", "c1", 12, occurred_at="2026-03-01T00:00:00Z", dimensions={"k": "v"}),
    obs("c2", "m_corr", 20, "2026-03-03"),
    retraction("r2", "c2", value=999),
    obs("c3", "m_corr", 30, "2026-03-04"),
    retraction("r3", "c3"),
    correction("x3", "c3", 33),
    obs("c4", "m_corr", 40, "2026-03-05"),
    correction("x4", "c4", 44),
    correction("xx4", "x4", 99),  # corrects a correction: no effect
    retraction("rx4", "x4"),  # retracts a correction: no effect
    correction("x_orphan", "c_missing", 5),  # target never arrives: no effect
    # KPIs: Dec 10, Jan 30 + 30, Feb none, Mar 20 + 5 + 25 (+ 100 after as-of 03-20)
    obs("k0", "kpi_v", 10, "2025-12-15", {"region": "us"}),
    obs("k1", "kpi_v", 30, "2026-01-10", {"region": "us"}),
    obs("k2", "kpi_v", 30, "2026-01-20", {"region": "us"}),
    obs("k3", "kpi_v", 20, "2026-03-05", {"region": "eu"}),
    obs("k4", "kpi_v", 5, "2026-03-10", {"region": "eu"}),
    obs("k5", "kpi_v", 25, "2026-03-18", {"region": "eu"}),
    obs("k6", "kpi_v", 100, "2026-03-25", {"region": "eu"}),
]


@pytest.fixture(scope="module")
def main(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    document = {
        "timezone": "UTC",
        "metrics": MAIN_METRICS,
        "benchmarks": MAIN_BENCHMARKS,
        "objectives": MAIN_OBJECTIVES,
        "kpis": MAIN_KPIS,
    }
    return Scenario.build(tmp_path_factory.mktemp("main"), document, [MAIN_EVENTS])


# --------------------------------------------------------------------------------------------
# SPEC 5: aggregations (as of 03-20, window = all of P = 03-01 .. 03-10)


@pytest.mark.parametrize(
    ("kr_id", "expected"),
    [
        ("kr_sum", 12.0),  # 3 + 4 + 5 (14s in Feb and 100 on 03-11 are outside P)
        ("kr_count", 3.0),  # 3 events in P (not their sum 21)
        ("kr_avg", 5.0),  # (2 + 4 + 9) / 3
        ("kr_min", -2.0),  # min(6, -2, 3); -50 is before P
        ("kr_max", 6.0),  # max(6, -2, 3); 50 is after P
        ("kr_last", 20.0),  # latest occurred_at 03-08T09:00 is a tie: 20 has the higher seq
        ("kr_last2", 1.0),  # tie at 03-05T08:00 in one dimension set: 1 has the higher seq
        ("kr_nps", 100 * (3 - 2) / 7),  # 14.2857...: promoters 10, 9, 10; detractors 6, 0
        ("kr_conv", 0.25),  # (5 + 5) / (15 + 25)
    ],
)
def test_aggregation_over_period(main: Scenario, kr_id: str, expected: float) -> None:
    row = main.kr(AFTER, kr_id)
    assert row["current_value"] == pytest.approx(expected)


@pytest.mark.parametrize("kr_id", ["kr_conv0", "kr_conv_none"])
def test_ratio_with_zero_or_null_denominator_is_null(main: Scenario, kr_id: str) -> None:
    # conv0: 10 / 0 -> NULL; conv_none: denominator m_empty has no events -> NULL
    row = main.kr(AFTER, kr_id)
    assert row["current_value"] is None
    assert row["progress"] is None
    assert row["score"] is None
    assert row["status"] == "no_data"


# --------------------------------------------------------------------------------------------
# SPEC 6.1 / 6.2: windows and statistics


def test_period_to_date_window_mid_period(main: Scenario) -> None:
    row = main.kr(DAY5, "w_ptd")
    assert (row["window_start"], row["window_end"]) == (d("2026-03-01"), DAY5)
    assert row["current_value"] == pytest.approx(7.0)  # 3 (03-02) + 4 (03-05)
    assert row["elapsed"] == pytest.approx(0.5)  # 5 / 10 days
    assert row["expected_progress"] == pytest.approx(0.5)


def test_period_to_date_after_period_stops_at_last_day(main: Scenario) -> None:
    row = main.kr(AFTER, "w_ptd")
    assert (row["window_start"], row["window_end"]) == (d("2026-03-01"), LAST)
    assert row["current_value"] == pytest.approx(12.0)  # 3 + 4 + 5; not the 100 of 03-11
    assert row["elapsed"] == pytest.approx(1.0)  # clamped


@pytest.mark.parametrize("kr_id", ["w_ptd", "w_tr3", "w_da"])
def test_before_period_not_started_with_null_figures(main: Scenario, kr_id: str) -> None:
    # as of 02-25 the period has not begun: the window is empty whatever its kind, even
    # though a trailing_3d window would hold nothing and a Feb baseline exists
    row = main.kr(BEFORE, kr_id)
    assert row["status"] == "not_started"
    assert row["current_value"] is None
    assert row["progress"] is None
    assert row["score"] is None
    assert row["elapsed"] == pytest.approx(0.0)


def test_trailing_window_may_start_before_period(main: Scenario) -> None:
    row = main.kr(DAY2, "w_tr3")
    # trailing_3d ending 03-02: 02-28 .. 03-02 -> 14 (02-28) + 3 (03-02)
    assert (row["window_start"], row["window_end"]) == (d("2026-02-28"), DAY2)
    assert row["current_value"] == pytest.approx(17.0)


def test_trailing_window_end_clamped_to_period_last_day(main: Scenario) -> None:
    row = main.kr(AFTER, "w_tr3")
    # E = min(03-20, 03-10) = 03-10: 03-08 .. 03-10 -> 5 (03-09); 100 (03-11) is outside
    assert (row["window_start"], row["window_end"]) == (d("2026-03-08"), LAST)
    assert row["current_value"] == pytest.approx(5.0)


def test_daily_average_counts_days_without_events(main: Scenario) -> None:
    # period_to_date as of 03-05: (3 + 4) / 5 days
    assert main.kr(DAY5, "w_da_plain")["current_value"] == pytest.approx(1.4)
    # trailing_7d ending 03-10: 03-04 .. 03-10 -> (4 + 5) / 7 days
    assert main.kr(AFTER, "w_da7")["current_value"] == pytest.approx(9 / 7)


def test_daily_average_only_on_sum_and_count_metrics(tmp_path: Path) -> None:
    path = tmp_path / "okrs.yaml"
    document = {
        "metrics": [{"key": "m_avg", "aggregation": "avg"}],
        "objectives": [objective("o", [kr("k", "m_avg", 0, 1, statistic="daily_average")])],
    }
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(DefinitionsError, match="daily_average"):
        load_definitions(path)


def test_daily_average_of_a_count_metric(main: Scenario) -> None:
    # 3 events over the 10 days of P
    assert main.kr(AFTER, "w_dacount")["current_value"] == pytest.approx(0.3)


def test_baseline_from_period_and_change_pct_target(main: Scenario) -> None:
    row = main.kr(DAY5, "w_da")
    # baseline {period: 2026-02}, daily_average: (14 + 14) / 28 days = 1.0
    assert row["baseline"] == pytest.approx(1.0)
    # target {change_pct: 50}: 1.0 * 1.5
    assert row["target"] == pytest.approx(1.5)
    # current: (3 + 4) / 5 = 1.4; progress (1.4 - 1.0) / (1.5 - 1.0) = 0.8 = score
    assert row["current_value"] == pytest.approx(1.4)
    assert row["progress"] == pytest.approx(0.8)
    assert row["score"] == pytest.approx(0.8)
    assert row["direction"] == "increase"
    assert row["status"] == "on_track"  # expected 0.5 - 0.8 < 0.10


def test_change_pct_on_a_number_baseline(main: Scenario) -> None:
    row = main.kr(AFTER, "w_pct")
    assert row["target"] == pytest.approx(10.0)  # 8 * (1 + 25/100)
    assert row["progress"] == pytest.approx(2.0)  # (12 - 8) / (10 - 8), not clamped
    assert row["score"] == pytest.approx(1.0)  # clamped
    assert row["status"] == "achieved"  # after P, progress >= 1


def test_benchmark_target(main: Scenario) -> None:
    row = main.kr(AFTER, "w_bench")
    assert row["target"] == pytest.approx(50.0)  # bench_nps_hi
    # current NPS 100/7 = 14.2857; progress (14.2857 - 0) / 50
    assert row["progress"] == pytest.approx(100 / 7 / 50)
    assert row["score"] == pytest.approx(100 / 7 / 50)


# --------------------------------------------------------------------------------------------
# SPEC 6.3: score and progress (as of 03-20, current m_sum = 12)


@pytest.mark.parametrize(
    ("kr_id", "score", "progress"),
    [
        # anchors (0, 0) (10, .3) (20, .7) (40, 1): .3 + .4 * (12 - 10) / 10; 12 / 20
        ("lv_a", 0.38, 0.6),
        # (0, 0) (2, .3) (5, .7) (20, 1): .7 + .3 * (12 - 5) / 15; 12 / 5 (> 1, unclamped)
        ("lv_b", 0.84, 2.4),
        # (0, 0) (2, .3) (5, .7) (10, 1): beyond stretch -> clamped to 1; 12 / 5
        ("lv_c", 1.0, 2.4),
        # (20, 0) (30, .3) (40, .7) (50, 1): below baseline -> 0; (12 - 20) / (40 - 20)
        ("lv_d", 0.0, -0.4),
        # (0, 0) (12, .3) (20, .7) (30, 1): exactly commit -> .3; 12 / 20
        ("lv_e", 0.3, 0.6),
        # plain (0, 0) (8, 1): 1.5 clamped to 1; progress 12 / 8
        ("lv_plain", 1.0, 1.5),
        # plain (4, 0) (20, 1): (12 - 4) / 16
        ("lv_plain_mid", 0.5, 0.5),
    ],
)
def test_score_interpolation_and_progress(
    main: Scenario, kr_id: str, score: float, progress: float
) -> None:
    row = main.kr(AFTER, kr_id)
    assert row["current_value"] == pytest.approx(12.0)
    assert row["score"] == pytest.approx(score)
    assert row["progress"] == pytest.approx(progress)
    assert row["direction"] == "increase"


def test_levels_are_reported(main: Scenario) -> None:
    row = main.kr(AFTER, "lv_a")
    assert (row["baseline"], row["commit"], row["target"], row["stretch"]) == (0, 10, 20, 40)
    plain = main.kr(AFTER, "lv_plain")
    assert (plain["commit"], plain["stretch"]) == (None, None)


@pytest.mark.parametrize(
    ("kr_id", "score", "progress", "status"),
    [
        # avg(7, 5) = 6 hours. (10, 0) (4, 1): (6 - 10) / (4 - 10) = 2/3
        ("dec_plain", 2 / 3, 2 / 3, "missed"),
        # (10, 0) (8, .3) (4, .7) (2, 1): .3 + .4 * (8 - 6) / (8 - 4) = .5; progress 2/3
        ("dec_lv", 0.5, 2 / 3, "missed"),
        # (5, 0) (1, 1): 6 is worse than the baseline -> 0; (6 - 5) / (1 - 5) = -.25
        ("dec_worse", 0.0, -0.25, "missed"),
        # (12, 0) (10, .3) (7, .7) (5, 1): .7 + .3 * (7 - 6) / (7 - 5) = .85; (6-12)/(7-12)
        ("dec_stretch", 0.85, 1.2, "achieved"),
    ],
)
def test_decreasing_key_results(
    main: Scenario, kr_id: str, score: float, progress: float, status: str
) -> None:
    row = main.kr(AFTER, kr_id)
    assert row["direction"] == "decrease"
    assert row["current_value"] == pytest.approx(6.0)  # Feb's 3 is outside P
    assert row["score"] == pytest.approx(score)
    assert row["progress"] == pytest.approx(progress)
    assert row["status"] == status


# --------------------------------------------------------------------------------------------
# SPEC 6.4: statuses. m_stat = 70 from 03-02 on. As of 03-08: elapsed = expected = 8/10.


@pytest.mark.parametrize(
    ("kr_id", "progress", "status"),
    [
        # 70 / 100 = .7; .8 - .7 = .10 exactly (in decimal) <= .10 -> on_track
        ("st_on", 0.7, "on_track"),
        # (70 - 10) / 100 = .6; .8 - .6 = .20 -> at_risk
        ("st_risk", 0.6, "at_risk"),
        # (70 - 15) / 100 = .55; .8 - .55 = .25 exactly <= .25 -> at_risk
        ("st_risk_edge", 0.55, "at_risk"),
        # (70 - 20) / 100 = .5; .8 - .5 = .30 -> off_track
        ("st_off", 0.5, "off_track"),
        # 70 / 70 = 1; ahead of the line -> on_track (not yet achieved: P has not ended)
        ("st_ach", 1.0, "on_track"),
    ],
)
def test_status_within_period(main: Scenario, kr_id: str, progress: float, status: str) -> None:
    row = main.kr(DAY8, kr_id)
    assert row["expected_progress"] == pytest.approx(0.8)
    assert row["progress"] == pytest.approx(progress)
    assert row["status"] == status


def test_status_no_data(main: Scenario) -> None:
    row = main.kr(DAY8, "st_nodata")
    assert row["current_value"] is None
    assert row["status"] == "no_data"


def test_status_not_started(main: Scenario) -> None:
    # o_ns has period 2026-04; as of 03-08 it has not begun (trailing_30d would see m_sum)
    for kr_id in ("st_ns", "st_ns2"):
        row = main.kr(DAY8, kr_id)
        assert row["status"] == "not_started"
        assert row["current_value"] is None
        assert row["score"] is None


@pytest.mark.parametrize(
    ("kr_id", "status"),
    [
        ("st_ach", "achieved"),  # progress 70 / 70 = 1 >= 1
        ("st_on", "missed"),  # progress .7 < 1
        ("st_nodata", "no_data"),  # rule 2 before rule 3
    ],
)
def test_status_on_the_last_day(main: Scenario, kr_id: str, status: str) -> None:
    row = main.kr(LAST, kr_id)
    assert row["elapsed"] == pytest.approx(1.0)  # 10 / 10
    assert row["status"] == status


# --------------------------------------------------------------------------------------------
# SPEC 5 + 4: dimension filters (m_dim on 03-03, values are powers of two)


@pytest.mark.parametrize(
    ("kr_id", "expected"),
    [
        # {channel: web, country: no}: 1, 32 (extra key device is fine) and 128 (same set as
        # d1, keys in another order); not 2, 8, 64
        ("wh_both", 161.0),
        # {channel: web}: 1 + 2 + 8 + 32 + 128
        ("wh_web", 171.0),
        # {country: no}: 1 + 4 + 32 + 64 + 128
        ("wh_no", 229.0),
        # no filter: 1 + 2 + 4 + ... + 128
        ("wh_all", 255.0),
        # nothing matches
        ("wh_none", None),
    ],
)
def test_where_filter(main: Scenario, kr_id: str, expected: float | None) -> None:
    value = main.kr(AFTER, kr_id)["current_value"]
    assert value == (None if expected is None else pytest.approx(expected))


def test_metric_daily_grain_is_one_row_per_dimension_set(main: Scenario) -> None:
    # SPEC 7: metric x day x dimension set; d1 and d8 share a set written in two key orders
    rows = fetch(
        main.at(AFTER),
        "SELECT events, value_sum FROM metric_daily WHERE metric = 'm_dim' "
        "AND (dimensions ->> 'channel') = 'web' AND (dimensions ->> 'country') = 'no' "
        "AND (dimensions ->> 'device') IS NULL",
    )
    assert rows == [{"events": 2, "value_sum": 129.0}]  # 1 + 128
    duplicates = fetch(
        main.at(AFTER),
        "SELECT metric, day, dimensions::VARCHAR FROM metric_daily "
        "GROUP BY ALL HAVING count(*) > 1",
    )
    assert duplicates == []


# --------------------------------------------------------------------------------------------
# SPEC 1: corrections and retractions (m_corr: c1 03-02, c2 03-03, c3 03-04, c4 03-05)


def _corr_days(main: Scenario) -> dict[date, tuple[int, Any]]:
    rows = fetch(
        main.at(AFTER),
        "SELECT day, sum(events)::INT AS n, sum(value_sum) AS total FROM metric_daily "
        "WHERE metric = 'm_corr' GROUP BY day",
    )
    return {r["day"]: (r["n"], r["total"]) for r in rows if r["n"]}


def test_latest_superseding_event_by_seq_wins(main: Scenario) -> None:
    # c1 = 10, corrected to 15 (x1a) and then to 12 (x1b, higher seq)
    assert _corr_days(main)[d("2026-03-02")] == (1, pytest.approx(12.0))


def test_superseding_event_metric_day_and_dimensions_are_ignored(main: Scenario) -> None:
    # x1a names metric m_other and 03-09, x1b names 03-01 and dimensions: all ignored
    assert d("2026-03-09") not in _corr_days(main)
    assert d("2026-03-01") not in _corr_days(main)
    other = fetch(main.at(AFTER), "SELECT * FROM metric_daily WHERE metric = 'm_other'")
    assert other == []
    dims = fetch(
        main.at(AFTER),
        "SELECT DISTINCT dimensions::VARCHAR AS d FROM metric_daily "
        "WHERE metric = 'm_corr' AND events > 0",
    )
    assert [r["d"] for r in dims] in (["{}"], [None])


def test_retraction_removes_the_observation(main: Scenario) -> None:
    # c2 (03-03) retracted; the retraction's value 999 is ignored
    assert d("2026-03-03") not in _corr_days(main)


def test_correction_after_retraction_wins(main: Scenario) -> None:
    # c3 = 30 retracted (r3), then corrected to 33 (x3, higher seq): the last one wins
    assert _corr_days(main)[d("2026-03-04")] == (1, pytest.approx(33.0))


def test_correction_of_a_correction_has_no_effect(main: Scenario) -> None:
    # c4 = 40 corrected to 44 (x4); xx4 corrects x4 and rx4 retracts x4: both no effect
    assert _corr_days(main)[d("2026-03-05")] == (1, pytest.approx(44.0))


def test_corrections_flow_into_key_results(main: Scenario) -> None:
    # 12 + 33 + 44; c2 retracted; the orphan correction x_orphan has no effect
    assert main.kr(AFTER, "cor_sum")["current_value"] == pytest.approx(89.0)
    assert _corr_days(main) == {
        d("2026-03-02"): (1, pytest.approx(12.0)),
        d("2026-03-04"): (1, pytest.approx(33.0)),
        d("2026-03-05"): (1, pytest.approx(44.0)),
    }


# --------------------------------------------------------------------------------------------
# SPEC 6.5: objectives (as of 03-08, see the statuses above)


def test_objective_score_is_weighted_and_counts_missing_scores_as_zero(main: Scenario) -> None:
    row = main.objective(DAY8, "o_status")
    # st_on .7 (w 1), st_risk .6 (w 2), st_off .5 (w 1), st_nodata none -> 0 (w 1)
    # (.7 + 2 * .6 + .5 + 0) / (1 + 2 + 1 + 1) = 2.4 / 5
    assert row["score"] == pytest.approx(0.48)


@pytest.mark.parametrize(
    ("as_of", "obj_id", "status"),
    [
        (DAY8, "o_status", "off_track"),  # on_track, at_risk, off_track, no_data
        (DAY8, "o_nodata", "no_data"),  # on_track, no_data
        (DAY8, "o_risk", "at_risk"),  # at_risk, at_risk, no_data, on_track
        (DAY8, "o_ach", "on_track"),  # on_track
        (DAY8, "o_ns", "not_started"),  # every KR not_started
        (LAST, "o_risk", "missed"),  # missed, missed, no_data, achieved
        (LAST, "o_ach", "achieved"),  # achieved
        (LAST, "o_nodata", "missed"),  # missed, no_data
    ],
)
def test_objective_status_is_the_worst(
    main: Scenario, as_of: date, obj_id: str, status: str
) -> None:
    assert main.objective(as_of, obj_id)["status"] == status


def test_objective_score_of_not_started_objective(main: Scenario) -> None:
    # both KRs have no score, each counts 0: (0 + 0) / 2
    assert main.objective(DAY8, "o_ns")["score"] == pytest.approx(0.0)


def test_objective_score_with_one_missing_kr(main: Scenario) -> None:
    # st_on2 .7, st_nodata2 none: (.7 + 0) / 2
    assert main.objective(DAY8, "o_nodata")["score"] == pytest.approx(0.35)


@pytest.mark.parametrize(
    ("obj_id", "parent", "score", "rollup"),
    [
        # rgc: 50 / 100 = .5; no children
        ("ro_gc", "ro_c2", 0.5, 0.5),
        # rc2: 50 / 250 = .2 (w 1); rc2b: 50 / 25 = 2 -> 1 (w 3); child ro_gc r .5 (w 3)
        # score (.2 + 3) / 4 = .8; rollup (.2 + 3 + 3 * .5) / (1 + 3 + 3) = 4.7 / 7
        ("ro_c2", "ro_root", 0.8, 4.7 / 7),
        # rc1: 50 / 62.5 = .8
        ("ro_c1", "ro_root", 0.8, 0.8),
        # rr: 50 / 500 = .1 (w 1); ro_c1 r .8 (w 2); ro_c2 r 4.7/7 (w 1)
        # (.1 + 1.6 + 4.7/7) / (1 + 2 + 1)
        ("ro_root", None, 0.1, (0.1 + 1.6 + 4.7 / 7) / 4),
    ],
)
def test_rollup_score_through_two_levels(
    main: Scenario, obj_id: str, parent: str | None, score: float, rollup: float
) -> None:
    row = main.objective(DAY8, obj_id)
    assert row["parent_id"] == parent
    assert row["score"] == pytest.approx(score)
    assert row["rollup_score"] == pytest.approx(rollup)


def test_rollup_null_without_key_results_or_children(main: Scenario) -> None:
    row = main.objective(DAY8, "ro_empty")
    assert row["rollup_score"] is None
    assert (row["period_start"], row["period_end"]) == (d("2026-03-01"), LAST)


# --------------------------------------------------------------------------------------------
# SPEC 6.6: KPIs, as of 03-20 (a Friday)


def test_kpi_month(main: Scenario) -> None:
    # (start, end, value, target, met, attainment, change, partial)
    assert main.kpi(AFTER, "kpi_month") == approx_rows(
        [
            (d("2025-12-01"), d("2025-12-31"), 10.0, 50.0, False, 0.2, None, False),
            # 30 + 30; 60 / 50; 60 - 10
            (d("2026-01-01"), d("2026-01-31"), 60.0, 50.0, True, 1.2, 50.0, False),
            # no events: everything computed from the NULL value is NULL
            (d("2026-02-01"), d("2026-02-28"), None, 50.0, None, None, None, False),
            # 20 + 5 + 25 up to 03-20 (100 on 03-25 excluded); met at equality;
            # change NULL because February is NULL; partial: 03-20 is not 03-31
            (d("2026-03-01"), d("2026-03-31"), 50.0, 50.0, True, 1.0, None, True),
        ]
    )


def test_kpi_quarter(main: Scenario) -> None:
    assert main.kpi(AFTER, "kpi_quarter") == approx_rows(
        [
            (d("2025-10-01"), d("2025-12-31"), 10.0, 200.0, False, 0.05, None, False),
            # 60 + 50; 110 / 200; 110 - 10
            (d("2026-01-01"), d("2026-03-31"), 110.0, 200.0, False, 0.55, 100.0, True),
        ]
    )


def test_kpi_week_iso_monday_with_where(main: Scenario) -> None:
    # region eu only: first event Thu 03-05 -> weeks start Mon 03-02
    assert main.kpi(AFTER, "kpi_week") == approx_rows(
        [
            (d("2026-03-02"), d("2026-03-08"), 20.0, 20.0, True, 1.0, None, False),
            # 5 on Tue 03-10; 5 / 20; 5 - 20
            (d("2026-03-09"), d("2026-03-15"), 5.0, 20.0, False, 0.25, -15.0, False),
            # 25 on Wed 03-18; 25 / 20; 25 - 5; as of Fri 03-20 -> partial
            (d("2026-03-16"), d("2026-03-22"), 25.0, 20.0, True, 1.25, 20.0, True),
        ]
    )


def test_kpi_lower_is_better(main: Scenario) -> None:
    assert main.kpi(AFTER, "kpi_resp") == approx_rows(
        [
            # Feb: avg 3 <= 4 met; attainment target / value = 4 / 3
            (d("2026-02-01"), d("2026-02-28"), 3.0, 4.0, True, 4 / 3, None, False),
            # Mar: avg(7, 5) = 6 > 4; 4 / 6; 6 - 3
            (d("2026-03-01"), d("2026-03-31"), 6.0, 4.0, False, 4 / 6, 3.0, True),
        ]
    )


def test_kpi_benchmark_target(main: Scenario) -> None:
    assert main.kpi(AFTER, "kpi_resp_bench") == approx_rows(
        [
            (d("2026-02-01"), d("2026-02-28"), 3.0, 5.0, True, 5 / 3, None, False),
            (d("2026-03-01"), d("2026-03-31"), 6.0, 5.0, False, 5 / 6, 3.0, True),
        ]
    )


# --------------------------------------------------------------------------------------------
# SPEC 6.7: benchmarks, as of 03-20 (trailing_30d = 02-19 .. 03-20)


@pytest.mark.parametrize(
    ("benchmark_id", "expected"),
    [
        # (value, gap, relative_gap, favorable)
        # NPS 100/7 = 14.2857 vs 10: higher is better, gap 4.2857 >= 0
        ("bench_nps_lo", (100 / 7, 100 / 7 - 10, (100 / 7 - 10) / 10, True)),
        # vs 50: gap -35.714 < 0, relative -35.714 / 50
        ("bench_nps_hi", (100 / 7, 100 / 7 - 50, (100 / 7 - 50) / 50, False)),
        # avg(7, 5) = 6 hours (Feb 10 is outside) vs 5: lower is better, gap 1 > 0; 1 / 5
        ("bench_resp", (6.0, 1.0, 0.2, False)),
        # 6 vs 8: gap -2 <= 0; -2 / 8
        ("bench_resp_ok", (6.0, -2.0, -0.25, True)),
        # no events: all NULL
        ("bench_empty", (None, None, None, None)),
        # trailing_10d = 03-11 .. 03-20: 100 vs 0; relative gap divides by 0 -> NULL
        ("bench_zero", (100.0, 100.0, None, True)),
    ],
)
def test_benchmark_comparison(
    main: Scenario, benchmark_id: str, expected: tuple[Any, Any, Any, Any]
) -> None:
    row = main.benchmark(AFTER, benchmark_id)
    got = (row["value"], row["gap"], row["relative_gap"], row["favorable"])
    assert got == approx_rows([expected])[0]


def test_benchmark_window_and_value(main: Scenario) -> None:
    row = main.benchmark(AFTER, "bench_zero")
    assert (row["window_start"], row["window_end"]) == (d("2026-03-11"), AFTER)
    assert row["benchmark_value"] == 0.0
    row = main.benchmark(AFTER, "bench_empty")
    assert row["benchmark_value"] == 3.0
    assert (row["window_start"], row["window_end"]) == (d("2026-02-19"), AFTER)


# --------------------------------------------------------------------------------------------
# SPEC 7: kr_progress_daily


def test_kr_progress_daily_rows_up_to_as_of(main: Scenario) -> None:
    # w_ptd: m_sum period_to_date, 0 -> 20; (day, current, progress, score, expected, status)
    rows = [tuple(r.values()) for r in main.kr_daily(DAY5, "w_ptd")]
    assert rows == approx_rows(
        [
            (d("2026-03-01"), None, None, None, 0.1, "no_data"),
            (d("2026-03-02"), 3.0, 0.15, 0.15, 0.2, "on_track"),  # .2 - .15 = .05
            (d("2026-03-03"), 3.0, 0.15, 0.15, 0.3, "at_risk"),  # .15
            (d("2026-03-04"), 3.0, 0.15, 0.15, 0.4, "at_risk"),  # .25 exactly
            (d("2026-03-05"), 7.0, 0.35, 0.35, 0.5, "at_risk"),  # .15
        ]
    )


def test_kr_progress_daily_trailing_window_per_day(main: Scenario) -> None:
    values = [(r["day"], r["current_value"]) for r in main.kr_daily(DAY5, "w_tr3")]
    assert values == [
        (d("2026-03-01"), 14.0),  # 02-27 .. 03-01: the 14 of 02-28
        (d("2026-03-02"), 17.0),  # 02-28 .. 03-02: 14 + 3
        (d("2026-03-03"), 3.0),  # 03-01 .. 03-03
        (d("2026-03-04"), 3.0),  # 03-02 .. 03-04
        (d("2026-03-05"), 4.0),  # 03-03 .. 03-05: the 4 of 03-05
    ]


def test_kr_progress_daily_stops_at_period_end(main: Scenario) -> None:
    rows = main.kr_daily(AFTER, "w_ptd")
    assert [r["day"] for r in rows] == [d(f"2026-03-{n:02d}") for n in range(1, 11)]
    last = rows[-1]
    # 03-10: 12 / 20 = .6 < 1 on the last day -> missed
    assert (last["current_value"], last["progress"], last["status"]) == (
        12.0,
        pytest.approx(0.6),
        "missed",
    )
    assert last["expected_progress"] == pytest.approx(1.0)


def test_kr_progress_daily_none_before_period(main: Scenario) -> None:
    rows = fetch(main.at(BEFORE), "SELECT count(*) AS n FROM kr_progress_daily")
    assert rows == [{"n": 0}]


# --------------------------------------------------------------------------------------------
# days in a non-UTC time zone across the DST change (Europe/Oslo: CET -> CEST on Sunday
# 2026-03-29 at 01:00 UTC)

OSLO_EVENTS = [
    obs("i", "m_tz", 256, "2026-02-28T23:30:00Z"),  # 00:30 CET 03-01 -> 03-01 (a Sunday)
    obs("a", "m_tz", 1, "2026-03-27T22:59:00Z"),  # 23:59 CET -> 03-27
    obs("b", "m_tz", 2, "2026-03-27T23:00:00Z"),  # 00:00 CET -> 03-28
    obs("f", "m_tz", 32, "2026-03-28T12:00:00+09:00"),  # 03:00Z = 04:00 CET -> 03-28
    obs("c", "m_tz", 4, "2026-03-28T23:30:00Z"),  # last Saturday 23:30Z = 00:30 CET -> 03-29
    obs("dd", "m_tz", 8, "2026-03-29T21:30:00Z"),  # 23:30 CEST -> 03-29
    obs("e", "m_tz", 16, "2026-03-29T22:30:00Z"),  # 00:30 CEST -> Monday 03-30
    obs("g", "m_tz", 64, "2026-03-31T21:30:00Z"),  # 23:30 CEST -> 03-31
    obs("h", "m_tz", 128, "2026-03-31T22:30:00Z"),  # 00:30 CEST -> 04-01
]


@pytest.fixture(scope="module")
def oslo(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    document = {
        "timezone": "Europe/Oslo",
        "status_thresholds": {"at_risk": 0.6, "off_track": 0.7},
        "metrics": [{"key": "m_tz", "aggregation": "sum"}],
        "objectives": [
            objective(
                "o_tz",
                [
                    kr("tz_ptd", "m_tz", 0, 1000),
                    kr("tz_tr1", "m_tz", 0, 100, window="trailing_1d"),
                ],
                period="2026-03",
            )
        ],
        "kpis": [
            {"id": f"tz_{c}", "metric": "m_tz", "cadence": c, "target": 100}
            for c in ("day", "week", "month", "quarter")
        ],
    }
    return Scenario.build(tmp_path_factory.mktemp("oslo"), document, [OSLO_EVENTS])


OSLO_END = d("2026-03-31")


def test_oslo_local_days_across_dst(oslo: Scenario) -> None:
    rows = fetch(
        oslo.at(OSLO_END),
        "SELECT day, sum(value_sum) AS v FROM metric_daily GROUP BY day ORDER BY day",
    )
    assert [(r["day"], r["v"]) for r in rows] == [
        (d("2026-03-01"), 256.0),
        (d("2026-03-27"), 1.0),
        (d("2026-03-28"), 34.0),  # 2 + 32
        (d("2026-03-29"), 12.0),  # 4 + 8
        (d("2026-03-30"), 16.0),
        (d("2026-03-31"), 64.0),
        (d("2026-04-01"), 128.0),
    ]


def test_oslo_key_results_use_local_days(oslo: Scenario) -> None:
    # March to date (local): 256 + 1 + 34 + 12 + 16 + 64; 04-01's 128 is after the period
    assert oslo.kr(OSLO_END, "tz_ptd")["current_value"] == pytest.approx(383.0)
    assert oslo.kr(OSLO_END, "tz_ptd")["status"] == "missed"  # 383 / 1000 on the last day
    daily = {r["day"]: r["current_value"] for r in oslo.kr_daily(OSLO_END, "tz_tr1")}
    assert len(daily) == 31
    assert daily[d("2026-03-28")] == 34.0
    assert daily[d("2026-03-29")] == 12.0  # the 23-hour day
    assert daily[d("2026-03-30")] == 16.0
    assert daily[d("2026-03-02")] is None


def test_configured_status_thresholds(oslo: Scenario) -> None:
    # thresholds at_risk .6, off_track .7 (defaults .10 / .25 would make all of these off_track)
    # as of 03-29: 256 + 1 + 34 + 12 = 303 of 1000 -> progress .303; expected 29/31 = .93548;
    # behind by .63248: .6 < x <= .7 -> at_risk
    row = oslo.kr(d("2026-03-29"), "tz_ptd")
    assert row["progress"] == pytest.approx(0.303)
    assert row["expected_progress"] == pytest.approx(29 / 31)
    assert row["status"] == "at_risk"
    # trailing_1d on 03-29: 12 / 100 = .12; behind by .81548 > .7 -> off_track
    assert oslo.kr(d("2026-03-29"), "tz_tr1")["status"] == "off_track"
    # daily row of 03-26: 256 / 1000 = .256, expected 26/31 = .83871, behind .58271 -> on_track
    daily = {r["day"]: r for r in oslo.kr_daily(d("2026-03-29"), "tz_ptd")}
    assert daily[d("2026-03-26")]["status"] == "on_track"


def test_oslo_kpi_day(oslo: Scenario) -> None:
    rows = oslo.kpi(OSLO_END, "tz_day")
    assert len(rows) == 31  # 03-01 .. 03-31, one per local day
    by_day = {r[0]: r for r in rows}
    # (start, end, value, target, met, attainment, change, partial)
    assert (
        by_day[d("2026-03-27")]
        == approx_rows([(d("2026-03-27"), d("2026-03-27"), 1.0, 100.0, False, 0.01, None, False)])[
            0
        ]
    )  # change NULL: 03-26 has no value
    assert by_day[d("2026-03-28")][6] == pytest.approx(33.0)  # 34 - 1
    assert by_day[d("2026-03-29")][6] == pytest.approx(-22.0)  # 12 - 34
    assert by_day[d("2026-03-30")][6] == pytest.approx(4.0)  # 16 - 12
    # as of 03-31 = the day period's last day: not partial
    assert (
        by_day[OSLO_END]
        == approx_rows([(OSLO_END, OSLO_END, 64.0, 100.0, False, 0.64, 48.0, False)])[0]
    )
    assert by_day[d("2026-03-02")][2:] == (None, 100.0, None, None, None, False)


def test_oslo_kpi_week(oslo: Scenario) -> None:
    assert oslo.kpi(OSLO_END, "tz_week") == approx_rows(
        [
            # Sunday 03-01 belongs to the ISO week of Monday 02-23
            (d("2026-02-23"), d("2026-03-01"), 256.0, 100.0, True, 2.56, None, False),
            (d("2026-03-02"), d("2026-03-08"), None, 100.0, None, None, None, False),
            (d("2026-03-09"), d("2026-03-15"), None, 100.0, None, None, None, False),
            (d("2026-03-16"), d("2026-03-22"), None, 100.0, None, None, None, False),
            # 1 + 34 + 12; the 00:30 CEST Monday event (16) is in the next week
            (d("2026-03-23"), d("2026-03-29"), 47.0, 100.0, False, 0.47, None, False),
            # 16 + 64 up to 03-31 (128 on 04-01 excluded); 80 - 47; partial
            (d("2026-03-30"), d("2026-04-05"), 80.0, 100.0, False, 0.8, 33.0, True),
        ]
    )


def test_oslo_kpi_week_not_partial_on_its_sunday(oslo: Scenario) -> None:
    rows = oslo.kpi(d("2026-03-29"), "tz_week")
    assert (
        rows[-1]
        == approx_rows([(d("2026-03-23"), d("2026-03-29"), 47.0, 100.0, False, 0.47, None, False)])[
            0
        ]
    )


@pytest.mark.parametrize(
    ("kpi_id", "start"),
    [("tz_month", d("2026-03-01")), ("tz_quarter", d("2026-01-01"))],
)
def test_oslo_kpi_month_and_quarter_not_partial_on_last_day(
    oslo: Scenario, kpi_id: str, start: date
) -> None:
    # 256 + 1 + 34 + 12 + 16 + 64 = 383 (the 23:30Z Feb 28 event is local March 1st)
    assert oslo.kpi(OSLO_END, kpi_id) == approx_rows(
        [(start, OSLO_END, 383.0, 100.0, True, 3.83, None, False)]
    )


# --------------------------------------------------------------------------------------------
# incremental materialize = fresh database with the same events


INC_DOCUMENT = {
    "timezone": "UTC",
    "metrics": [
        {"key": "inc", "aggregation": "sum"},
        {"key": "inc_last", "aggregation": "last"},
    ],
    "benchmarks": [{"id": "b_inc", "metric": "inc", "value": 100}],
    "objectives": [
        objective(
            "o_inc",
            [
                kr("inc_kr", "inc", 0, 200),
                kr("inc_tr", "inc", 0, 50, window="trailing_3d", statistic="daily_average"),
            ],
        ),
        objective("o_inc_child", [kr("inc_last_kr", "inc_last", 0, 10)], parent="o_inc"),
    ],
    "kpis": [
        {"id": "inc_week", "metric": "inc", "cadence": "week", "target": 50},
        {"id": "inc_day", "metric": "inc_last", "cadence": "day", "target": 6},
    ],
}
INC_BATCH1 = [
    obs("i1", "inc", 10, "2026-03-02"),
    obs("i2", "inc", 20, "2026-03-03"),
    obs("i3", "inc", 30, "2026-03-04"),
    correction("xi9", "i9", 99),  # its target arrives in batch 2
    obs("l1", "inc_last", 5, "2026-03-02T10:00:00Z"),
]
INC_BATCH2 = [
    correction("xi1", "i1", 15),
    retraction("ri2", "i2"),
    obs("i9", "inc", 9, "2026-03-05"),
    obs("i4", "inc", 40, "2026-03-06"),
    obs("l2", "inc_last", 7, "2026-03-02T11:00:00Z"),
]
TABLES = [
    "metric_daily",
    "kr_progress",
    "kr_progress_daily",
    "objective_progress",
    "kpi_scorecard",
    "benchmark_comparison",
]


def _dump(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in TABLES:
        rows = fetch(settings, f"SELECT * FROM {table}")  # constant names
        cleaned = [
            tuple(
                (k, round(v, 9) if isinstance(v, float) else v)
                for k, v in sorted(r.items())
                if k != "known_at"
            )
            for r in rows
        ]
        out[table] = sorted(cleaned, key=repr)
    return out


def test_orphan_correction_waits_for_target_and_incremental_equals_fresh(
    tmp_path: Path,
) -> None:
    as_of = DAY8
    folder = tmp_path / "inc"
    folder.mkdir()
    definitions = folder / "okrs.yaml"
    definitions.write_text(yaml.safe_dump(INC_DOCUMENT, sort_keys=False))
    first = write_ndjson(folder / "b1.jsonl", INC_BATCH1)
    second = write_ndjson(folder / "b2.jsonl", INC_BATCH2)

    inc = Settings(db=folder / "inc.duckdb", definitions=definitions)
    assert ingest(inc, first, now=INGEST_NOW).exit_code == 0
    materialize(inc, now=MAT_NOW, as_of=as_of)
    # batch 1: 10 + 20 + 30; xi9's target i9 is not in the log: no effect yet
    assert fetch(inc, "SELECT current_value FROM kr_progress WHERE kr_id = 'inc_kr'") == [
        {"current_value": 60.0}
    ]
    assert ingest(inc, second, now=INGEST_NOW).exit_code == 0
    result = materialize(inc, now=MAT_NOW, as_of=as_of)
    assert result.mode == "incremental"
    # batch 2: i1 -> 15, i2 retracted, i9 arrives and takes xi9's 99, i4 = 40
    # 15 + 30 + 99 + 40 = 184
    assert fetch(inc, "SELECT current_value FROM kr_progress WHERE kr_id = 'inc_kr'") == [
        {"current_value": 184.0}
    ]
    # trailing_3d daily average as of 03-08: 03-06 .. 03-08 -> 40 / 3
    tr = fetch(inc, "SELECT current_value FROM kr_progress WHERE kr_id = 'inc_tr'")
    assert tr == [{"current_value": pytest.approx(40 / 3)}]
    # last on 03-02: l2 (11:00) is later than l1 (10:00)
    assert fetch(inc, "SELECT current_value FROM kr_progress WHERE kr_id = 'inc_last_kr'") == [
        {"current_value": 7.0}
    ]

    fresh = Settings(db=folder / "fresh.duckdb", definitions=definitions)
    assert ingest(fresh, first, second, now=INGEST_NOW).exit_code == 0
    materialize(fresh, now=MAT_NOW, as_of=as_of)
    assert _dump(inc) == _dump(fresh)
