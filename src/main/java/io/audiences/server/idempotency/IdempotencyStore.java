package io.audiences.server.idempotency;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import io.audiences.server.platform.Database;
import io.audiences.server.platform.Timestamps;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

/**
 * All SQL of idempotency keys. One row per (organization, key hash); the primary key is the claim: the first
 * insert wins. Every later change of a row is conditional on the claim id it was read with, so two requests never
 * both believe they hold a key.
 */
public final class IdempotencyStore {

    private final Database db;

    public IdempotencyStore(Database db) {
        this.db = db;
    }

    /** A key's row: in flight while {@code status} is empty, completed otherwise. */
    record Row(String fingerprint, UUID claimId, Instant claimedUntil, Optional<Integer> status, String contentType,
               String location, String etag, byte[] body, Instant createdAt) { }

    /** Claims a free key, committed at once; false when the key already has a row. */
    boolean insert(UUID organizationId, String keyHash, String fingerprint, UUID claimId, Instant now, Instant claimedUntil) {
        try {
            db.client().execute().insert("INSERT INTO idempotent_request (organization_id, key_hash, fingerprint, claim_id, "
                            + "claimed_until, created_at) VALUES (?, ?, ?, ?, ?, ?)", organizationId, keyHash, fingerprint,
                    claimId, Timestamps.param(claimedUntil), Timestamps.param(now));
            return true;
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    Optional<Row> find(UUID organizationId, String keyHash) {
        return db.client().execute().get("SELECT fingerprint, claim_id, claimed_until, status_code, content_type, location, "
                + "etag, body, created_at FROM idempotent_request WHERE organization_id = ? AND key_hash = ?",
                organizationId, keyHash).map(IdempotencyStore::row);
    }

    /**
     * Claims a key whose row is past its retention or whose claim ran out (its request died), unless someone else
     * changed the row since it was read with {@code previousClaim}.
     */
    boolean takeOver(UUID organizationId, String keyHash, UUID previousClaim, String fingerprint, UUID claimId, Instant now,
                     Instant claimedUntil, Instant retainedSince) {
        return db.client().execute().update("UPDATE idempotent_request SET fingerprint = ?, claim_id = ?, claimed_until = ?, "
                        + "created_at = ?, status_code = NULL, content_type = NULL, location = NULL, etag = NULL, body = NULL "
                        + "WHERE organization_id = ? AND key_hash = ? AND claim_id = ? "
                        + "AND (created_at < ? OR (status_code IS NULL AND claimed_until < ?))",
                fingerprint, claimId, Timestamps.param(claimedUntil), Timestamps.param(now), organizationId, keyHash,
                previousClaim, Timestamps.param(retainedSince), Timestamps.param(now)) == 1;
    }

    /** Stores the reply in the transaction of the change it answers; false if the claim is no longer held. */
    boolean complete(DbExecute tx, UUID organizationId, String keyHash, UUID claimId, int status, String contentType,
                     String location, String etag, byte[] sealedBody) {
        return tx.update("UPDATE idempotent_request SET status_code = ?, content_type = ?, location = ?, etag = ?, body = ?, "
                        + "claimed_until = NULL WHERE organization_id = ? AND key_hash = ? AND claim_id = ? AND status_code IS NULL",
                status, contentType, location, etag, sealedBody, organizationId, keyHash, claimId) == 1;
    }

    /** Frees a key whose request failed (nothing was changed, so a retry may run it). */
    void release(UUID organizationId, String keyHash, UUID claimId) {
        db.client().execute().delete("DELETE FROM idempotent_request WHERE organization_id = ? AND key_hash = ? "
                + "AND claim_id = ? AND status_code IS NULL", organizationId, keyHash, claimId);
    }

    /** Deletes the rows past their retention. */
    long prune(Instant retainedSince) {
        return db.client().execute().delete("DELETE FROM idempotent_request WHERE created_at < ?",
                Timestamps.param(retainedSince));
    }

    private static Row row(DbRow r) {
        return new Row(r.column("fingerprint").get(String.class), r.column("claim_id").get(UUID.class),
                Timestamps.column(r, "claimed_until"), r.column("status_code").asOptional().map(v -> ((Number) v).intValue()),
                r.column("content_type").get(String.class), r.column("location").get(String.class),
                r.column("etag").get(String.class), r.column("body").get(byte[].class), Timestamps.column(r, "created_at"));
    }
}
