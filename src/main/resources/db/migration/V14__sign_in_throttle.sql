-- Failed sign-in budgets per account (a user's email or an app's client id, hashed), shared by every instance on
-- PostgreSQL so an attacker cannot multiply an account's budget by spreading attempts over instances. Bucket4j owns
-- the rows (signin/SignInThrottle): `state` is its serialized bucket. On the embedded default (one process) the
-- buckets live in memory and this table stays empty.
CREATE TABLE sign_in_bucket (
    id     VARCHAR(100) PRIMARY KEY,
    state  BYTEA
);
