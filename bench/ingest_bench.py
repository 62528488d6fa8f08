"""Ingest throughput: okrpipe ingest versus a raw DuckDB read_json load of the same file.

    .venv/bin/python -m bench.ingest_bench --events 1000000
    .venv/bin/python -m bench.ingest_bench --events 5000000 --events 1000000

For each size it generates an NDJSON file (~1% bad rows, ~0.2% duplicates), then measures in
fresh processes: (1) the raw load `CREATE TABLE t AS SELECT * FROM read_json(file)` into a
new DuckDB file; (2) `okrpipe ingest file` as a user runs it (cold: Python start-up and the
Great Expectations import included); (3) the same ingest in a process where okrpipe and GX
are already imported (warm: what a long-running Prefect worker pays). Peak RSS is the
child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.generate import cached_events, fresh

RAW_LOAD = """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE t AS SELECT * FROM read_json(?)", [sys.argv[2]])
con.close()
"""

WARM_INGEST = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
import great_expectations  # noqa: F401 - paid before the clock starts
from okrpipe.ingest.runner import ingest_paths
from okrpipe.settings import Settings
start = time.perf_counter()
report = ingest_paths(Settings(db=Path(sys.argv[1])), [sys.argv[2]], now=datetime.now(UTC))
print(f"{time.perf_counter() - start:.3f}")
print(report.batches[0].summary(), file=sys.stderr)
print("phases (s): " + ", ".join(f"{k} {v}" for k, v in report.batches[0].timings.items()),
      file=sys.stderr)
"""


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float
    output: str


def run(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a child process; return its wall time and peak RSS."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    out = child.stdout.read().decode() if child.stdout else ""
    err = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"{argv[:3]} failed:\n{err}")
    return Run(seconds, usage.ru_maxrss / 1024, out + err)


def measure(events: int, workdir: Path) -> dict[str, float]:
    data = cached_events(workdir, events)
    size_mib = data.stat().st_size / 2**20
    raw = run([sys.executable, "-c", RAW_LOAD, str(fresh(workdir / "raw.duckdb")), str(data)])
    okr = Path(sys.executable).with_name("okrpipe")
    cold = run([str(okr), "--db", str(fresh(workdir / "cold.duckdb")), "ingest", str(data)])
    warm = run([sys.executable, "-c", WARM_INGEST, str(fresh(workdir / "warm.duckdb")), str(data)])
    warm_seconds = float(warm.output.split()[0])
    print(f"\n{events:,} events, {size_mib:,.0f} MiB NDJSON")
    print(f"  {cold.output.strip().splitlines()[-1]}")
    print(f"  warm {warm.output.strip().splitlines()[-1]}")
    rows = [
        ("raw DuckDB read_json load", raw.seconds, raw.peak_rss_mib),
        ("okrpipe ingest (cold CLI)", cold.seconds, cold.peak_rss_mib),
        ("okrpipe ingest (warm process)", warm_seconds, warm.peak_rss_mib),
    ]
    print(f"  {'':32} {'seconds':>8} {'events/s':>11} {'x raw':>6} {'peak RSS':>9}")
    for name, seconds, rss in rows:
        print(
            f"  {name:32} {seconds:8.2f} {events / seconds:11,.0f} "
            f"{seconds / raw.seconds:6.2f} {rss:7,.0f} MiB"
        )
    return {"raw": raw.seconds, "cold": cold.seconds, "warm": warm_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events",
        type=int,
        action="append",
        help="events per file (repeatable; default 1,000,000)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for events in args.events or [1_000_000]:
        measure(events, args.workdir)


if __name__ == "__main__":
    main()
