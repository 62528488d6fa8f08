"""What every command shares: settings from flags and environment, the clock, output."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from okrpipe.clock import parse_timestamp, utc_now
from okrpipe.settings import Settings, settings_with


@dataclass
class Context:
    """Resolved global options of one command."""

    settings: Settings
    now: datetime
    debug: bool


def build_context(args: argparse.Namespace) -> Context:
    """Settings from ``OKRPIPE_*`` overridden by the global flags."""
    settings = settings_with(
        "flag",
        **{
            name: getattr(args, name, None)
            for name in ("db", "definitions", "max_reject_fraction", "suite")
        },
    )
    now = parse_timestamp(args.now, "--now") if getattr(args, "now", None) else utc_now()
    return Context(settings=settings, now=now, debug=bool(getattr(args, "debug", False)))


def print_json(document: Any) -> None:
    """One JSON document on stdout (dates and paths as strings)."""
    json.dump(document, sys.stdout, default=str, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def fmt_value(value: Any) -> str:
    """A figure for people: floats to 6 significant digits, NULL for a missing value."""
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


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
