-- Versions for conditional changes (issue 13): every write of an organization or project increments its version,
-- which its ETag (W/"<id>-<version>") names, so PATCH with If-Match can refuse a stale one (412) as audiences do.
ALTER TABLE organization ADD COLUMN version BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE project ADD COLUMN version BIGINT DEFAULT 0 NOT NULL;
-- Users and API clients likewise: a user's status change or deletion, an API client's secret_enforced change or
-- deletion, each is a new version.
ALTER TABLE app_user ADD COLUMN version BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE api_client ADD COLUMN version BIGINT DEFAULT 0 NOT NULL;
