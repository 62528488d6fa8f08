"""A realistic quarter of demo events, generated set-based with numpy and written by DuckDB.

Trends that put the key results in different states, weekly seasonality, a few bad rows
(quarantined), a day of bot traffic corrected a week later, a retracted test order and a few
re-sent events (duplicates). One file per ISO week, rotating NDJSON, CSV.gz and Parquet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from okrpipe.demo.definitions import TIMEZONE, DemoCalendar
from okrpipe.store.database import path_literal

Array = npt.NDArray[Any]
FORMATS = (".jsonl", ".csv.gz", ".parquet")
# Monday..Sunday demand; business metrics dip at the weekend
WEEKLY = np.array([1.08, 1.12, 1.1, 1.06, 0.98, 0.5, 0.46]) / 0.9
SUPPORT_WEEKLY = np.array([1.2, 1.2, 1.15, 1.15, 1.0, 0.3, 0.2]) / 0.8857
HOURLY = np.array(
    [
        *(0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.5, 1.6, 1.6, 1.5),  # 00-11 h
        *(1.4, 1.5, 1.5, 1.4, 1.3, 1.2, 1.1, 1.1, 1.0, 0.8, 0.5, 0.3),  # 12-23 h
    ]
)
CHANNELS = np.array(["web", "app", "partner"])
COLUMNS = ("event_id", "kind", "metric", "value", "occurred_at", "dimensions", "source")


@dataclass
class DemoEvents:
    """What :func:`write_events` wrote."""

    files: list[Path] = field(default_factory=list)
    events: int = 0
    bad_rows: int = 0
    corrections: int = 0
    retractions: int = 0
    resent: int = 0


class _Days:
    """The demo's days as numpy arrays: trend position, weekday, UTC start of the day."""

    def __init__(self, calendar: DemoCalendar) -> None:
        first, last = calendar.first_day, calendar.last_day
        self.dates = np.arange(
            np.datetime64(first, "D"), np.datetime64(last + timedelta(days=1), "D")
        )
        self.n = len(self.dates)
        offsets = (self.dates - np.datetime64(calendar.quarter.start)).astype(np.int64)
        # 0 at the quarter's start, 1 at its end; the baseline month sits at 0
        self.trend = np.clip(offsets / calendar.quarter.days, 0.0, 1.0)
        self.weekday = (self.dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        zone = ZoneInfo(TIMEZONE)
        # one UTC offset per day (not per event): midnight local time in UTC
        self.start_utc = np.array(
            [
                np.datetime64(
                    datetime.combine(d, time(), zone).astimezone(UTC).replace(tzinfo=None), "s"
                )
                for d in self.dates.astype(object)
            ]
        )
        self.label = np.char.replace(np.datetime_as_string(self.dates), "-", "")
        monday = self.dates - self.weekday.astype("timedelta64[D]")
        self.week = ((monday - monday[0]).astype(np.int64) // 7).astype(np.int64)
        self.monday = monday


def _timestamps(days: _Days, day: Array, seconds: Array) -> Array:
    stamps = days.start_utc[day] + seconds.astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(stamps, unit="s"), "Z")


def _frame(
    days: _Days,
    *,
    ids: Array,
    metric: str,
    value: Array,
    day: Array,
    seconds: Array,
    source: str,
    dimensions: Array | None = None,
) -> dict[str, Array]:
    n = len(ids)
    return {
        "event_id": ids,
        "kind": np.full(n, None, dtype=object),
        "metric": np.full(n, metric, dtype=object),
        "value": value.astype(np.float64),
        "occurred_at": _timestamps(days, day, seconds),
        "dimensions": dimensions if dimensions is not None else np.full(n, None, dtype=object),
        "source": np.full(n, source, dtype=object),
        "supersedes": np.full(n, None, dtype=object),
        "day": day,
        "week": days.week[day],
        "order": days.start_utc[day].astype(np.int64) + seconds,
    }


def _scattered(days: _Days, rng: np.random.Generator, per_day: Array) -> tuple[Array, Array]:
    """Poisson-many events per day at random times between 07:00 and 22:00 local."""
    counts = rng.poisson(per_day)
    day = np.repeat(np.arange(days.n), counts)
    return day, rng.integers(7 * 3600, 22 * 3600, size=day.size)


def _ids(prefix: str, days: _Days, day: Array) -> Array:
    running = np.arange(day.size).astype(str)
    return np.char.add(np.char.add(f"{prefix}-", days.label[day]), np.char.add("-", running))


def _dims(key: str, values: Array) -> Array:
    return np.char.add(np.char.add(f'{{"{key}": "', values.astype(str)), '"}')


def _visits(days: _Days, rng: np.random.Generator, bot_day: int) -> dict[str, Array]:
    daily = (
        np.stack([240 + 910 * days.trend, 150 + 300 * days.trend, 60 + 40 * days.trend])
        * WEEKLY[days.weekday]
    )
    mean = daily[:, :, None] * (HOURLY / HOURLY.sum())[None, None, :]
    true = rng.poisson(mean)
    counted = true.copy()
    counted[0, bot_day, :] = true[0, bot_day, :] * 3 + 40  # bot traffic, corrected later
    channel, day, hour = np.indices(true.shape).reshape(3, -1)
    ids = np.char.add(
        np.char.add(np.char.add("visits-", days.label[day]), np.char.add("-", hour.astype(str))),
        np.char.add("-", CHANNELS[channel]),
    )
    frame = _frame(
        days,
        ids=ids,
        metric="visits",
        value=counted.reshape(-1),
        day=day,
        seconds=hour * 3600 + 59 * 60,
        source="web-analytics",
        dimensions=_dims("channel", CHANNELS[channel]),
    )
    frame["true_value"] = true.reshape(-1).astype(np.float64)
    return frame


def _funnel(days: _Days, rng: np.random.Generator) -> list[dict[str, Array]]:
    trials_per_day = (36 + 24 * days.trend) * WEEKLY[days.weekday]
    day, seconds = _scattered(days, rng, trials_per_day)
    trials = _frame(
        days,
        ids=_ids("trial", days, day),
        metric="trials",
        value=np.ones(day.size),
        day=day,
        seconds=seconds,
        source="crm",
    )
    rate = 0.17 + 0.2 * days.trend
    day, seconds = _scattered(days, rng, trials_per_day * rate)
    conversions = _frame(
        days,
        ids=_ids("conversion", days, day),
        metric="conversions",
        value=np.ones(day.size),
        day=day,
        seconds=seconds,
        source="billing",
    )
    return [trials, conversions]


def _surveys(days: _Days, rng: np.random.Generator) -> list[dict[str, Array]]:
    day, seconds = _scattered(days, rng, 42 * WEEKLY[days.weekday])
    score = np.clip(np.rint(rng.normal(70 + 22 * days.trend[day], 12)), 0, 100)
    satisfaction = _frame(
        days,
        ids=_ids("csat", days, day),
        metric="satisfaction",
        value=score,
        day=day,
        seconds=seconds,
        source="survey",
    )
    day, seconds = _scattered(days, rng, np.full(days.n, 38.0))
    nps = (18 + 12 * days.trend[day]) / 100  # promoters - detractors, passives fixed at 30%
    promoter, detractor = (0.7 + nps) / 2, (0.7 - nps) / 2
    u = rng.random(day.size)
    answer = np.where(
        u < promoter,
        rng.integers(9, 11, day.size),
        np.where(u < 1 - detractor, rng.integers(7, 9, day.size), rng.integers(2, 7, day.size)),
    )
    answers = _frame(
        days,
        ids=_ids("nps", days, day),
        metric="nps",
        value=answer,
        day=day,
        seconds=seconds,
        source="survey",
    )
    return [satisfaction, answers]


def _tickets(days: _Days, rng: np.random.Generator) -> dict[str, Array]:
    day, seconds = _scattered(days, rng, 85 * SUPPORT_WEEKLY[days.weekday])
    support = rng.random(day.size) < 0.8
    mean = np.where(support, 11 - 6.5 * days.trend[day], 8.0)
    hours = np.maximum(np.round(mean * rng.lognormal(-0.125, 0.5, day.size), 1), 0.1)
    return _frame(
        days,
        ids=_ids("ticket", days, day),
        metric="first_response_hours",
        value=hours,
        day=day,
        seconds=seconds,
        source="helpdesk",
        dimensions=_dims("team", np.where(support, "support", "sales")),
    )


def _revenue(days: _Days, rng: np.random.Generator) -> dict[str, Array]:
    day, seconds = _scattered(days, rng, (45 + 20 * days.trend) * WEEKLY[days.weekday])
    plan = rng.choice(np.array(["starter", "pro", "enterprise"]), day.size, p=[0.6, 0.33, 0.07])
    price = np.select([plan == "starter", plan == "pro"], [40.0, 90.0], 300.0)
    return _frame(
        days,
        ids=_ids("order", days, day),
        metric="revenue",
        value=np.round(price * rng.uniform(0.9, 1.1, day.size), 2),
        day=day,
        seconds=seconds,
        source="billing",
        dimensions=_dims("plan", plan),
    )


def _later(frame: dict[str, Array], rows: Array, week: int) -> dict[str, Array]:
    """Rows of ``frame`` moved into ``week``'s file, after its other rows."""
    moved = {key: column[rows] for key, column in frame.items()}
    moved["week"] = np.full(rows.size, week)
    moved["order"] = np.full(rows.size, np.iinfo(np.int64).max)
    return moved


def _corrections(
    visits: dict[str, Array], revenue: dict[str, Array], bot_day: int
) -> list[dict[str, Array]]:
    """The bot-traffic day's web visits corrected, and the day's largest order (a test order)
    retracted, in the next week's file."""
    week = int(visits["week"][visits["day"] == bot_day][0]) + 1
    web = np.flatnonzero(
        (visits["day"] == bot_day) & (visits["dimensions"] == '{"channel": "web"}')
    )
    fixes = _later(visits, web, week)
    fixes["supersedes"] = fixes["event_id"].astype(object)
    fixes["event_id"] = np.char.add(fixes["event_id"].astype(str), "-fix")
    fixes["kind"] = np.full(web.size, "correction", dtype=object)
    fixes["value"] = visits["true_value"][web]
    orders = np.flatnonzero(revenue["day"] == bot_day)
    test_order = orders[np.argmax(revenue["value"][orders])] if orders.size else 0
    retraction = _later(revenue, np.array([test_order]), week)
    retraction["supersedes"] = retraction["event_id"].astype(object)
    retraction["event_id"] = np.char.add(retraction["event_id"].astype(str), "-retracted")
    retraction["kind"] = np.array(["retraction"], dtype=object)
    for frame in (fixes, retraction):
        for key in ("metric", "occurred_at", "dimensions"):
            frame[key] = np.full(frame["event_id"].size, None, dtype=object)
    retraction["value"] = np.array([np.nan])  # a retraction carries no value: NULL below
    return [fixes, retraction]


def _bad_rows(calendar: DemoCalendar, weeks: int) -> dict[str, Array]:
    """A few rows that validation quarantines, spread over the weeks."""
    day = calendar.quarter.start.isoformat()
    future = (calendar.today + timedelta(days=5)).isoformat()
    rows: list[tuple[Any, ...]] = [
        ("csat-naive-1", None, "satisfaction", 80.0, f"{day}T10:00:00", None),
        ("visits-total-1", None, "Visits Total", 900.0, f"{day}T23:59:00Z", None),
        (None, None, "trials", 1.0, f"{day}T11:00:00Z", None),
        ("order-future-1", None, "revenue", 90.0, f"{future}T12:00:00Z", '{"plan": "pro"}'),
        ("csat-nan-1", None, "satisfaction", float("nan"), f"{day}T12:00:00Z", None),
        ("fix-orphan-1", "correction", None, 5.0, None, None),
    ]
    n = len(rows)
    columns = list(zip(*rows, strict=True))
    week = (np.arange(n) * 5 + 1) % weeks
    week[4] = next((w for w in range(weeks) if FORMATS[w % 3] != ".jsonl"), 0)  # NaN: not JSON
    return {
        "event_id": np.array(columns[0], dtype=object),
        "kind": np.array(columns[1], dtype=object),
        "metric": np.array(columns[2], dtype=object),
        "value": np.array(columns[3], dtype=np.float64),
        "occurred_at": np.array(columns[4], dtype=object),
        "dimensions": np.array(columns[5], dtype=object),
        "source": np.full(n, "manual-upload", dtype=object),
        "supersedes": np.full(n, None, dtype=object),
        "week": week,
        "order": np.arange(n),
    }


def _table(frames: list[dict[str, Array]]) -> pa.Table:
    def column(key: str) -> Array:
        return np.concatenate([frame[key].astype(object) for frame in frames])

    values = np.concatenate([frame["value"] for frame in frames]).astype(np.float64)
    retraction = column("kind") == "retraction"
    return pa.table(
        {
            **{key: pa.array(column(key), type=pa.string()) for key in COLUMNS if key != "value"},
            "value": pa.array(values, mask=retraction),
            "supersedes": pa.array(column("supersedes"), type=pa.string()),
            "week": pa.array(np.concatenate([f["week"] for f in frames]).astype(np.int64)),
            "order": pa.array(np.concatenate([f["order"] for f in frames]).astype(np.int64)),
        }
    )


def write_events(inbox: Path, calendar: DemoCalendar, *, seed: int = 2026) -> DemoEvents:
    """Write the demo's events into ``inbox``: one file per ISO week, formats rotating."""
    rng = np.random.default_rng(seed)
    days = _Days(calendar)
    bot_day = days.n // 2
    visits = _visits(days, rng, bot_day)
    revenue = _revenue(days, rng)
    frames = [visits, *_funnel(days, rng), *_surveys(days, rng), _tickets(days, rng), revenue]
    weeks = int(days.week[-1]) + 1
    resend_week = max(int(days.week[bot_day]) - 1, 0)
    resent = np.flatnonzero(revenue["week"] == resend_week)[-12:]
    extra = [*_corrections(visits, revenue, bot_day), _later(revenue, resent, resend_week + 1)]
    bad = _bad_rows(calendar, weeks)
    table = _table([*frames, *extra, bad])
    written = DemoEvents(
        events=sum(len(f["event_id"]) for f in frames),
        bad_rows=len(bad["event_id"]) + 1,  # + the malformed line below
        corrections=len(extra[0]["event_id"]),
        retractions=1,
        resent=len(resent),
    )
    inbox.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.register("demo", table)
        for week in range(weeks):
            monday = days.monday[days.week == week][0].astype(object)
            year, number, _ = monday.isocalendar()
            suffix = FORMATS[week % len(FORMATS)]
            path = inbox / f"{year}-W{number:02d}{suffix}"
            dimensions = "dimensions::JSON AS dimensions" if suffix == ".jsonl" else "dimensions"
            options = {
                ".jsonl": "FORMAT JSON",
                ".csv.gz": "FORMAT CSV, HEADER, COMPRESSION GZIP",
                ".parquet": "FORMAT PARQUET",
            }[suffix]
            con.execute(
                f"COPY (SELECT event_id, kind, metric, value, occurred_at, {dimensions}, source, "
                f'supersedes FROM demo WHERE week = {week} ORDER BY "order", event_id) '
                f"TO {path_literal(path)} ({options})"
            )
            written.files.append(path)
    finally:
        con.close()
    with written.files[0].open("a") as handle:  # a line cut short in transfer
        handle.write('{"event_id": "visits-cut-1", "metric": "visits", "value": 12,\n')
    return written
