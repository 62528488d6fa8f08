-- Table and column comments of the serving database; BI tools show them to their users.

COMMENT ON TABLE batches IS 'One row per input file seen: what happened to it and how many rows went where (rows_read = rows_accepted + rows_duplicate + rows_rejected).';
COMMENT ON COLUMN batches.batch_id IS 'Batch number, in ingest order.';
COMMENT ON COLUMN batches.source_uri IS 'The file''s absolute path.';
COMMENT ON COLUMN batches.sha256 IS 'Content hash; the same content is never ingested twice.';
COMMENT ON COLUMN batches.format IS 'ndjson, csv or parquet.';
COMMENT ON COLUMN batches.status IS 'committed, skipped_duplicate, rejected (too many bad rows) or failed (unreadable).';
COMMENT ON COLUMN batches.rows_read IS 'Rows in the file.';
COMMENT ON COLUMN batches.rows_accepted IS 'Rows appended to the event log.';
COMMENT ON COLUMN batches.rows_duplicate IS 'Rows already in the log with the same content.';
COMMENT ON COLUMN batches.rows_rejected IS 'Rows quarantined in rejected_events.';
COMMENT ON COLUMN batches.started_at IS 'When processing started (wall clock).';
COMMENT ON COLUMN batches.finished_at IS 'When processing finished (wall clock).';
COMMENT ON COLUMN batches.error IS 'Why the batch was rejected or failed.';
COMMENT ON COLUMN batches.ingested_at IS 'The ingest clock stamped on the batch''s events.';

COMMENT ON TABLE validation_runs IS 'One row per validated batch: the Great Expectations suite''s verdict and its result document.';
COMMENT ON COLUMN validation_runs.suite IS 'Expectation suite name.';
COMMENT ON COLUMN validation_runs.success IS 'True when every expectation passed.';
COMMENT ON COLUMN validation_runs.evaluated IS 'Expectations evaluated.';
COMMENT ON COLUMN validation_runs.failed IS 'Expectations that found failing rows.';
COMMENT ON COLUMN validation_runs.results IS 'GX''s validation result document (JSON).';

COMMENT ON TABLE metric_daily IS 'Each metric per local day and dimension set, with what any aggregation needs (sum, count, min, max, NPS counts, latest value).';
COMMENT ON COLUMN metric_daily.metric IS 'Metric key.';
COMMENT ON COLUMN metric_daily.day IS 'Calendar day in the definitions'' time zone.';
COMMENT ON COLUMN metric_daily.dimensions IS 'The dimension set (JSON object, sorted keys).';
COMMENT ON COLUMN metric_daily.events IS 'Effective events (after corrections and retractions).';
COMMENT ON COLUMN metric_daily.value_sum IS 'Sum of values.';
COMMENT ON COLUMN metric_daily.value_min IS 'Smallest value.';
COMMENT ON COLUMN metric_daily.value_max IS 'Largest value.';
COMMENT ON COLUMN metric_daily.promoters IS 'Values >= 9 (NPS).';
COMMENT ON COLUMN metric_daily.detractors IS 'Values <= 6 (NPS).';
COMMENT ON COLUMN metric_daily.last_value IS 'Value of the latest event (by occurred_at, then seq).';

COMMENT ON TABLE kr_progress IS 'Every key result at the as-of date: current value, anchors, progress, score and status.';
COMMENT ON COLUMN kr_progress.as_of IS 'The as-of date D.';
COMMENT ON COLUMN kr_progress.objective_id IS 'The key result''s objective.';
COMMENT ON COLUMN kr_progress.kr_id IS 'Key result id.';
COMMENT ON COLUMN kr_progress.metric IS 'The metric it measures.';
COMMENT ON COLUMN kr_progress.window_start IS 'First day of the window the current value covers.';
COMMENT ON COLUMN kr_progress.window_end IS 'Last day of that window.';
COMMENT ON COLUMN kr_progress.current_value IS 'The metric over the window (daily average if so defined); NULL without data.';
COMMENT ON COLUMN kr_progress.baseline IS 'Value at score 0.';
COMMENT ON COLUMN kr_progress.target IS 'Value at score 1 (0.7 with levels).';
COMMENT ON COLUMN kr_progress."commit" IS 'Value at score 0.3 (levels only).';
COMMENT ON COLUMN kr_progress.stretch IS 'Value at score 1.0 (levels only).';
COMMENT ON COLUMN kr_progress.direction IS 'increase or decrease.';
COMMENT ON COLUMN kr_progress.progress IS '(current - baseline) / (target - baseline); can exceed 1.';
COMMENT ON COLUMN kr_progress.score IS 'Current value through the anchors, 0..1.';
COMMENT ON COLUMN kr_progress.elapsed IS 'Share of the period elapsed by the as-of date.';
COMMENT ON COLUMN kr_progress.expected_progress IS 'Where progress should be by now (= elapsed).';
COMMENT ON COLUMN kr_progress.status IS 'not_started, no_data, on_track, at_risk, off_track, achieved or missed.';
COMMENT ON COLUMN kr_progress.known_at IS 'The state of knowledge: events ingested by then.';

