"""``okrpipe snapshot --label TEXT``: keep kr_progress as it stands (the weekly review)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from okrpipe.errors import UsageError
from okrpipe.serving.publish import publish
from okrpipe.settings import Settings
from okrpipe.store.database import open_db, scalar_int


@dataclass
class Snapshot:
    """What a snapshot stored."""

    label: str
    taken_at: datetime
    as_of: date | None
    key_results: int
    known_at: datetime | None
    created: bool  # False: the label was taken and the stored snapshot is returned as it is

    def summary(self) -> str:
        return (
            f"snapshot {self.label!r}: {self.key_results} key results as of {self.as_of} "
            f"(known at {self.known_at}), taken at {self.taken_at.isoformat()}"
        )


def take_snapshot(
    settings: Settings, *, label: str, now: datetime, keep_existing: bool = False
) -> Snapshot:
    """Copy the current kr_progress rows into kr_snapshots under ``label``.

    A label names one snapshot and a review record never changes: reusing a label is
    refused, or with ``keep_existing`` (scheduled runs that may repeat) the existing
    snapshot is returned untouched. Materialize first: the snapshot holds what kr_progress
    holds.
    """
    if not label.strip():
        raise UsageError("snapshot: the label must not be empty, e.g. --label 2026-W10")
    with open_db(settings, write=True) as con:
        taken = scalar_int(con, "SELECT count(*) FROM kr_snapshots WHERE label = $l", {"l": label})
        if taken and keep_existing:
            return _existing(con, label, created=False)
        if taken:
            raise UsageError(
                f"snapshot: label {label!r} is taken; snapshots are records and never change, "
                "so pick a new label"
            )
        if not scalar_int(con, "SELECT count(*) FROM kr_progress"):
            raise UsageError("snapshot: kr_progress is empty; run `okrpipe materialize` first")
        con.execute(
            "INSERT INTO kr_snapshots SELECT $label, $now, * FROM kr_progress",
            {"label": label, "now": now},
        )
        publish(con, settings, now=now)  # BI tools see the new record now, not at the next run
        return _existing(con, label, created=True)


def _existing(con: duckdb.DuckDBPyConnection, label: str, *, created: bool) -> Snapshot:
    row = con.execute(
        "SELECT count(*), max(taken_at), max(as_of), max(known_at) FROM kr_snapshots "
        "WHERE label = $l",
        {"l": label},
    ).fetchone()
    assert row is not None
    return Snapshot(
        label=label,
        taken_at=row[1],
        as_of=row[2],
        key_results=int(row[0]),
        known_at=row[3],
        created=created,
    )
