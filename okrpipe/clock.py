"""Parsing of the command's clock (``--now``), timestamps and as-of dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okrpipe.errors import UsageError

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def parse_timestamp(text: str, what: str = "--now") -> datetime:
    """Parse an RFC 3339 timestamp that carries an offset; return it in UTC."""
    if not _RFC3339.fullmatch(text.strip()):
        raise UsageError(
            f"{what}: {text!r} is not an RFC 3339 timestamp with an offset, "
            "e.g. 2026-03-31T18:00:00+02:00 or 2026-03-31T16:00:00Z"
        )
    value = text.strip().replace("z", "Z").replace("t", "T")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"{what}: {text!r} is not a valid timestamp ({exc})") from None
    return parsed.astimezone(UTC)


def parse_date(text: str, what: str = "--as-of") -> date:
    """Parse a calendar date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a date, e.g. 2026-03-31") from None


def zone(name: str) -> tzinfo:
    """An IANA time zone by name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Oslo"
        ) from None


def utc_now() -> datetime:
    """The real clock, in UTC, with microseconds (DuckDB's precision)."""
    return datetime.now(UTC)


def today_in(now: datetime, tz: tzinfo) -> date:
    """The calendar date of ``now`` in time zone ``tz``."""
    return now.astimezone(tz).date()
