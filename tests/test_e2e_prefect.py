"""End to end, as a data engineer runs it: a real ``prefect server`` on loopback,
``prefect deploy --all`` of the project's prefect.yaml, a process worker, the main
deployment triggered, and the key-result tables updated. About a minute; marked slow."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from okrpipe.settings import Settings, companion_paths
from tests.helpers import query

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PREFECT = [str(Path(sys.executable).with_name("prefect"))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A Prefect server on a free loopback port with its own home; its URL and the
    environment that points the CLI at it."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    port = str(free_port())
    url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": url,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", port],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                api(url, "/health")
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the Prefect server did not start in 120 s"
                time.sleep(0.5)
        yield url, env
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()


def prefect(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [*PREFECT, "--no-prompt", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_deployed_pipeline_runs_on_a_process_worker(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = server
    data = tmp_path / "data"
    (data / "inbox").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "events.jsonl", data / "inbox")
    settings = Settings(db=data / "okr.duckdb", definitions=ROOT / "examples" / "okrs.yaml")

    prefect(env, "work-pool", "create", "okrpipe", "--type", "process")
    prefect(env, "deploy", "--all")
    deployment = api(url, "/deployments/name/okr-pipeline/inbox")
    assert deployment["work_pool_name"] == "okrpipe"
    ((schedule,),) = [[s["schedule"] for s in deployment["schedules"]]]
    assert (schedule["cron"], schedule["timezone"]) == ("*/15 * * * *", "Europe/Oslo")
    assert api(url, "/deployments/name/weekly-review/monday-morning")["schedules"]
    # the schedules stay declared but paused, so that only the triggered run happens here
    prefect(env, "deployment", "schedule", "pause", "--all")

    output = prefect(env, "deployment", "run", "okr-pipeline/inbox", "--param", "as_of=2026-01-18")
    match = re.search(r"flow-run/([0-9a-f-]{36})", output)
    assert match, output
    flow_run_id = match.group(1)

    # the worker takes its data locations from its environment (OKRPIPE_*)
    worker_env = {
        **env,
        "OKRPIPE_DB": str(settings.db),
        "OKRPIPE_DEFINITIONS": str(settings.definitions),
        "OKRPIPE_INBOX": str(data / "inbox"),
    }
    worker = subprocess.Popen(
        [*PREFECT, "worker", "start", "--pool", "okrpipe", "--run-once"],
        env=worker_env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        worker_log, _ = worker.communicate(timeout=240)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    run = api(url, f"/flow_runs/{flow_run_id}")
    assert run["state_type"] == "COMPLETED", worker_log
    assert "events.jsonl: committed batch 1: 88 read, 85 accepted" in worker_log
    assert query(settings, "SELECT status, rows_accepted FROM batches") == [("committed", 85)]
    assert query(
        settings, "SELECT kr_id, as_of::VARCHAR, status FROM kr_progress ORDER BY kr_id"
    ) == [
        ("nps", "2026-01-18", "off_track"),
        ("signups", "2026-01-18", "on_track"),
        ("web_visits", "2026-01-18", "off_track"),
    ]
    assert companion_paths(settings.db)["serving"].exists()
    artifacts = api(
        url, "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}}
    )
    (markdown,) = [a["data"] for a in artifacts if a["key"] == "okr-pipeline"]
    assert "| committed | 88 | 85 | 0 | 3 |" in markdown
    assert "| web_visits | grow_january | — | off_track |" in markdown
