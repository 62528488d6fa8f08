"""``okrpipe diff --from T1 --to T2``: what changed between two states of knowledge."""

from __future__ import annotations

import argparse
from typing import Any

from okrpipe.cli.common import (
    Context,
    add_json_flag,
    fmt_value,
    print_json,
    register_command,
)
from okrpipe.clock import parse_date, parse_timestamp, today_in
from okrpipe.definitions import load_definitions
from okrpipe.errors import UsageError
from okrpipe.history.diff import diff

HELP = "the key results and objectives that changed between two moments, and why"
EXAMPLES = """\
examples:
  okrpipe diff --from 2026-02-09T09:00:00Z --to 2026-02-16T09:00:00Z   # week over week
  okrpipe diff --from 2026-02-09T09:00:00Z --to 2026-02-16T09:00:00Z --as-of 2026-02-09
  okrpipe diff --from 2026-02-09T09:00:00Z --to 2026-02-16T09:00:00Z --json

Both states are computed from the log as it was known at each moment (events and
corrections ingested by then), for the same as-of date (default: today at --to)."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "diff", HELP, EXAMPLES)
    parser.add_argument("--from", dest="before", metavar="TIMESTAMP", required=True)
    parser.add_argument("--to", dest="after", metavar="TIMESTAMP", required=True)
    parser.add_argument("--as-of", metavar="DATE", help="the as-of date of both states")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    definitions = load_definitions(ctx.settings.definitions)
    before = parse_timestamp(args.before, "--from")
    after = parse_timestamp(args.after, "--to")
    if after < before:
        raise UsageError("diff: --to must not be earlier than --from")
    as_of = parse_date(args.as_of) if args.as_of else today_in(after, definitions.tz)
    document = diff(ctx.settings, definitions, before=before, after=after, as_of=as_of)
    if args.json:
        print_json(document)
    else:
        render(document)
    return 0


def render(doc: dict[str, Any]) -> None:
    lines = [
        f"from {doc['from']} to {doc['to']}, as of {doc['as_of']}: "
        f"{len(doc['batches_between'])} batches ingested in between"
    ]
    for batch in doc["batches_between"]:
        lines.append(
            f"  batch {batch['batch_id']} {batch['status']} at {batch['ingested_at']}: "
            f"{batch['rows_accepted']} events from {batch['source_uri']}"
        )
    if not doc["key_results"] and not doc["objectives"]:
        lines.append("no key result or objective changed")
    for kr in doc["key_results"]:
        lines.append(
            f"key result {kr['kr_id']} ({kr['objective_id']}): "
            + "; ".join(
                f"{name} {fmt_value(c['from'])} -> {fmt_value(c['to'])}"
                + (f" ({c['change']:+,.4g})" if "change" in c else "")
                for name, c in kr["changes"].items()
            )
        )
        for cause in kr["caused_by"]:
            lines.append(
                f"    caused by batch {cause['batch_id']} ({cause['events']} events, "
                f"{cause['source_uri']})"
            )
        if not kr["caused_by"]:
            lines.append("    caused by no batch in between (the window or definitions moved)")
    for objective in doc["objectives"]:
        lines.append(
            f"objective {objective['objective_id']}: "
            + "; ".join(
                f"{name} {fmt_value(c['from'])} -> {fmt_value(c['to'])}"
                for name, c in objective["changes"].items()
            )
        )
    print("\n".join(lines))
