"""Periods and windows of ``okrs.yaml`` (SPEC 4 and 6.1).

A period is a closed range of calendar days: ``2026-Q1``, ``2026-H2``, ``2026``, ``2026-03``
or ``{start: 2026-01-05, end: 2026-03-29}`` (both ends inclusive). A window says which days of
(or before) a period a key result's current value covers: ``period_to_date`` or
``trailing_<N>d`` with 1 <= N <= 366.

Parse errors are :class:`SpecError` (a ``ValueError``) with a message that says what is wrong
and what would be right, without the location, which the caller adds.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

PERIOD_FORMS = "YYYY-Qn, YYYY-Hn, YYYY, YYYY-MM or {start: YYYY-MM-DD, end: YYYY-MM-DD}"
WINDOW_FORMS = "period_to_date or trailing_<N>d with 1 <= N <= 366 (e.g. trailing_7d)"
MAX_TRAILING_DAYS = 366

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-[Qq](\d+)")
_HALF = re.compile(r"(\d{4})-[Hh](\d+)")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRAILING = re.compile(r"trailing_(\d+)d")


class SpecError(ValueError):
    """A period or window spec that cannot be parsed."""


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days; ``label`` is its canonical spelling."""

    label: str
    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period has (both ends included)."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """Whether ``day`` is one of the period's days."""
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Window:
    """Which days a value covers: ``period_to_date``, or the trailing ``days`` days."""

    kind: Literal["period_to_date", "trailing"]
    days: int | None = None

    @property
    def label(self) -> str:
        """The YAML spelling: ``period_to_date`` or ``trailing_<N>d``."""
        return "period_to_date" if self.kind == "period_to_date" else f"trailing_{self.days}d"

    def span(self, as_of: date, period: Period | None = None) -> tuple[date, date] | None:
        """The first and last day of the window at ``as_of`` (SPEC 6.1); None when empty.

        ``period_to_date`` runs from the period's first day to min(as_of, last day) and is
        empty before the period. ``trailing_<N>d`` is the N days ending at min(as_of, the
        period's last day), or at ``as_of`` when there is no period (benchmarks).
        """
        if self.kind == "period_to_date":
            if period is None:
                raise ValueError("a period_to_date window needs a period")
            if as_of < period.start:
                return None
            return period.start, min(as_of, period.end)
        assert self.days is not None  # guaranteed by parse_window and __post_init__
        end = as_of if period is None else min(as_of, period.end)
        return end - timedelta(days=self.days - 1), end

    def __post_init__(self) -> None:
        if self.kind == "trailing" and not (
            self.days is not None and 1 <= self.days <= MAX_TRAILING_DAYS
        ):
            raise SpecError(f"trailing windows have 1 to {MAX_TRAILING_DAYS} days")
        if self.kind == "period_to_date" and self.days is not None:
            raise SpecError("a period_to_date window has no day count")

    def __str__(self) -> str:
        return self.label


def parse_window(spec: object) -> Window:
    """Parse ``period_to_date`` or ``trailing_<N>d`` (1 <= N <= 366)."""
    if isinstance(spec, Window):
        return spec
    if not isinstance(spec, str):
        raise SpecError(f"expected {WINDOW_FORMS}, got {spec!r}")
    if spec == "period_to_date":
        return Window("period_to_date")
    match = _TRAILING.fullmatch(spec)
    if match is None:
        raise SpecError(f"{spec!r} is not a window; use {WINDOW_FORMS}")
    text = match.group(1)
    days = int(text)
    if text.startswith("0") or not 1 <= days <= MAX_TRAILING_DAYS:
        raise SpecError(
            f"{spec!r}: the day count must be a whole number from 1 to {MAX_TRAILING_DAYS} "
            "without leading zeros, e.g. trailing_7d"
        )
    return Window("trailing", days)


def parse_period(spec: object) -> Period:
    """Parse a period spec (see :data:`PERIOD_FORMS`).

    A bare year may arrive as an int (YAML reads ``2026`` as a number); the dates of an
    explicit range may be ``datetime.date`` objects or ``YYYY-MM-DD`` strings.
    """
    if isinstance(spec, Period):
        return spec
    if isinstance(spec, Mapping):
        return _explicit(spec)
    if isinstance(spec, int) and not isinstance(spec, bool):
        spec = str(spec)
    if isinstance(spec, date):
        raise SpecError(
            f"a single date is not a period; write {{start: {spec.isoformat()}, end: ...}}"
        )
    if not isinstance(spec, str):
        raise SpecError(f"expected {PERIOD_FORMS}, got {spec!r}")
    return _named(spec)


def _named(spec: str) -> Period:
    text = spec.strip()
    if match := _YEAR.fullmatch(text):
        year = _year(match.group(1))
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    if match := _QUARTER.fullmatch(text):
        year, quarter = _year(match.group(1)), int(match.group(2))
        if not 1 <= quarter <= 4:
            raise SpecError(f"{spec!r}: quarters are Q1 to Q4")
        first = 3 * quarter - 2
        return Period(f"{year}-Q{quarter}", date(year, first, 1), _month_end(year, first + 2))
    if match := _HALF.fullmatch(text):
        year, half = _year(match.group(1)), int(match.group(2))
        if not 1 <= half <= 2:
            raise SpecError(f"{spec!r}: halves are H1 and H2")
        first = 6 * half - 5
        return Period(f"{year}-H{half}", date(year, first, 1), _month_end(year, first + 5))
    if match := _MONTH.fullmatch(text):
        year, month = _year(match.group(1)), int(match.group(2))
        if len(match.group(2)) != 2 or not 1 <= month <= 12:
            raise SpecError(f"{spec!r}: months are 01 to 12 (two digits, e.g. {year}-03)")
        return Period(f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month))
    if _DATE.fullmatch(text):
        raise SpecError(f"a single date is not a period; write {{start: {text}, end: ...}}")
    raise SpecError(f"{spec!r} is not a period; use {PERIOD_FORMS}")


def _explicit(spec: Mapping[object, object]) -> Period:
    unknown = sorted(str(key) for key in spec if key not in ("start", "end"))
    if unknown:
        raise SpecError(
            f"unknown key {unknown[0]!r} in an explicit period; use {{start: DATE, end: DATE}}"
        )
    missing = [key for key in ("start", "end") if key not in spec]
    if missing:
        raise SpecError(f"an explicit period needs both start and end; {missing[0]} is missing")
    start = _date(spec["start"], "start")
    end = _date(spec["end"], "end")
    if start > end:
        raise SpecError(f"start {start.isoformat()} is after end {end.isoformat()}")
    return Period(f"{start.isoformat()}/{end.isoformat()}", start, end)


def _date(value: object, what: str) -> date:
    if isinstance(value, datetime):
        raise SpecError(f"{what} must be a date (YYYY-MM-DD), not a timestamp")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise SpecError(f"{what} {value!r} is not a real date ({exc})") from None
    raise SpecError(f"{what} must be a date YYYY-MM-DD, got {value!r}")


def _year(text: str) -> int:
    year = int(text)
    if year < 1:
        raise SpecError(f"year {text} is out of range")
    return year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
