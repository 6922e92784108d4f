-- Audiences, their build jobs and immutable member snapshots.

-- Ids come from sequences so the inserting code knows them without RETURNING (which H2 lacks).
CREATE SEQUENCE audience_seq START WITH 1001;
CREATE SEQUENCE audience_build_seq START WITH 1;

CREATE TABLE audience (
    id                      BIGINT PRIMARY KEY,
    organization_id         UUID NOT NULL REFERENCES organization (id),
    project_id              UUID NOT NULL REFERENCES project (id),
    name                    VARCHAR(200) NOT NULL,
    description             VARCHAR(2000),
    audience_type           VARCHAR(16) NOT NULL,
    segmentation_type       VARCHAR(16) NOT NULL,
    filter_json             VARCHAR(100000) NOT NULL,
    intent_window_days      INT NOT NULL,
    refresh_schedule        VARCHAR(16) NOT NULL,
    mode                    VARCHAR(16) NOT NULL,
    status                  VARCHAR(16) NOT NULL,
    error                   VARCHAR(2000),
    task_id                 VARCHAR(64),
    current_build_id        BIGINT,
    latest_build_id         BIGINT,
    record_count            BIGINT NOT NULL,
    distinct_profile_count  BIGINT NOT NULL,
    bucket_counts           VARCHAR(200) NOT NULL,
    data_through            DATE,
    last_built_at           TIMESTAMP WITH TIME ZONE,
    renew_time              TIMESTAMP WITH TIME ZONE,
    previous_renew_time     TIMESTAMP WITH TIME ZONE,
    paused_at               TIMESTAMP WITH TIME ZONE,
    pause_reason            VARCHAR(32),
    version                 BIGINT NOT NULL,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at              TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX audience_project ON audience (project_id, id);
CREATE INDEX audience_renewal ON audience (renew_time);

-- One row per build attempt chain. Claimed with a lease; a lease that runs out is claimable again.
CREATE TABLE audience_build (
    id             BIGINT PRIMARY KEY,
    audience_id    BIGINT NOT NULL REFERENCES audience (id) ON DELETE CASCADE,
    status         VARCHAR(16) NOT NULL,
    attempts       INT NOT NULL,
    lease_owner    VARCHAR(64),
    lease_until    TIMESTAMP WITH TIME ZONE,
    error          VARCHAR(2000),
    data_through   DATE,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at     TIMESTAMP WITH TIME ZONE,
    finished_at    TIMESTAMP WITH TIME ZONE
);
CREATE INDEX audience_build_claim ON audience_build (status, lease_until);
CREATE INDEX audience_build_audience ON audience_build (audience_id);

-- The snapshot of one build. Readers only see the build the audience points to (current_build_id).
CREATE TABLE audience_member (
    build_id          BIGINT NOT NULL,
    record_id         BIGINT NOT NULL,
    profile_id        BIGINT NOT NULL,
    intent_frequency  INT NOT NULL,
    impression_count  BIGINT NOT NULL,
    last_signal_day   DATE,
    PRIMARY KEY (build_id, record_id)
);

-- Replays of create requests sent with an Idempotency-Key (kept 24 hours).
CREATE TABLE idempotency_key (
    organization_id  UUID NOT NULL,
    idem_key         VARCHAR(255) NOT NULL,
    request_hash     CHAR(64) NOT NULL,
    response_body    VARCHAR(200000) NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (organization_id, idem_key)
);
