"""``okrpipe demo``: example OKRs and a quarter of events, through the pipeline flow."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from okrpipe.cli.common import Context, register_command
from okrpipe.cli.run_cmd import print_summary, run_pipeline
from okrpipe.cli.status_cmd import render
from okrpipe.definitions import load_definitions
from okrpipe.demo import prepare_demo
from okrpipe.projections.status import materialized_status

HELP = "write example OKRs and a quarter of example events, run the pipeline, show the status"
EXAMPLES = """\
examples:
  okrpipe demo                          # into ./okrpipe-demo: okrs.yaml, inbox/, okr.duckdb
  okrpipe demo --dir /tmp/demo
  okrpipe demo --now 2026-02-16T09:00:00+01:00   # a quarter around another day

The demo quarter is the quarter of now (Europe/Oslo); events run through yesterday, which
is the as-of date. Running it again keeps okrs.yaml and the inbox (the flow skips the files
it already ingested) and shows the status again. The first run starts Prefect's temporary
server unless PREFECT_API_URL is set."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "demo", HELP, EXAMPLES)
    parser.add_argument(
        "--dir",
        metavar="DIR",
        default="okrpipe-demo",
        help="where to write the demo (default ./okrpipe-demo); also holds okrs.yaml and "
        "okr.duckdb unless --definitions / --db are given",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    folder = Path(args.dir)
    # only the flags move the demo's files: an OKRPIPE_DB of real data is left alone
    settings = ctx.settings.model_copy(
        update={
            "db": Path(args.db) if getattr(args, "db", None) else folder / "okr.duckdb",
            "definitions": Path(args.definitions)
            if getattr(args, "definitions", None)
            else folder / "okrs.yaml",
        }
    )
    setup = prepare_demo(folder, settings=settings, now=ctx.now)
    for line in setup.describe():
        print(line, flush=True)
    summary = run_pipeline(
        dataclasses.replace(ctx, settings=settings),
        inbox=str(setup.inbox),
        as_of=setup.as_of.isoformat(),
    )
    print_summary(summary)
    document = materialized_status(settings, load_definitions(settings.definitions))
    if document is not None:
        render(document)
    options = f"--db {settings.db} --definitions {settings.definitions}"
    print(
        f"next: okrpipe {options} status --json; okrpipe {options} explain daily_visits",
        file=sys.stderr,
    )
    return int(summary["exit_code"])
