"""``okrpipe info``: where the data lives, what it holds, and which versions run it."""

from __future__ import annotations

import argparse

from okrpipe.cli.common import Context, add_json_flag, print_json, register_command
from okrpipe.inventory import describe

HELP = "show the database and serving paths, counts, the last ingest and versions"
EXAMPLES = """\
examples:
  okrpipe info
  okrpipe --db /data/okr.duckdb info --json | jq .serving_db"""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "info", HELP, EXAMPLES)
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    document = describe(ctx.settings)
    if args.json:
        print_json(document)
        return 0
    lines = [
        ("database", document["database"] + ("" if document["exists"] else "  (not created yet)")),
        ("serving_db", document["serving_db"]),
        ("definitions", document["definitions"]),
        ("events", f"{document['events']:,}"),
        (
            "batches",
            f"{document['batches']:,} "
            + (str(document["batches_by_status"]) if document["batches_by_status"] else ""),
        ),
        ("quarantined rows", f"{document['quarantined_rows']:,}"),
    ]
    last = document["last_ingest"]
    if last:
        lines.append(
            (
                "last ingest",
                f"batch {last['batch_id']} {last['status']} at "
                f"{last['ingested_at']} ({last['source_uri']})",
            )
        )
    for problem, found in document["superseding_without_effect"].items():
        lines.append(
            (
                "no effect (yet)",
                f"{found['events']} corrections/retractions: {problem.replace('_', ' ')} "
                f"(e.g. {', '.join(found['first'])})",
            )
        )
    lines.append(("versions", ", ".join(f"{k} {v}" for k, v in document["versions"].items())))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key:<{width}}  {value}")
    return 0
