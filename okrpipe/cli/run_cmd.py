"""``okrpipe run PATH…``: the main job, as the Prefect flow ``okr-pipeline`` in this process.

Prefect is imported only here, when the command runs, so that other commands stay fast.
Without ``PREFECT_API_URL`` Prefect starts a temporary server for the run (about 10 s); with
it, the run is recorded on that server like a deployment's run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from okrpipe.cli.common import Context, add_json_flag, print_json, register_command
from okrpipe.definitions import load_definitions
from okrpipe.errors import UsageError
from okrpipe.ingest.sources import expand

HELP = "the main job: the Prefect pipeline flow ingests files, then materializes"
EXAMPLES = """\
examples:
  okrpipe run inbox/                          # every new file in the folder, recursively
  okrpipe run 'exports/*.csv.gz' --as-of 2026-03-31
  PREFECT_API_URL=http://127.0.0.1:4200/api okrpipe run inbox/   # recorded on a server

Runs the flow of flows/pipeline.py: one task per new file (an atomic batch each), then
materialize, then a Markdown artifact with the batches and the key results whose status
changed. Files that an earlier run settled (same path and content) are not read again.
Exit status: 0 when every file was committed or skipped, 3 when a batch was rejected or
failed (the flow run ends Failed; the other files are still committed and materialized)."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "run", HELP, EXAMPLES)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or globs")
    parser.add_argument(
        "--as-of", metavar="DATE", help="the as-of date D (default: today in the definitions' zone)"
    )
    parser.add_argument(
        "--max-reject-fraction",
        type=float,
        metavar="F",
        help="reject a whole batch when more than this fraction of its rows fail (default 0.5)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # bad paths and definitions fail here, in a second, before Prefect starts
    expand(args.paths)
    load_definitions(ctx.settings.definitions)
    summary = run_pipeline(ctx, paths=args.paths, as_of=args.as_of)
    if args.json:
        print_json(summary)
    else:
        print_summary(summary)
    return int(summary["exit_code"])


def _project_root() -> Path:
    """The folder that holds okrpipe/ and flows/ (an editable install or a checkout)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "flows" / "pipeline.py").is_file():
        raise UsageError(
            f"the Prefect flows are not beside okrpipe ({root / 'flows'} is missing); run "
            "okrpipe from a checkout of the project (./setup.sh installs it editable)"
        )
    if sys.path[0] != str(root):
        sys.path.insert(0, str(root))
    return root


def run_pipeline(
    ctx: Context,
    *,
    paths: list[str] | None = None,
    inbox: str | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """Run the pipeline flow in this process; return its summary (``exit_code`` 0 or 3) or
    raise the error it failed with."""
    _project_root()
    from flows.local import local_runs, quiet_console, server_configured  # noqa: PLC0415
    from flows.pipeline import okr_pipeline  # noqa: PLC0415

    if not server_configured():
        print(
            "okrpipe: no PREFECT_API_URL: starting Prefect's temporary server for this run",
            file=sys.stderr,
            flush=True,
        )
    if not ctx.debug:
        # one clear line per error (main prints it), not Prefect's tracebacks
        quiet_console(logging.CRITICAL)
    settings = ctx.settings
    with local_runs():
        state = okr_pipeline(
            paths=paths,
            inbox=inbox,
            as_of=as_of,
            now=ctx.now.isoformat(),
            db=str(settings.db),
            definitions=str(settings.definitions),
            max_reject_fraction=settings.max_reject_fraction,
            lock_timeout=settings.lock_timeout,
            return_state=True,
        )
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, BaseException):
        raise outcome
    if not isinstance(outcome, dict):
        raise UsageError(f"the pipeline flow ended {state.type.value}: {state.message}")
    return outcome


def print_summary(summary: dict[str, Any]) -> None:
    """The flow's summary for people: a line per batch, the materialize step, changes."""
    for batch in summary["batches"]:
        print(batch["line"])
    if summary["unchanged_files"]:
        print(f"{summary['unchanged_files']} file(s) unchanged since an earlier run: skipped")
    if not summary["batches"] and not summary["unchanged_files"]:
        print("no input files found", file=sys.stderr)
    if "materialize" in summary:
        print(summary["materialize"]["summary"])
    for change in summary["status_changes"]:
        print(f"{change['kr_id']}: {change['before'] or 'new'} -> {change['after'] or 'gone'}")
    if summary["problem"]:
        print(f"okrpipe: {summary['problem']}", file=sys.stderr)
