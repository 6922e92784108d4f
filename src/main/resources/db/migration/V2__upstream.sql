-- Upstream data shared by every tenant: the taxonomy, companies, contact records and daily intent signals.
-- Bucketed attributes are stored as the bucket's index; the field catalog gives each index its label and bounds.

CREATE TABLE taxonomy_category (
    id           UUID PRIMARY KEY,
    name         VARCHAR(200) NOT NULL,
    description  VARCHAR(2000),
    status       VARCHAR(16) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE
);

CREATE TABLE taxonomy_subcategory (
    id           UUID PRIMARY KEY,
    category_id  UUID NOT NULL REFERENCES taxonomy_category (id),
    name         VARCHAR(200) NOT NULL,
    description  VARCHAR(2000),
    status       VARCHAR(16) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX taxonomy_subcategory_category ON taxonomy_subcategory (category_id);

-- topic_key is the compact surrogate the signal table stores; id is the public vendor-prefixed id (4eyes_115481).
CREATE TABLE taxonomy_topic (
    id              VARCHAR(64) PRIMARY KEY,
    topic_key       INT NOT NULL UNIQUE,
    subcategory_id  UUID NOT NULL REFERENCES taxonomy_subcategory (id),
    name            VARCHAR(300) NOT NULL,
    description     VARCHAR(2000),
    keywords        VARCHAR(2000),
    topic_type      VARCHAR(8) NOT NULL,
    status          VARCHAR(16) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX taxonomy_topic_subcategory ON taxonomy_topic (subcategory_id);

CREATE TABLE company (
    id               BIGINT PRIMARY KEY,
    name             VARCHAR(200) NOT NULL,
    domain           VARCHAR(200),
    industry         VARCHAR(100),
    employee_bucket  SMALLINT,
    revenue_bucket   SMALLINT,
    country          VARCHAR(2),
    state            VARCHAR(100)
);

-- A contact record; a resolved profile may carry several (profile_id repeats).
CREATE TABLE contact_record (
    id                      BIGINT PRIMARY KEY,
    profile_id              BIGINT NOT NULL,
    company_id              BIGINT REFERENCES company (id),
    first_name              VARCHAR(100),
    last_name               VARCHAR(100),
    gender                  VARCHAR(16),
    age_bucket              SMALLINT,
    job_title               VARCHAR(200),
    job_title_normalized    VARCHAR(200),
    department              VARCHAR(64),
    seniority_level         VARCHAR(16),
    income_bucket           SMALLINT,
    net_worth_bucket        SMALLINT,
    has_children            BOOLEAN,
    is_homeowner            BOOLEAN,
    is_married              BOOLEAN,
    linkedin_url            VARCHAR(300),
    personal_email          VARCHAR(254),
    current_business_email  VARCHAR(254),
    mobile_phone            VARCHAR(32),
    personal_city           VARCHAR(100),
    personal_state          VARCHAR(100),
    personal_state_code     VARCHAR(8),
    personal_zip            VARCHAR(16),
    personal_country        VARCHAR(2)
);
CREATE INDEX contact_record_profile ON contact_record (profile_id);
CREATE INDEX contact_record_company ON contact_record (company_id);

-- One row per (profile, topic, day) with a signal; the loader replaces a whole day at a time. Covering index: a selective build is an index-only range scan.
CREATE TABLE intent_signal (
    profile_id   BIGINT NOT NULL,
    topic_key    INT NOT NULL,
    event_day    DATE NOT NULL,
    score        SMALLINT NOT NULL,
    impressions  INT NOT NULL
);
CREATE INDEX intent_signal_covering ON intent_signal (topic_key, event_day, profile_id, score, impressions);

-- A day's signals are visible to builds only once its partition has landed (late days land later).
CREATE TABLE upstream_partition (
    event_day     DATE PRIMARY KEY,
    landed_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    signal_count  BIGINT NOT NULL
);