COMMENT ON TABLE kr_progress_daily IS 'Every key result on each day of its period up to the as-of date.';
COMMENT ON COLUMN kr_progress_daily.day IS 'The day the figures are computed for.';
COMMENT ON COLUMN kr_progress_daily.current_value IS 'The metric over the window ending that day.';
COMMENT ON COLUMN kr_progress_daily.progress IS 'Progress that day.';
COMMENT ON COLUMN kr_progress_daily.score IS 'Score that day.';
COMMENT ON COLUMN kr_progress_daily.expected_progress IS 'Share of the period elapsed that day.';
COMMENT ON COLUMN kr_progress_daily.status IS 'Status that day.';

COMMENT ON TABLE objective_progress IS 'Every objective at the as-of date: weighted score of its key results, roll-up through child objectives, worst status.';
COMMENT ON COLUMN objective_progress.objective_id IS 'Objective id.';
COMMENT ON COLUMN objective_progress.parent_id IS 'Parent objective (alignment).';
COMMENT ON COLUMN objective_progress.period_start IS 'First day of the period.';
COMMENT ON COLUMN objective_progress.period_end IS 'Last day of the period.';
COMMENT ON COLUMN objective_progress.score IS 'Weighted mean of its key results'' scores (a key result without a score counts as 0).';
COMMENT ON COLUMN objective_progress.rollup_score IS 'Weighted mean over its key results and child objectives'' roll-up scores.';
COMMENT ON COLUMN objective_progress.status IS 'The worst status of its key results.';

COMMENT ON TABLE kpi_scorecard IS 'Every KPI per cadence period, from its first event through the period containing the as-of date.';
COMMENT ON COLUMN kpi_scorecard.kpi_id IS 'KPI id.';
COMMENT ON COLUMN kpi_scorecard.cadence IS 'day, week (ISO, Monday first), month or quarter.';
COMMENT ON COLUMN kpi_scorecard.period_start IS 'First day of the period.';
COMMENT ON COLUMN kpi_scorecard.period_end IS 'Last day of the period.';
COMMENT ON COLUMN kpi_scorecard.value IS 'The metric over the period''s days up to the as-of date.';
COMMENT ON COLUMN kpi_scorecard.target IS 'The KPI target.';
COMMENT ON COLUMN kpi_scorecard.met IS 'Whether the value meets the target (per the metric''s better).';
COMMENT ON COLUMN kpi_scorecard.attainment IS 'value / target (target / value when lower is better).';
COMMENT ON COLUMN kpi_scorecard.change IS 'value minus the previous period''s value.';
COMMENT ON COLUMN kpi_scorecard.partial IS 'True for the period still in progress.';

COMMENT ON TABLE benchmark_comparison IS 'Every benchmark against the metric''s value over its trailing window at the as-of date.';
COMMENT ON COLUMN benchmark_comparison.benchmark_id IS 'Benchmark id.';
COMMENT ON COLUMN benchmark_comparison.value IS 'The metric over the window.';
COMMENT ON COLUMN benchmark_comparison.benchmark_value IS 'The external reference value.';
COMMENT ON COLUMN benchmark_comparison.gap IS 'value - benchmark_value.';
COMMENT ON COLUMN benchmark_comparison.relative_gap IS 'gap / |benchmark_value|.';
COMMENT ON COLUMN benchmark_comparison.favorable IS 'Whether the gap is on the good side.';

COMMENT ON TABLE kr_snapshots IS 'kr_progress as it stood at each weekly review (label, taken_at); reproducible with okrpipe status --known-at.';
COMMENT ON COLUMN kr_snapshots.label IS 'The snapshot''s name.';
COMMENT ON COLUMN kr_snapshots.taken_at IS 'When it was taken.';

COMMENT ON TABLE publication IS 'What this file holds: one row written when it was published.';
COMMENT ON COLUMN publication.published_at IS 'When this file replaced the previous one.';
COMMENT ON COLUMN publication.as_of IS 'As-of date of the projections.';
COMMENT ON COLUMN publication.known_at IS 'State of knowledge of the projections.';
COMMENT ON COLUMN publication.last_seq IS 'The last event (seq) folded into the projections.';
COMMENT ON COLUMN publication.events IS 'Events in the log at publication.';
COMMENT ON COLUMN publication.okrpipe_version IS 'Version that wrote the file.';
