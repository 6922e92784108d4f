-- The rate limit's token buckets, one per tenant (top-level organization) and policy, when instances share a
-- PostgreSQL database. Bucket4j owns the rows (auth/RateLimiter): `state` is its serialized bucket; instances
-- report the tokens they spent in small batches, so most requests never touch this table.
-- On the embedded default the buckets live in memory and this table stays empty.
CREATE TABLE rate_limit_bucket (
    id     VARCHAR(100) PRIMARY KEY,
    state  BYTEA
);
