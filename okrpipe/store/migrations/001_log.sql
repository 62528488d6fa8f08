-- The append-only log and its bookkeeping (SPEC 7: events, rejected_events, batches).
-- No primary key on events: DuckDB's ART index makes bulk inserts ~5x slower; identity is
-- enforced set-based at ingest (okrpipe/ingest/identity.sql) under the single-writer lock.

CREATE TABLE IF NOT EXISTS batches (
    batch_id            INTEGER PRIMARY KEY,
    source_uri          VARCHAR NOT NULL,
    sha256              VARCHAR,
    format              VARCHAR,
    compression         VARCHAR,
    status              VARCHAR NOT NULL,
    rows_read           BIGINT NOT NULL,
    rows_accepted       BIGINT NOT NULL,
    rows_duplicate      BIGINT NOT NULL,
    rows_rejected       BIGINT NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ NOT NULL,
    error               VARCHAR,
    ingested_at         TIMESTAMPTZ NOT NULL,
    file_bytes          BIGINT,
    seq_first           BIGINT,
    seq_last            BIGINT,
    warnings            BIGINT NOT NULL,
    warning_details     JSON,
    max_reject_fraction DOUBLE,
    duplicate_of        INTEGER
);

CREATE TABLE IF NOT EXISTS events (
    seq             BIGINT NOT NULL,
    event_id        VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    supersedes      VARCHAR,
    metric          VARCHAR,
    value           DOUBLE,
    occurred_at     TIMESTAMPTZ,
    dimensions      JSON NOT NULL,
    source          VARCHAR,
    schema_version  INTEGER NOT NULL,
    batch_id        INTEGER NOT NULL,
    ingested_at     TIMESTAMPTZ NOT NULL,
    row_number      BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS rejected_events (
    batch_id    INTEGER NOT NULL,
    row_number  BIGINT NOT NULL,
    raw         VARCHAR,
    reasons     VARCHAR[] NOT NULL,
    rejected_at TIMESTAMPTZ NOT NULL,
    event_id    VARCHAR
);

CREATE TABLE IF NOT EXISTS validation_runs (
    batch_id      INTEGER NOT NULL,
    suite         VARCHAR NOT NULL,
    suite_version VARCHAR NOT NULL,
    success       BOOLEAN NOT NULL,
    evaluated     INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    results       JSON NOT NULL,
    engine        VARCHAR NOT NULL,
    duration_ms   DOUBLE NOT NULL,
    validated_at  TIMESTAMPTZ NOT NULL
);
