"""``okrpipe materialize`` and ``okrpipe rebuild``: bring the projections up to date.

Incremental by default: the metric_daily groups touched by events since the last run are
recomputed, then the key results, KPIs and benchmarks that read the touched metrics, then
every objective. A new as-of date recomputes every subject (cheap: they read metric_daily);
new definitions rebuild everything. The result equals a rebuild (tested property).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import duckdb

from okrpipe.clock import today_in
from okrpipe.definitions import Definitions, load_definitions
from okrpipe.projections import engine
from okrpipe.serving.publish import publish
from okrpipe.settings import Settings
from okrpipe.store.database import open_db, scalar_int

Mode = Literal["rebuild", "incremental", "unchanged"]


@dataclass
class MaterializeResult:
    """What a materialize run did."""

    as_of: date
    known_at: datetime
    mode: Mode
    last_seq: int
    new_events: int = 0
    groups_recomputed: int = 0
    subjects_recomputed: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    published: Path | None = None

    def summary(self) -> str:
        """One line for humans."""
        if self.mode == "unchanged":
            what = "nothing new"
        elif self.mode == "rebuild":
            what = f"rebuilt every projection ({self.reason})"
        else:
            what = (
                f"{self.new_events:,} new events: {self.groups_recomputed:,} metric_daily "
                f"groups and {self.subjects_recomputed} key results/KPIs/benchmarks recomputed"
            )
        return (
            f"materialized as of {self.as_of} (log up to seq {self.last_seq}): {what}, "
            f"{self.seconds:.2f} s"
        )


def projection_state(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What the last materialize recorded (``as_of``, ``known_at``, ...); empty before one."""
    return dict(con.execute("SELECT key, value FROM projection_state").fetchall())


def materialized_as_of(settings: Settings) -> date | None:
    """The as-of date of the stored projections (None when nothing is materialized), so that
    a command explains the figures the tables show rather than today's."""
    if not settings.db.exists():
        return None
    with open_db(settings, write=False) as con:
        as_of = projection_state(con).get("as_of")
    return date.fromisoformat(as_of) if as_of else None


def _save_state(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    for key, value in values.items():
        con.execute(
            "INSERT OR REPLACE INTO projection_state VALUES ($k, $v)", {"k": key, "v": value}
        )


def materialize(
    settings: Settings,
    *,
    now: datetime,
    as_of: date | None = None,
    rebuild: bool = False,
    definitions: Definitions | None = None,
) -> MaterializeResult:
    """Bring every projection up to date as of ``as_of`` (default: today in the definitions'
    time zone at ``now``); ``rebuild`` recomputes everything from the log."""
    clock = time.perf_counter()
    defs = definitions or load_definitions(settings.definitions)
    day = as_of or today_in(now, defs.tz)
    timings = engine.Timings()
    with open_db(settings, write=True) as con:
        engine.prepare(con, defs)
        state = projection_state(con)
        last_seq = scalar_int(con, "SELECT coalesce(max(seq), 0) FROM events")
        done_seq = int(state.get("last_seq", "-1"))
        reason = (
            "asked"
            if rebuild
            else "first run"
            if not state
            else "definitions changed"
            if state.get("fingerprint") != defs.fingerprint
            else ""
        )
        result = MaterializeResult(
            as_of=day, known_at=now, mode="incremental", last_seq=last_seq, reason=reason
        )
        con.execute("BEGIN TRANSACTION")
        try:
            if reason:
                result.mode = "rebuild"
                engine.rebuild_metric_daily(con, defs, None, timings)
                engine.all_subjects(con)
            else:
                result.new_events = scalar_int(
                    con, "SELECT count(*) FROM events WHERE seq > $s", {"s": done_seq}
                )
                touched, result.groups_recomputed = engine.update_metric_daily(
                    con, defs, done_seq, timings
                )
                if state.get("as_of") != day.isoformat():
                    engine.all_subjects(con)
                else:
                    engine.subjects_reading(con, touched)
            result.subjects_recomputed = scalar_int(con, "SELECT count(*) FROM subjects_due")
            if (
                result.mode == "incremental"
                and not result.subjects_recomputed
                and not result.groups_recomputed
            ):
                result.mode = "unchanged"
            engine.compute_subjects(con, day, now, timings)
            engine.stamp_known_at(con, now)
            _save_state(
                con,
                {
                    "last_seq": str(last_seq),
                    "as_of": day.isoformat(),
                    "fingerprint": defs.fingerprint,
                    "timezone": defs.timezone,
                    "known_at": now.isoformat(),
                },
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        result.published = publish(con, settings, now=now).path
    result.timings = timings.steps
    result.seconds = time.perf_counter() - clock
    return result
