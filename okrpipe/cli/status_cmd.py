"""``okrpipe status``: objectives and key results as a table or JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from okrpipe.cli.common import Context, add_json_flag, print_json, register_command
from okrpipe.clock import parse_date, parse_timestamp, today_in
from okrpipe.definitions import load_definitions
from okrpipe.history.as_known import scratch_projections
from okrpipe.projections.status import materialized_status, status_document

HELP = "objectives and key results: score, progress and status"
EXAMPLES = """\
examples:
  okrpipe status                                   # what the last materialize computed
  okrpipe status --as-of 2026-02-15                # computed for another day, on the fly
  okrpipe status --known-at 2026-02-16T09:00:00Z   # as known on Monday's review
  okrpipe status --json | jq '.objectives[].status'

Without --as-of and --known-at it shows the materialized tables (run `okrpipe materialize`
first). With either, it computes from the log without touching the materialized tables;
--known-at uses only the events and corrections ingested by then."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "status", HELP, EXAMPLES)
    parser.add_argument("--as-of", metavar="DATE", help="the as-of date D")
    parser.add_argument(
        "--known-at",
        metavar="TIMESTAMP",
        help="answer from what had been ingested by then (RFC 3339)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    definitions = load_definitions(ctx.settings.definitions)
    known_at = parse_timestamp(args.known_at, "--known-at") if args.known_at else None
    if args.as_of or known_at:
        as_of = (
            parse_date(args.as_of) if args.as_of else today_in(known_at or ctx.now, definitions.tz)
        )
        stamp = known_at or ctx.now
        with scratch_projections(
            ctx.settings, definitions, as_of=as_of, known_at=known_at, stamp=stamp
        ) as con:
            document = status_document(con, as_of, stamp)
    else:
        stored = materialized_status(ctx.settings, definitions)
        if stored is None:
            print("okrpipe: nothing materialized yet; run `okrpipe materialize`", file=sys.stderr)
            return 1
        document = stored
    if args.json:
        print_json(document)
    else:
        render(document)
    return 0


def _number(value: Any, percent: bool = False) -> str:
    if value is None:
        return "-"
    if percent:
        return f"{value:.0%}"
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


_STYLE = {
    "achieved": "green",
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "missed": "red",
    "no_data": "dim",
    "not_started": "dim",
}


def render(document: dict[str, Any]) -> None:
    """The status document as a table on stdout."""
    table = Table(
        title=f"as of {document['as_of']} (known at {document['known_at']})", title_justify="left"
    )
    table.add_column("objective / key result", no_wrap=True, overflow="ellipsis", max_width=44)
    for column in ("current", "target", "progress", "expected", "score", "status"):
        table.add_column(column, justify="right", no_wrap=True)
    for objective in document["objectives"]:
        status = objective["status"] or "-"
        table.add_row(
            f"[bold]{objective['title'] or objective['objective_id']}[/bold]",
            "",
            "",
            "",
            "",
            f"{_number(objective['score'])} / {_number(objective['rollup_score'])}",
            f"[{_STYLE.get(status, '')}]{status}[/]",
        )
        for kr in objective["key_results"]:
            table.add_row(
                f"  {kr['kr_id']}: {kr['title'] or kr['metric']}",
                _number(kr["current_value"]),
                _number(kr["target"]),
                _number(kr["progress"], percent=True),
                _number(kr["expected_progress"], percent=True),
                _number(kr["score"]),
                f"[{_STYLE.get(kr['status'], '')}]{kr['status']}[/]",
            )
    console = Console()
    if not console.is_terminal:
        # a pipe or a log file has no width: print the table whole rather than at 80 columns
        console = Console(width=140)
    console.print(table)
