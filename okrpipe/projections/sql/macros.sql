-- Helpers of the projections, defined per connection (TEMP). SPEC 1, 5 and 6.

-- Observations as corrections and retractions leave them (SPEC 1), from the events ingested
-- by `known_at` (NULL: every event). The superseding event ingested last (highest seq) wins;
-- one whose target is not (yet) an observation in the log has no effect. `metrics` (NULL: all)
-- and [not_before, not_after] narrow the scan for incremental updates.
CREATE OR REPLACE TEMP MACRO effective_events(known_at, metrics, not_before, not_after) AS TABLE
    SELECT
        o.seq,
        o.event_id,
        o.metric,
        o.occurred_at,
        o.dimensions,
        o.batch_id,
        CASE WHEN s.last.kind = 'correction' THEN s.last.value ELSE o.value END AS value,
        o.value AS original_value,
        s.last.event_id AS superseded_by,
        s.last.kind AS superseded_kind
    FROM events o
    LEFT JOIN (
        SELECT
            supersedes,
            arg_max({'kind': kind, 'value': value, 'event_id': event_id}, seq) AS last
        FROM events
        WHERE kind <> 'observation' AND (known_at IS NULL OR ingested_at <= known_at)
        GROUP BY supersedes
    ) s ON s.supersedes = o.event_id
    WHERE o.kind = 'observation'
      AND (known_at IS NULL OR o.ingested_at <= known_at)
      AND (metrics IS NULL OR list_contains(metrics, o.metric))
      AND (not_before IS NULL OR o.occurred_at >= not_before)
      AND (not_after IS NULL OR o.occurred_at <= not_after)
      AND s.last.kind IS DISTINCT FROM 'retraction';

-- A day is a calendar date in the definitions' time zone.
CREATE OR REPLACE TEMP MACRO local_day(tz, instant) AS CAST(timezone(tz, instant) AS DATE);

-- Linear interpolation between (x0, y0) and (x1, y1).
CREATE OR REPLACE TEMP MACRO interpolate(x, x0, y0, x1, y1) AS
    y0 + (x - x0) / (x1 - x0) * (y1 - y0);

-- SPEC 6.3: the current value mapped through the anchors, clamped to [0, 1]. `sign` is +1
-- for an increasing key result and -1 for a decreasing one, so both read as increasing.
CREATE OR REPLACE TEMP MACRO anchor_score(v, b, c, t, s, sign) AS
    CASE
        WHEN v IS NULL OR sign IS NULL THEN NULL
        WHEN c IS NULL THEN greatest(0.0, least(1.0, interpolate(v, b, 0.0, t, 1.0)))
        WHEN v * sign <= b * sign THEN 0.0
        WHEN v * sign <= c * sign THEN interpolate(v, b, 0.0, c, 0.3)
        WHEN v * sign <= t * sign THEN interpolate(v, c, 0.3, t, 0.7)
        WHEN v * sign <= s * sign THEN interpolate(v, t, 0.7, s, 1.0)
        ELSE 1.0
    END;

-- SPEC 6.3: score and progress of a key result whose anchors give it a `direction`
-- ('increase' or 'decrease'); NULL without one (its anchors are not monotone).
CREATE OR REPLACE TEMP MACRO kr_score(v, b, c, t, s, direction) AS
    anchor_score(v, b, c, t, s, CASE direction WHEN 'increase' THEN 1 WHEN 'decrease' THEN -1 END);

CREATE OR REPLACE TEMP MACRO kr_progress_of(v, b, t, direction) AS
    CASE WHEN direction IS NOT NULL THEN (v - b) / (t - b) END;

-- SPEC 6.4: elapsed share of the period through day d.
CREATE OR REPLACE TEMP MACRO elapsed_share(d, period_start, period_end) AS
    greatest(0.0, least(1.0, (d - period_start + 1) / (period_end - period_start + 1)));

-- SPEC 6.4: the first rule that holds. Differences are rounded to 9 decimals so that a
-- progress of exactly 0.1 behind the line is on_track, whatever binary floating point says.
CREATE OR REPLACE TEMP MACRO kr_status(d, period_start, period_end, current, progress,
                                       expected, at_risk, off_track) AS
    CASE
        WHEN d < period_start THEN 'not_started'
        WHEN current IS NULL OR progress IS NULL THEN 'no_data'
        WHEN d >= period_end THEN
            CASE WHEN round(progress, 9) >= 1 THEN 'achieved' ELSE 'missed' END
        WHEN round(expected - progress, 9) <= at_risk THEN 'on_track'
        WHEN round(expected - progress, 9) <= off_track THEN 'at_risk'
        ELSE 'off_track'
    END;

-- SPEC 6.5: from worst (1) to best (7).
CREATE OR REPLACE TEMP MACRO status_rank(status) AS
    CASE status
        WHEN 'missed' THEN 1 WHEN 'off_track' THEN 2 WHEN 'at_risk' THEN 3 WHEN 'no_data' THEN 4
        WHEN 'on_track' THEN 5 WHEN 'achieved' THEN 6 WHEN 'not_started' THEN 7
    END;

CREATE OR REPLACE TEMP MACRO status_of_rank(r) AS
    ['missed', 'off_track', 'at_risk', 'no_data', 'on_track', 'achieved', 'not_started'][r];
