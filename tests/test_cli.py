"""The command line: exit statuses, one-line errors, --json output, --help by example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from okrpipe.cli.main import main
from tests.helpers import event, write_ndjson


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_ingest_prints_a_line_per_batch_and_exit_statuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_ndjson(tmp_path / "good.jsonl", [event("a"), event("b", value="x"), event("c")])
    bad = write_ndjson(tmp_path / "bad.jsonl", ["nope", "nope", event("d")])
    db = str(tmp_path / "okr.duckdb")
    code, out, _ = run(capsys, "--db", db, "--now", "2026-03-15T00:00:00Z", "ingest", str(good))
    assert code == 0
    assert out.count("\n") == 1
    assert "good.jsonl: committed batch 1: 3 read, 2 accepted, 0 duplicate, 1 rejected" in out
    assert "row 2 invalid_value" in out
    code, out, _ = run(capsys, "ingest", "--db", db, str(bad), str(good))
    assert code == 3
    lines = out.splitlines()
    assert "rejected batch 2" in lines[0]
    assert "skipped_duplicate" in lines[1]


def test_ingest_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_ndjson(tmp_path / "e.jsonl", [event("a")])
    code, out, _ = run(capsys, "--db", str(tmp_path / "x.duckdb"), "ingest", "--json", str(path))
    document = json.loads(out)
    assert code == 0
    assert document["totals"] == {
        "rows_read": 1,
        "rows_accepted": 1,
        "rows_duplicate": 0,
        "rows_rejected": 0,
    }
    assert document["batches"][0]["status"] == "committed"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ingest", "missing.jsonl"], "missing.jsonl: no such file or folder"),
        (["ingest", "notes.txt"], "notes.txt: not an input file"),
        (
            ["--now", "2026-03-01T10:00:00", "info"],
            "--now: '2026-03-01T10:00:00' is not an RFC 3339",
        ),
        (["ingest", "--max-reject-fraction", "1.5", "x.jsonl"], "max_reject_fraction"),
    ],
)
def test_usage_errors_are_one_line_with_status_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "x.jsonl").write_text("")
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "okr.duckdb"
    code, out, _ = run(capsys, "--db", str(db), "info", "--json")
    empty = json.loads(out)
    assert (code, empty["exists"], empty["events"]) == (0, False, 0)
    assert empty["serving_db"].endswith("okr.serving.duckdb")
    run(
        capsys,
        "--db",
        str(db),
        "ingest",
        str(write_ndjson(tmp_path / "e.jsonl", [event("a"), "bad"])),
    )
    code, out, _ = run(capsys, "--db", str(db), "info", "--json")
    full = json.loads(out)
    assert (full["events"], full["batches"], full["quarantined_rows"]) == (1, 1, 1)
    assert full["last_ingest"]["status"] == "committed"
    assert full["versions"]["duckdb"] == "1.5.5"
    code, out, _ = run(capsys, "--db", str(db), "info")
    assert "serving_db" in out
    assert "quarantined rows  1" in out


def test_environment_selects_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKRPIPE_DB", str(tmp_path / "env.duckdb"))
    run(capsys, "ingest", str(write_ndjson(tmp_path / "e.jsonl", [event("a")])))
    assert (tmp_path / "env.duckdb").exists()


def test_help_teaches_by_example() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "okrpipe", "ingest", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "examples:" in out
    assert "okrpipe ingest inbox/" in out


def test_no_traceback_on_internal_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "okr.duckdb"
    db.write_text("this is not a database")
    code, _, err = run(capsys, "--db", str(db), "info")
    assert code == 1
    assert err.startswith("okrpipe: error:")
    assert "Traceback" not in err
