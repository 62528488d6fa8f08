"""What every command shares: settings from flags and environment, the clock, output."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from okrpipe.clock import parse_timestamp, utc_now
from okrpipe.errors import UsageError
from okrpipe.settings import Settings


@dataclass
class Context:
    """Resolved global options of one command."""

    settings: Settings
    now: datetime
    debug: bool


def build_context(args: argparse.Namespace) -> Context:
    """Settings from ``OKRPIPE_*`` overridden by the global flags."""
    overrides: dict[str, Any] = {}
    if getattr(args, "db", None):
        overrides["db"] = Path(args.db)
    if getattr(args, "definitions", None):
        overrides["definitions"] = Path(args.definitions)
    if getattr(args, "max_reject_fraction", None) is not None:
        overrides["max_reject_fraction"] = args.max_reject_fraction
    if getattr(args, "suite", None):
        overrides["suite"] = Path(args.suite)
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise UsageError(
            f"setting {field} (flag or OKRPIPE_{field.upper()}): {problem['msg']}"
        ) from None
    now = parse_timestamp(args.now, "--now") if getattr(args, "now", None) else utc_now()
    return Context(settings=settings, now=now, debug=bool(getattr(args, "debug", False)))


def print_json(document: Any) -> None:
    """One JSON document on stdout (dates and paths as strings)."""
    json.dump(document, sys.stdout, default=str, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document instead of text"
    )


def register_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parent: argparse.ArgumentParser,
    name: str,
    help_text: str,
    examples: str,
) -> argparse.ArgumentParser:
    """A sub-command with the global options, its help and examples."""
    return commands.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=examples,
        parents=[parent],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
