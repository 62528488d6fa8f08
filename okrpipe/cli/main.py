"""Entry point of the ``okrpipe`` command: parsing, dispatch, errors and exit status."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from okrpipe import __version__
from okrpipe.cli import (
    check_cmd,
    demo_cmd,
    diff_cmd,
    explain_cmd,
    info_cmd,
    ingest_cmd,
    materialize_cmd,
    run_cmd,
    snapshot_cmd,
    status_cmd,
)
from okrpipe.cli.common import build_context
from okrpipe.errors import OkrPipeError

DESCRIPTION = """\
okrpipe: an event-sourced KPI and OKR metrics pipeline on DuckDB.

Raw KPI events (NDJSON, CSV, Parquet, optionally .gz) go into an append-only event log;
every batch is validated by a Great Expectations suite; KPI scorecards, benchmarks and
key-result / objective progress are materialized for BI tools."""

EPILOG = """\
quickstart:
  okrpipe demo                       # example OKRs and a quarter of events, end to end
  okrpipe ingest events.jsonl        # append a file to the log (okr.duckdb)
  okrpipe info                       # what the database holds

global options may also follow the command: okrpipe ingest --db x.duckdb file.csv
environment: OKRPIPE_DB, OKRPIPE_DEFINITIONS, OKRPIPE_MAX_REJECT_FRACTION, OKRPIPE_LOCK_TIMEOUT"""

COMMANDS = (
    run_cmd,
    demo_cmd,
    ingest_cmd,
    materialize_cmd,
    status_cmd,
    snapshot_cmd,
    explain_cmd,
    diff_cmd,
    check_cmd,
    info_cmd,
)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="the pipeline database (default $OKRPIPE_DB or okr.duckdb)",
    )
    parser.add_argument(
        "--definitions",
        metavar="PATH",
        default=default,
        help="the OKR definitions (default $OKRPIPE_DEFINITIONS or okrs.yaml)",
    )
    parser.add_argument(
        "--now",
        metavar="TIMESTAMP",
        default=default,
        help="stand-in for the current time, RFC 3339 with offset (e.g. 2026-03-31T18:00:00Z)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="show tracebacks and debug logs",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okrpipe",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"okrpipe {__version__}")
    _global_options(parser, suppress=False)
    parent = argparse.ArgumentParser(add_help=False)
    _global_options(parent, suppress=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for module in COMMANDS:
        module.register(commands, parent)
    return parser


def _configure_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("okrpipe.ingest").setLevel(logging.DEBUG if debug else logging.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    _configure_logging(debug)
    try:
        ctx = build_context(args)
        return int(args.handler(args, ctx))
    except OkrPipeError as exc:
        if debug:
            raise
        print(f"okrpipe: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("okrpipe: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"okrpipe: internal error: {type(exc).__name__}: {first} (run with --debug for "
            "the traceback)",
            file=sys.stderr,
        )
        return 1


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
