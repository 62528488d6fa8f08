"""``okrpipe materialize`` and ``okrpipe rebuild``: bring the projections up to date."""

from __future__ import annotations

import argparse
import dataclasses

from okrpipe.cli.common import Context, add_json_flag, print_json, register_command
from okrpipe.clock import parse_date
from okrpipe.projections.materialize import materialize

MATERIALIZE_HELP = "bring every projection up to date (only what new events touched)"
MATERIALIZE_EXAMPLES = """\
examples:
  okrpipe materialize                       # as of today in the definitions' time zone
  okrpipe materialize --as-of 2026-03-31    # the figures at the end of the quarter
  okrpipe --definitions okrs.yaml materialize --json

Recomputes the metric_daily groups that new events touched, then the key results, KPIs and
benchmarks that read those metrics, then every objective. New definitions or a new as-of
date recompute more; `okrpipe rebuild` recomputes everything and gives the same tables."""
REBUILD_HELP = "recompute every projection from the log (equals the incremental result)"
REBUILD_EXAMPLES = """\
examples:
  okrpipe rebuild
  okrpipe rebuild --as-of 2026-03-31 --json"""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    for name, help_text, examples, rebuild in (
        ("materialize", MATERIALIZE_HELP, MATERIALIZE_EXAMPLES, False),
        ("rebuild", REBUILD_HELP, REBUILD_EXAMPLES, True),
    ):
        parser = register_command(commands, parent, name, help_text, examples)
        parser.add_argument(
            "--as-of",
            metavar="DATE",
            help="the as-of date D (default: today in the definitions' zone)",
        )
        add_json_flag(parser)
        parser.set_defaults(handler=run, rebuild=rebuild)


def run(args: argparse.Namespace, ctx: Context) -> int:
    as_of = parse_date(args.as_of) if args.as_of else None
    result = materialize(ctx.settings, now=ctx.now, as_of=as_of, rebuild=args.rebuild)
    if args.json:
        print_json(dataclasses.asdict(result))
    else:
        print(result.summary())
    return 0
