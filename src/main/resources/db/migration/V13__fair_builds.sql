-- Fair builds: each build names its tenant (the top-level organization above the audience's organization), so
-- workers share themselves between tenants instead of taking the oldest build of whoever queued the most, and
-- a tenant's queued backlog can be counted and bounded.
ALTER TABLE audience_build ADD COLUMN tenant_id UUID;
UPDATE audience_build b SET tenant_id = (
    SELECT tc.ancestor_id FROM audience a
    JOIN organization_closure tc ON tc.descendant_id = a.organization_id
    JOIN organization tr ON tr.id = tc.ancestor_id
    WHERE a.id = b.audience_id AND tr.parent_id IS NULL);
ALTER TABLE audience_build ALTER COLUMN tenant_id SET NOT NULL;
-- The claim looks at one tenant's claimable builds, oldest first; the backlog check counts a tenant's Pending ones.
CREATE INDEX audience_build_tenant ON audience_build (tenant_id, status, id);
