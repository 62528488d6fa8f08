"""``okrpipe ingest PATH…``: validate files and append them to the log, a batch per file."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress as Bar
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

from okrpipe.cli.common import Context, add_json_flag, print_json, register_command
from okrpipe.ingest.outcome import BatchResult
from okrpipe.ingest.runner import IngestReport, ingest_files
from okrpipe.ingest.sources import InputFile, expand
from okrpipe.ingest.stage import Progress

HELP = "validate files and append them to the event log (one batch per file)"
EXAMPLES = """\
examples:
  okrpipe ingest events/2026-03-01.jsonl
  okrpipe ingest inbox/                      # every .jsonl .ndjson .csv .parquet (.gz) inside
  okrpipe ingest 'exports/*.csv.gz' --max-reject-fraction 0.1
  okrpipe --db /data/okr.duckdb ingest day.parquet --json

Each file is one atomic batch: its accepted events, quarantined rows (rejected_events) and
batch record commit together. A file whose content was already ingested is skipped.
Exit status: 0 when every file was committed or skipped, 3 when a batch was rejected or
failed, 2 for bad usage."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "ingest", HELP, EXAMPLES)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or globs")
    parser.add_argument(
        "--max-reject-fraction",
        type=float,
        metavar="F",
        help="reject a whole batch when more than this fraction of its rows fail "
        "(default 0.5, or $OKRPIPE_MAX_REJECT_FRACTION)",
    )
    parser.add_argument(
        "--retry-rejected",
        action="store_true",
        help="validate again files whose content an earlier batch rejected",
    )
    parser.add_argument("--suite", metavar="FILE", help="validate with this expectation suite")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


@contextmanager
def _progress(enabled: bool) -> Iterator[Bar | None]:
    """A transient spinner per file on stderr, when stderr is a terminal."""
    if not enabled:
        yield None
        return
    with Bar(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
        transient=True,
        console=Console(stderr=True),
    ) as bar:
        yield bar


def batch_document(result: BatchResult) -> dict[str, object]:
    """A batch result as JSON-ready data."""
    document = dataclasses.asdict(result)
    document["ok"] = result.ok
    return document


def report_document(report: IngestReport) -> dict[str, object]:
    return {
        "batches": [batch_document(b) for b in report.batches],
        "totals": report.totals(),
        "exit_code": report.exit_code,
    }


def run(args: argparse.Namespace, ctx: Context) -> int:
    files = expand(args.paths)
    show_progress = sys.stderr.isatty() and not args.json
    with _progress(show_progress) as bar:

        def on_progress(item: InputFile) -> Progress | None:
            if bar is None:
                return None
            task = bar.add_task(item.path.name, total=None)

            def advance(rows: int) -> None:
                bar.advance(task, rows)

            return advance

        def on_batch(result: BatchResult) -> None:
            if not args.json:
                print(result.summary(), flush=True)

        report = ingest_files(
            ctx.settings,
            files,
            now=ctx.now,
            retry_rejected=args.retry_rejected,
            on_progress=on_progress,
            on_batch=on_batch,
        )
    if args.json:
        print_json(report_document(report))
    elif not files:
        print("no input files found", file=sys.stderr)
    return report.exit_code
