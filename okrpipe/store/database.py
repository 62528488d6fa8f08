"""Opening the pipeline database: the writer lock, connection settings and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from okrpipe.errors import DatabaseError, TransientIOError
from okrpipe.settings import Settings, companion_paths
from okrpipe.store.lock import file_lock

SCHEMA_VERSION_KEY = "schema_version"


def path_literal(path: Path) -> str:
    """``path`` as an escaped SQL string literal, for the statements that take no bound
    parameters (ATTACH, COPY ... TO)."""
    return "'" + str(path).replace("'", "''") + "'"


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("okrpipe.store").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text()))
    return sorted(found)


def _configure(con: duckdb.DuckDBPyConnection, settings: Settings, *, write: bool) -> None:
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = true")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET memory_limit = $limit", {"limit": settings.memory_limit})
    if settings.threads:
        con.execute("SET threads = $threads", {"threads": settings.threads})
    if write:
        tmp = companion_paths(settings.db)["tmp"]
        con.execute("SET temp_directory = $tmp", {"tmp": str(tmp)})


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to date; return the schema version."""
    con.execute("CREATE TABLE IF NOT EXISTS okrpipe_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    row = con.execute(
        "SELECT value FROM okrpipe_meta WHERE key = $k", {"k": SCHEMA_VERSION_KEY}
    ).fetchone()
    current = int(row[0]) if row else 0
    for number, _name, sql in _migrations():
        if number <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        con.execute(sql)
        con.execute(
            "INSERT OR REPLACE INTO okrpipe_meta VALUES ($k, $v)",
            {"k": SCHEMA_VERSION_KEY, "v": str(number)},
        )
        con.execute("COMMIT")
        current = number
    return current


def scalar_int(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> int:
    """The first column of the first row of a query, as an int (0 when NULL or no row)."""
    row = con.execute(query, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


READER_CATALOG = "okr"


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A writer opens the file itself. A reader gets an in-memory database with the file
    attached read-only as its default catalog, so that it can still attach scratch
    databases and create temporary tables."""
    try:
        if not read_only:
            return duckdb.connect(str(path))
        con = duckdb.connect()
        try:
            con.execute(f"ATTACH {path_literal(path)} AS {READER_CATALOG} (READ_ONLY)")
            con.execute(f"USE {READER_CATALOG}")
        except BaseException:
            con.close()
            raise
        return con
    except duckdb.IOException as exc:
        text = str(exc).splitlines()[0]
        if "lock" in text.lower():
            raise TransientIOError(
                f"{path}: another program has the file open ({text}); BI tools should open "
                "the serving database instead"
            ) from None
        raise DatabaseError(f"{path}: cannot open the database ({text})") from None
    except duckdb.Error as exc:
        raise DatabaseError(f"{path}: cannot open the database ({exc})") from None


@contextmanager
def open_db(settings: Settings, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the pipeline database under the single-writer lock.

    ``write=True`` takes the writer lock (waiting at most ``settings.lock_timeout`` seconds),
    creates the file if needed and migrates it. ``write=False`` shares the lock with other
    readers and opens the file read-only; it fails if there is no database yet.
    """
    path = settings.db
    if not write and not path.exists():
        raise DatabaseError(
            f"{path}: no database yet; run `okrpipe ingest FILE` or `okrpipe demo` first"
        )
    lock = companion_paths(path)["lock"]
    with file_lock(lock, exclusive=write, timeout=settings.lock_timeout):
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = _connect(path, read_only=not write)
        try:
            _configure(con, settings, write=write)
            if write:
                migrate(con)
            yield con
        finally:
            con.close()
