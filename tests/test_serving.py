"""BI tools read the serving database while the pipeline writes (SPEC 10)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from okrpipe.history.snapshots import take_snapshot
from okrpipe.projections.materialize import materialize
from okrpipe.serving.publish import TABLES
from okrpipe.settings import Settings, companion_paths
from tests.helpers import event, ingest, write_ndjson

DEFINITIONS = """
metrics:
  - {key: visits, aggregation: sum}
  - {key: signups, aggregation: count}
objectives:
  - id: growth
    title: Growth
    period: 2026-03
    key_results:
      - {id: visits_kr, title: Visits, metric: visits, baseline: 0, target: 1000, weight: 2}
      - {id: signups_kr, title: Signups, metric: signups, baseline: 0, target: 40}
kpis:
  - {id: visits_weekly, metric: visits, cadence: week, target: 100}
"""

# A BI user: keeps reading and checks that every answer is internally consistent, i.e. an
# objective's score agrees with its key results' rows of the same file.
READER = r"""
import json, sys, time, duckdb
path, seconds, mode = sys.argv[1], float(sys.argv[2]), sys.argv[3]
stats = {"reads": 0, "errors": [], "inconsistent": 0, "publications": set()}
CHECK = '''
SELECT o.objective_id, o.score,
       (SELECT sum(k.weight * coalesce(k.score, 0)) / sum(k.weight)
        FROM kr_progress k WHERE k.objective_id = o.objective_id) AS expected,
       (SELECT last_seq FROM publication) AS published
FROM objective_progress o
'''
con = duckdb.connect(path, read_only=True) if mode == "hold" else None
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        c = con or duckdb.connect(path, read_only=True)
        for objective, score, expected, published in c.execute(CHECK).fetchall():
            stats["publications"].add(str(published))
            if (score is None) != (expected is None) or (
                    score is not None and abs(score - expected) > 1e-9):
                stats["inconsistent"] += 1
        c.execute("SELECT count(*) FROM okr_status").fetchall()
        stats["reads"] += 1
        if con is None:
            c.close()
    except Exception as exc:
        stats["errors"].append(f"{type(exc).__name__}: {exc}"[:200])
    time.sleep(0.01)
stats["publications"] = len(stats["publications"])
print(json.dumps(stats))
"""


def test_readers_never_fail_and_always_see_one_consistent_state(tmp_path: Path) -> None:
    (tmp_path / "okrs.yaml").write_text(DEFINITIONS)
    settings = Settings(db=tmp_path / "okr.duckdb", definitions=tmp_path / "okrs.yaml")
    now = datetime(2026, 3, 20, tzinfo=UTC)
    ingest(settings, write_ndjson(tmp_path / "b0.jsonl", [event("seed", value=5)]), now=now)
    materialize(settings, now=now, as_of=date(2026, 3, 20))
    serving = companion_paths(settings.db)["serving"]
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(serving), "16", mode],
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("hold", "reconnect")
    ]
    rounds = 0
    deadline = datetime.now(UTC) + timedelta(seconds=11)
    while datetime.now(UTC) < deadline:
        rounds += 1
        rows = [
            event(
                f"r{rounds}-{i}",
                metric="visits" if i % 2 else "signups",
                value=10 * i,
                occurred_at=f"2026-03-{1 + i % 19:02d}T10:00:00Z",
            )
            for i in range(40)
        ]
        ingest(settings, write_ndjson(tmp_path / f"b{rounds}.jsonl", rows), now=now)
        materialize(settings, now=now, as_of=date(2026, 3, 1 + rounds % 20))
    results = [json.loads(reader.communicate(timeout=60)[0]) for reader in readers]
    holding, reconnecting = results
    assert rounds >= 3
    for stats in results:
        assert stats["errors"] == []
        assert stats["inconsistent"] == 0
        assert stats["reads"] > 10
    assert holding["publications"] == 1  # an open connection keeps the file it opened
    assert reconnecting["publications"] >= 2  # reconnecting sees new publications


def test_superset_style_sqlalchemy_read_only(tmp_path: Path) -> None:
    (tmp_path / "okrs.yaml").write_text(DEFINITIONS)
    settings = Settings(db=tmp_path / "okr.duckdb", definitions=tmp_path / "okrs.yaml")
    now = datetime(2026, 3, 20, tzinfo=UTC)
    ingest(
        settings,
        write_ndjson(
            tmp_path / "e.jsonl", [event("a", value=300), event("b", metric="signups", value=1)]
        ),
        now=now,
    )
    materialize(settings, now=now, as_of=date(2026, 3, 10))
    serving = companion_paths(settings.db)["serving"]
    engine = sqlalchemy.create_engine(f"duckdb:///{serving}", connect_args={"read_only": True})
    with engine.connect() as connection:
        names = set(sqlalchemy.inspect(connection).get_table_names())
        assert set(TABLES) <= names
        rows = connection.execute(
            sqlalchemy.text("SELECT kr_id, current_value, status FROM kr_progress ORDER BY kr_id")
        ).fetchall()
        assert [tuple(r) for r in rows] == [
            ("signups_kr", 1.0, "off_track"),
            ("visits_kr", 300.0, "on_track"),
        ]
        overview = connection.execute(
            sqlalchemy.text("SELECT objective_id, key_results FROM objective_summary")
        ).fetchall()
        assert [tuple(r) for r in overview] == [("growth", 2)]
        comment = connection.execute(
            sqlalchemy.text("SELECT comment FROM duckdb_tables() WHERE table_name = 'kr_progress'")
        ).scalar()
        assert comment
        assert "key result" in comment
        with pytest.raises(sqlalchemy.exc.DBAPIError):
            connection.execute(sqlalchemy.text("DELETE FROM kr_progress"))
    engine.dispose()


def test_a_snapshot_reaches_the_serving_database_at_once(tmp_path: Path) -> None:
    (tmp_path / "okrs.yaml").write_text(DEFINITIONS)
    settings = Settings(db=tmp_path / "okr.duckdb", definitions=tmp_path / "okrs.yaml")
    now = datetime(2026, 3, 16, 9, tzinfo=UTC)
    ingest(settings, write_ndjson(tmp_path / "a.jsonl", [event("a1", value=50)]), now=now)
    materialize(settings, now=now, as_of=date(2026, 3, 15))
    first = take_snapshot(settings, label="2026-W11", now=now)
    again = take_snapshot(settings, label="2026-W11", now=now, keep_existing=True)
    assert (first.created, again.created) == (True, False)
    serving = duckdb.connect(str(companion_paths(settings.db)["serving"]), read_only=True)
    try:
        rows = serving.execute("SELECT label, kr_id FROM kr_snapshots ORDER BY kr_id").fetchall()
    finally:
        serving.close()
    assert rows == [("2026-W11", "signups_kr"), ("2026-W11", "visits_kr")]
