"""What a database holds: paths, counts, the last ingest and versions (``okrpipe info``)."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

import duckdb

from okrpipe import __version__
from okrpipe.settings import Settings, companion_paths
from okrpipe.store.database import open_db


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Versions of okrpipe and the packages whose behaviour it depends on."""
    return {
        "okrpipe": __version__,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "great_expectations": _version("great-expectations"),
        "prefect": _version("prefect"),
        "pyarrow": _version("pyarrow"),
    }


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    events, quarantined = con.execute(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM rejected_events)"
    ).fetchone() or (0, 0)
    by_status = dict(
        con.execute(
            "SELECT status, count(*) FROM batches GROUP BY status ORDER BY status"
        ).fetchall()
    )
    last = con.execute(
        """
        SELECT batch_id, source_uri, status, ingested_at, finished_at
        FROM batches ORDER BY batch_id DESC LIMIT 1
        """
    ).fetchone()
    schema = con.execute("SELECT value FROM okrpipe_meta WHERE key = 'schema_version'").fetchone()
    # SPEC 1: superseding events without effect, listed as a diagnostic
    unresolved = con.execute(
        """
        SELECT CASE WHEN t.event_id IS NULL THEN 'target_not_in_log'
                    ELSE 'target_not_an_observation' END AS problem,
               count(*), list(s.event_id ORDER BY s.seq)[1:5]
        FROM events s
        LEFT JOIN events t ON t.event_id = s.supersedes
        WHERE s.kind <> 'observation' AND (t.event_id IS NULL OR t.kind <> 'observation')
        GROUP BY ALL ORDER BY 1
        """
    ).fetchall()
    return {
        "events": int(events),
        "batches": int(sum(by_status.values())),
        "batches_by_status": {k: int(v) for k, v in by_status.items()},
        "quarantined_rows": int(quarantined),
        "last_ingest": None
        if last is None
        else {
            "batch_id": last[0],
            "source_uri": last[1],
            "status": last[2],
            "ingested_at": last[3],
            "finished_at": last[4],
        },
        "schema_version": int(schema[0]) if schema else None,
        "superseding_without_effect": {
            problem: {"events": int(n), "first": list(ids)} for problem, n, ids in unresolved
        },
    }


def describe(settings: Settings) -> dict[str, Any]:
    """Everything ``okrpipe info`` reports."""
    paths = companion_paths(settings.db)
    document: dict[str, Any] = {
        "database": str(settings.db.resolve()),
        "serving_db": str(paths["serving"].resolve()),
        "definitions": str(settings.definitions.resolve()),
        "exists": settings.db.exists(),
    }
    if settings.db.exists():
        with open_db(settings, write=False) as con:
            document.update(_counts(con))
    else:
        document.update(
            {
                "events": 0,
                "batches": 0,
                "batches_by_status": {},
                "quarantined_rows": 0,
                "last_ingest": None,
                "schema_version": None,
            }
        )
    document["versions"] = versions()
    return document
