-- Projections of the log (SPEC 5-7) and the bookkeeping that keeps them incremental.
-- Every table here can be rebuilt from `events` and the definitions: `okrpipe rebuild`.

CREATE TABLE IF NOT EXISTS metric_daily (
    metric            VARCHAR NOT NULL,
    day               DATE NOT NULL,
    dimensions        JSON NOT NULL,
    events            BIGINT NOT NULL,
    value_sum         DOUBLE,
    value_min         DOUBLE,
    value_max         DOUBLE,
    promoters         BIGINT NOT NULL,
    detractors        BIGINT NOT NULL,
    last_value        DOUBLE,
    last_occurred_at  TIMESTAMPTZ,
    last_seq          BIGINT
);

CREATE TABLE IF NOT EXISTS kr_progress (
    as_of             DATE NOT NULL,
    objective_id      VARCHAR NOT NULL,
    kr_id             VARCHAR NOT NULL,
    title             VARCHAR,
    metric            VARCHAR NOT NULL,
    window_start      DATE,
    window_end        DATE,
    current_value     DOUBLE,
    baseline          DOUBLE,
    target            DOUBLE,
    "commit"          DOUBLE,
    stretch           DOUBLE,
    direction         VARCHAR,
    progress          DOUBLE,
    score             DOUBLE,
    elapsed           DOUBLE,
    expected_progress DOUBLE,
    status            VARCHAR NOT NULL,
    events            BIGINT,
    weight            DOUBLE NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    note              VARCHAR,
    known_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS kr_progress_daily (
    kr_id             VARCHAR NOT NULL,
    day               DATE NOT NULL,
    current_value     DOUBLE,
    progress          DOUBLE,
    score             DOUBLE,
    expected_progress DOUBLE,
    status            VARCHAR NOT NULL,
    known_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS objective_progress (
    as_of             DATE NOT NULL,
    objective_id      VARCHAR NOT NULL,
    title             VARCHAR,
    owner             VARCHAR,
    parent_id         VARCHAR,
    weight            DOUBLE NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    score             DOUBLE,
    rollup_score      DOUBLE,
    status            VARCHAR,
    key_results       INTEGER NOT NULL,
    known_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS kpi_scorecard (
    kpi_id            VARCHAR NOT NULL,
    metric            VARCHAR NOT NULL,
    cadence           VARCHAR NOT NULL,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    value             DOUBLE,
    target            DOUBLE,
    met               BOOLEAN,
    attainment        DOUBLE,
    change            DOUBLE,
    partial           BOOLEAN NOT NULL,
    events            BIGINT,
    known_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS benchmark_comparison (
    as_of             DATE NOT NULL,
    benchmark_id      VARCHAR NOT NULL,
    metric            VARCHAR NOT NULL,
    window_start      DATE NOT NULL,
    window_end        DATE NOT NULL,
    value             DOUBLE,
    benchmark_value   DOUBLE NOT NULL,
    gap               DOUBLE,
    relative_gap      DOUBLE,
    favorable         BOOLEAN,
    source            VARCHAR,
    known_at          TIMESTAMPTZ NOT NULL
);

-- What the projections reflect: the last seq folded in, the as-of date, the definitions.
CREATE TABLE IF NOT EXISTS projection_state (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
