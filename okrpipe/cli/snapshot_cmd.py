"""``okrpipe snapshot --label TEXT``: store the current kr_progress in kr_snapshots."""

from __future__ import annotations

import argparse
import dataclasses

from okrpipe.cli.common import Context, add_json_flag, print_json, register_command
from okrpipe.history.snapshots import take_snapshot

HELP = "store the current key-result progress under a label (the weekly review record)"
EXAMPLES = """\
examples:
  okrpipe materialize && okrpipe snapshot --label 2026-W10
  okrpipe snapshot --label "Q1 review" --json

Later, `okrpipe status --known-at <taken_at>` reproduces a snapshot exactly, even after late
events and corrections arrived."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "snapshot", HELP, EXAMPLES)
    parser.add_argument("--label", required=True, help="the snapshot's name, e.g. 2026-W10")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    snapshot = take_snapshot(ctx.settings, label=args.label, now=ctx.now)
    if args.json:
        print_json(dataclasses.asdict(snapshot))
    else:
        print(snapshot.summary())
    return 0
