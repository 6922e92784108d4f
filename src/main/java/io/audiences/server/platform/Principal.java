package io.audiences.server.platform;

import java.util.UUID;

/**
 * Who is calling: every credential resolves to one organization.
 *
 * @param organizationId the organization the credential acts for
 * @param kind           which kind of credential
 * @param subjectId      the user, app or API client behind it
 */
public record Principal(UUID organizationId, Kind kind, UUID subjectId) {

    /** The three ways in. */
    public enum Kind { USER, APP, API_KEY }
}
