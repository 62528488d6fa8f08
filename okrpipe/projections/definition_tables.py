"""The definitions as small DuckDB tables (catalog ``defs``), so projections are pure SQL.

Definitions are tiny next to the log, so building these row by row is fine; everything that
touches events stays set-based in SQL.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from okrpipe.definitions import (
    BenchmarkTarget,
    ChangePct,
    Definitions,
    KeyResult,
    Period,
)

_SCHEMAS: dict[str, dict[str, pa.DataType]] = {
    "settings": {
        "at_risk": pa.float64(),
        "off_track": pa.float64(),
    },
    "metrics": {
        "metric": pa.string(),
        "aggregation": pa.string(),
        "numerator": pa.string(),
        "denominator": pa.string(),
        "better": pa.string(),
    },
    "subjects": {"subject_kind": pa.string(), "subject_id": pa.string(), "metric": pa.string()},
    "filters": {
        "subject_kind": pa.string(),
        "subject_id": pa.string(),
        "key": pa.string(),
        "value": pa.string(),
    },
    "objectives": {
        "objective_id": pa.string(),
        "title": pa.string(),
        "owner": pa.string(),
        "parent_id": pa.string(),
        "weight": pa.float64(),
        "period_start": pa.date32(),
        "period_end": pa.date32(),
        "position": pa.int32(),
    },
    "key_results": {
        "kr_id": pa.string(),
        "objective_id": pa.string(),
        "title": pa.string(),
        "metric": pa.string(),
        "window_kind": pa.string(),
        "window_days": pa.int32(),
        "statistic": pa.string(),
        "baseline_value": pa.float64(),
        "baseline_start": pa.date32(),
        "baseline_end": pa.date32(),
        "target_kind": pa.string(),
        "target_value": pa.float64(),
        "change_pct": pa.float64(),
        "commit_value": pa.float64(),
        "stretch_value": pa.float64(),
        "weight": pa.float64(),
        "period_start": pa.date32(),
        "period_end": pa.date32(),
        "position": pa.int32(),
    },
    "kpis": {
        "kpi_id": pa.string(),
        "metric": pa.string(),
        "cadence": pa.string(),
        "target_value": pa.float64(),
    },
    "benchmarks": {
        "benchmark_id": pa.string(),
        "metric": pa.string(),
        "value": pa.float64(),
        "window_days": pa.int32(),
        "source": pa.string(),
    },
}


def _target(kr: KeyResult) -> dict[str, Any]:
    if isinstance(kr.target, BenchmarkTarget):
        return {
            "target_kind": "benchmark",
            "target_value": kr.target.value,
        }
    if isinstance(kr.target, ChangePct):
        return {"target_kind": "change_pct", "change_pct": kr.target.pct}
    return {"target_kind": "value", "target_value": float(kr.target)}


def _baseline(kr: KeyResult) -> dict[str, Any]:
    if isinstance(kr.baseline, Period):
        return {
            "baseline_start": kr.baseline.start,
            "baseline_end": kr.baseline.end,
        }
    return {"baseline_value": float(kr.baseline)}


def _rows(definitions: Definitions) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _SCHEMAS}
    rows["settings"].append(
        {
            "at_risk": definitions.thresholds.at_risk,
            "off_track": definitions.thresholds.off_track,
        }
    )
    for metric in definitions.metrics.values():
        rows["metrics"].append(
            {
                "metric": metric.key,
                "aggregation": metric.aggregation,
                "numerator": metric.ratio.numerator if metric.ratio else None,
                "denominator": metric.ratio.denominator if metric.ratio else None,
                "better": metric.better,
            }
        )
    position = 0
    for objective in definitions.objectives.values():
        rows["objectives"].append(
            {
                "objective_id": objective.id,
                "title": objective.title,
                "owner": objective.owner,
                "parent_id": objective.parent,
                "weight": objective.weight,
                "period_start": objective.period.start,
                "period_end": objective.period.end,
                "position": len(rows["objectives"]),
            }
        )
        for kr in objective.key_results:
            rows["key_results"].append(
                {
                    "kr_id": kr.id,
                    "objective_id": objective.id,
                    "title": kr.title,
                    "metric": kr.metric,
                    "window_kind": kr.window.kind,
                    "window_days": kr.window.days,
                    "statistic": kr.statistic,
                    **_baseline(kr),
                    **_target(kr),
                    "commit_value": kr.commit,
                    "stretch_value": kr.stretch,
                    "weight": kr.weight,
                    "period_start": objective.period.start,
                    "period_end": objective.period.end,
                    "position": position,
                }
            )
            position += 1
            _subject(rows, "kr", kr.id, kr.metric, kr.where)
    for kpi in definitions.kpis.values():
        rows["kpis"].append(
            {
                "kpi_id": kpi.id,
                "metric": kpi.metric,
                "cadence": kpi.cadence,
                "target_value": kpi.target_value(),
            }
        )
        _subject(rows, "kpi", kpi.id, kpi.metric, kpi.where)
    for benchmark in definitions.benchmarks.values():
        rows["benchmarks"].append(
            {
                "benchmark_id": benchmark.id,
                "metric": benchmark.metric,
                "value": benchmark.value,
                "window_days": benchmark.window.days,
                "source": benchmark.source,
            }
        )
        _subject(rows, "benchmark", benchmark.id, benchmark.metric, ())
    return rows


def _subject(
    rows: dict[str, list[dict[str, Any]]],
    kind: str,
    subject_id: str,
    metric: str,
    where: tuple[tuple[str, str], ...],
) -> None:
    rows["subjects"].append({"subject_kind": kind, "subject_id": subject_id, "metric": metric})
    for key, value in where:
        rows["filters"].append(
            {"subject_kind": kind, "subject_id": subject_id, "key": key, "value": value}
        )


def load_definition_tables(con: duckdb.DuckDBPyConnection, definitions: Definitions) -> None:
    """(Re)create the ``defs`` catalog on ``con`` from ``definitions``."""
    attached = con.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name = 'defs'"
    ).fetchone()
    if not attached or not attached[0]:
        con.execute("ATTACH ':memory:' AS defs")
    for name, rows in _rows(definitions).items():
        schema = pa.schema(list(_SCHEMAS[name].items()))
        columns = {field.name: [row.get(field.name) for row in rows] for field in schema}
        table = pa.Table.from_pydict(columns, schema=schema)
        con.register("definition_rows", table)
        # table names come from the constant _SCHEMAS above, never from input
        con.execute(f"CREATE OR REPLACE TABLE defs.{name} AS SELECT * FROM definition_rows")
        con.unregister("definition_rows")
