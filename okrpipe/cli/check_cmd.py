"""``okrpipe check``: load and check the definitions file, print what is wrong (SPEC 8)."""

from __future__ import annotations

import argparse
from typing import Any

import duckdb

from okrpipe.cli.common import Context, add_json_flag, print_json, register_command
from okrpipe.definitions.checks import warnings_for
from okrpipe.definitions.loader import load_definitions
from okrpipe.definitions.resolved import Definitions
from okrpipe.errors import DefinitionsError, OkrPipeError
from okrpipe.settings import Settings
from okrpipe.store.database import open_db

HELP = "load and check the definitions (okrs.yaml); print what is wrong"
EXAMPLES = """\
examples:
  okrpipe check                                 # checks ./okrs.yaml
  okrpipe --definitions config/okrs.yaml check  # or $OKRPIPE_DEFINITIONS
  okrpipe check --json | jq .warnings

exit status 0 when the file is valid (warnings are printed, not failures), 2 when it is not;
the error names the path inside the file, e.g.
  okrs.yaml: objectives[0].key_results[2].metric: unknown metric 'visit'; ..."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "check", HELP, EXAMPLES)
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    path = ctx.settings.definitions
    try:
        definitions = load_definitions(path)
    except DefinitionsError as exc:
        if args.json:
            print_json({"ok": False, "definitions": str(path), "error": exc.message})
            return exc.exit_code
        raise
    warnings = warnings_for(definitions) + _log_warnings(ctx.settings, definitions)
    summary = _summary(definitions)
    if args.json:
        print_json({"ok": True, "definitions": str(path), "summary": summary, "warnings": warnings})
        return 0
    print(f"{path}: ok")
    width = max(len(key) for key in summary)
    for key, value in summary.items():
        print(f"  {key.replace('_', ' '):<{width}}  {value}")
    print(f"  {'warnings':<{width}}  {len(warnings)}")
    for warning in warnings:
        print(f"warning: {warning}")
    return 0


def _summary(definitions: Definitions) -> dict[str, Any]:
    return {
        "timezone": definitions.timezone,
        "metrics": len(definitions.metrics),
        "objectives": len(definitions.objectives),
        "key_results": len(definitions.key_results),
        "kpis": len(definitions.kpis),
        "benchmarks": len(definitions.benchmarks),
        "fingerprint": definitions.fingerprint,
    }


def _log_warnings(settings: Settings, definitions: Definitions) -> list[str]:
    """Metrics in the event log that the definitions do not name (SPEC 3: kept, but reported)."""
    if not settings.db.exists():
        return []
    try:
        with open_db(settings, write=False) as con:
            rows = con.execute(
                "SELECT DISTINCT metric FROM events WHERE metric IS NOT NULL ORDER BY metric"
            ).fetchall()
    except (OkrPipeError, duckdb.Error) as exc:
        # The definitions are what `check` is about; an unreadable log is worth a warning only.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [f"could not read the metrics of the event log in {settings.db}: {first}"]
    unknown = [str(metric) for (metric,) in rows if metric not in definitions.metrics]
    if not unknown:
        return []
    return [
        f"the event log ({settings.db}) has events of metrics that the definitions do not name "
        f"(kept, but used by nothing): {', '.join(unknown)}"
    ]
