"""``okrpipe explain KR_ID``: how a key result's value was computed, down to its events."""

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
from okrpipe.history.explain import explain
from okrpipe.projections.materialize import materialized_as_of

HELP = "how a key result's figures were computed: window, filter, events, batches, corrections"
EXAMPLES = """\
examples:
  okrpipe explain daily_visits
  okrpipe explain daily_visits --as-of 2026-02-15 --events        # list every event counted
  okrpipe explain conversion --known-at 2026-02-16T09:00:00Z      # as shown at Monday's review
  okrpipe explain nps_score --json | jq .events.batches

When a number looks wrong: check the window days and filter first, then which batches and
files the events came from, then the corrections and retractions that changed them."""


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], parent: argparse.ArgumentParser
) -> None:
    parser = register_command(commands, parent, "explain", HELP, EXAMPLES)
    parser.add_argument("kr_id", metavar="KR_ID", help="a key result id from okrs.yaml")
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="the as-of date D (default: that of the materialized tables, else today)",
    )
    parser.add_argument(
        "--known-at", metavar="TIMESTAMP", help="use only what had been ingested by then (RFC 3339)"
    )
    parser.add_argument("--events", action="store_true", help="list the contributing events")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    definitions = load_definitions(ctx.settings.definitions)
    known_at = parse_timestamp(args.known_at, "--known-at") if args.known_at else None
    if args.as_of:
        as_of = parse_date(args.as_of)
    elif known_at:
        as_of = today_in(known_at, definitions.tz)
    else:  # the figures the tables show; today before the first materialize
        as_of = materialized_as_of(ctx.settings) or today_in(ctx.now, definitions.tz)
    document = explain(
        ctx.settings,
        definitions,
        args.kr_id,
        as_of=as_of,
        known_at=known_at,
        stamp=known_at or ctx.now,
        with_events=args.events,
    )
    if args.json:
        print_json(document)
    else:
        render(document)
    return 0


def render(doc: dict[str, Any]) -> None:
    """The explanation as readable text."""
    result = doc["result"]
    metric = doc["metric"]
    how = (
        f"ratio {metric['ratio']['numerator']} / {metric['ratio']['denominator']}"
        if "ratio" in metric
        else f"aggregation {metric['aggregation']}"
    )
    where = ", ".join(f"{k}={v}" for k, v in doc["where"].items()) or "none (every dimension set)"
    window = doc["window"]
    lines = [
        f"{doc['kr_id']}: {doc['title']}",
        f"  objective  {doc['objective']['id']} ({doc['objective']['title']}), "
        f"period {doc['objective']['period']}",
        f"  as of      {doc['as_of']}"
        + (f", known at {doc['known_at']}" if doc["known_at"] else ", everything ingested"),
        f"  metric     {metric['key']} ({how}, {metric['better']} is better)",
        f"  filter     {where}",
        f"  window     {window['spec']}: "
        + (
            f"{window['first_day']} .. {window['last_day']} ({window['days']} days)"
            if window["first_day"]
            else "no days yet (before the period)"
        ),
        f"  statistic  {doc['statistic']}",
        "",
        "value",
        *(f"  {line}" for line in doc["arithmetic"]),
        "",
        f"events: {doc['events']['counted']} counted, {doc['events']['corrected']} corrected, "
        f"{doc['events']['retracted']} retracted"
        + (
            f"; occurred {doc['events']['first_occurred_at']} .. "
            f"{doc['events']['last_occurred_at']}"
            if doc["events"]["counted"]
            else ""
        ),
        *(
            f"  batch {b['batch_id']}: {b['events']} events from {b['source_uri']}"
            for b in doc["events"]["batches"]
        ),
    ]
    if doc["corrections"]:
        lines.append("corrections and retractions applied:")
        lines.extend(
            f"  {c['event_id']}: {c['kind']} by {c['by']} (batch {c['in_batch']}): "
            f"{fmt_value(c['original_value'])} -> "
            + ("removed" if c["kind"] == "retraction" else fmt_value(c["value"]))
            + (
                f" ({c['superseding_events']} superseding events, the last one wins)"
                if c["superseding_events"] > 1
                else ""
            )
            for c in doc["corrections"]
        )
    baseline, target = doc["baseline"], doc["target"]
    lines += [
        "",
        f"baseline   {fmt_value(baseline['value'])} from {baseline['from']}"
        + (f": {baseline['how']} ({baseline['events']} events)" if "how" in baseline else ""),
        f"target     {fmt_value(target['value'])} from {target['from']}"
        + (f": {target['how']}" if "how" in target else "")
        + (f" (source: {target['benchmark_source']})" if target.get("benchmark_source") else ""),
    ]
    if doc["levels"]["commit"] is not None:
        lines.append(
            f"levels     commit {fmt_value(doc['levels']['commit'])} (0.3), target (0.7), "
            f"stretch {fmt_value(doc['levels']['stretch'])} (1.0)"
        )
    lines += [
        f"direction  {result['direction'] or 'undefined'}"
        + (f" ({result['note']})" if result["note"] else ""),
        f"progress   {fmt_value(result['progress'])} = (current - baseline) / (target - baseline)",
        f"score      {fmt_value(result['score'])} "
        "(current value through the anchors, clamped to 0..1)",
        f"expected   {fmt_value(result['expected_progress'])} (share of the period elapsed)",
        f"status     {result['status']} (at_risk beyond {doc['thresholds']['at_risk']:g} behind, "
        f"off_track beyond {doc['thresholds']['off_track']:g})",
    ]
    if "event_list" in doc:
        lines += ["", "events (seq, event_id, occurred_at, day, value, dimensions, batch):"]
        lines.extend(
            f"  {e['seq']} {e['event_id']} {e['occurred_at']} {e['day']} "
            f"{fmt_value(e['value'])}"
            + ("" if e["counted"] else " [retracted]")
            + (
                f" [was {fmt_value(e['original_value'])}]"
                if e["superseded_kind"] == "correction"
                else ""
            )
            + f" {e['dimensions']} batch {e['batch_id']}"
            for e in doc["event_list"]
        )
    print("\n".join(lines))
