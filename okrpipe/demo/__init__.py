"""``okrpipe demo``: example definitions and a quarter of example events.

The demo quarter is the quarter of "now" in the demo's time zone; the events run from the
month before it (the baseline period of one key result) through yesterday, so the key
results stand part-way through their period, in a mix of states.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from okrpipe.clock import today_in
from okrpipe.definitions import load_definitions
from okrpipe.demo.definitions import TIMEZONE, DemoCalendar, definitions_yaml
from okrpipe.demo.events import DemoEvents, write_events
from okrpipe.ingest.sources import expand
from okrpipe.settings import Settings

INBOX = "inbox"


@dataclass
class DemoSetup:
    """Where the demo's files are and what :func:`prepare_demo` wrote."""

    inbox: Path
    definitions: Path
    calendar: DemoCalendar
    wrote_definitions: bool
    events: DemoEvents | None  # None: the inbox already held files, kept as they are

    @property
    def as_of(self) -> date:
        """The demo's as-of date: yesterday, the last day with events."""
        return self.calendar.last_day

    def describe(self) -> list[str]:
        """What was written or kept, one line each."""
        lines = [
            f"{self.definitions}: "
            + (
                f"wrote example OKRs for {self.calendar.quarter.label}"
                if self.wrote_definitions
                else "kept the existing definitions"
            )
        ]
        if self.events is None:
            lines.append(f"{self.inbox}: kept the files already there")
        else:
            e = self.events
            lines.append(
                f"{self.inbox}: wrote {e.events:,} events in {len(e.files)} weekly files "
                f"({self.calendar.first_day} to {self.calendar.last_day}; NDJSON, CSV.gz, "
                f"Parquet), with {e.bad_rows} bad rows, {e.corrections} corrections, "
                f"{e.retractions} retraction and {e.resent} re-sent events"
            )
        return lines


def prepare_demo(folder: Path, *, settings: Settings, now: datetime) -> DemoSetup:
    """Write the demo's definitions (unless the file exists) and events (unless the inbox
    holds input files) under ``folder``."""
    calendar = DemoCalendar.around(today_in(now, ZoneInfo(TIMEZONE)))
    definitions = settings.definitions
    wrote = not definitions.exists()
    if wrote:
        definitions.parent.mkdir(parents=True, exist_ok=True)
        definitions.write_text(definitions_yaml(calendar))
    load_definitions(definitions)  # fail early, with the loader's message, on an edited file
    inbox = folder / INBOX
    events = None
    if not (inbox.is_dir() and expand([str(inbox)])):
        # written aside and renamed, so that an interrupted demo never leaves half an inbox
        partial = folder / f".{INBOX}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        events = write_events(partial, calendar)
        shutil.rmtree(inbox, ignore_errors=True)
        partial.rename(inbox)
        events.files = [inbox / path.name for path in events.files]
    return DemoSetup(inbox, definitions, calendar, wrote, events)
