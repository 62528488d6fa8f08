"""Flow parameters -> library arguments: settings, the clock, the as-of date, retries."""

from __future__ import annotations

from datetime import date, datetime

from okrpipe.clock import parse_date, parse_timestamp, utc_now
from okrpipe.settings import Settings, settings_with


def flow_settings(
    *,
    db: str | None = None,
    definitions: str | None = None,
    max_reject_fraction: float | None = None,
    lock_timeout: float | None = None,
) -> Settings:
    """Settings of a flow run: the parameters that are given override ``OKRPIPE_*``."""
    return settings_with(
        "flow parameter",
        db=db,
        definitions=definitions,
        max_reject_fraction=max_reject_fraction,
        lock_timeout=lock_timeout,
    )


def run_clock(now: str | None) -> datetime:
    """The flow run's "now": the parameter (RFC 3339 with offset) or the real clock.

    One value per flow run, so that every step of a run agrees on ``ingested_at`` and
    ``known_at``, as one CLI command does.
    """
    return parse_timestamp(now, "now") if now else utc_now()


def as_of_date(as_of: str | None) -> date | None:
    """The ``as_of`` parameter as a date (None: today in the definitions' time zone)."""
    return parse_date(as_of, "as_of") if as_of else None


def is_retryable(exc: BaseException | None) -> bool:
    """Whether trying a step again can help: only errors okrpipe marks ``retryable`` (a
    writer lock held by another process, a transient I/O fault). Rejected data, bad
    definitions and bugs are never retried."""
    return bool(getattr(exc, "retryable", False))


def iso_week_label(day: date) -> str:
    """The ISO week of ``day`` as a snapshot label, e.g. ``2026-W10``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
