-- Idempotency keys of every state-changing POST, claimed atomically (see idempotency.Idempotency). Replaces V3's
-- create-only table, whose delete-then-insert let two concurrent requests both run; its rows (at most a day of
-- audience-create replays, stored with the plaintext key) are not carried over.
DROP TABLE idempotency_key;

-- One row per (organization, key): the primary key is the claim, the first insert wins. While a request runs, its row
-- has claimed_until (the lease) and no reply; the reply is written in the transaction of the change it answers.
CREATE TABLE idempotent_request (
    organization_id  UUID NOT NULL,
    key_hash         CHAR(64) NOT NULL,                -- SHA-256 of the Idempotency-Key; the key itself is not stored
    fingerprint      CHAR(64) NOT NULL,                -- SHA-256 of method, path, project and body
    claim_id         UUID NOT NULL,                    -- new on every claim; later writes are conditional on it
    claimed_until    TIMESTAMP WITH TIME ZONE,         -- in flight until then; NULL once completed
    status_code      INT,                              -- the reply: NULL while in flight
    content_type     VARCHAR(100),
    location         VARCHAR(500),
    etag             VARCHAR(200),
    body             BYTEA,                            -- AES-GCM under a key derived from the Idempotency-Key
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (organization_id, key_hash)
);
CREATE INDEX idempotent_request_created ON idempotent_request (created_at);
