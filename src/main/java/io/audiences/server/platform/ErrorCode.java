package io.audiences.server.platform;

import java.util.Locale;

/**
 * Every problem {@code code} the API answers, in the order of {@code x-problem-codes} in {@code openapi.yaml}, where
 * each one's status and meaning are documented (and served at {@code GET /docs/errors}). Throw sites name a constant,
 * never a string, and {@code ErrorCodeTest} checks this list against the contract both ways: every constant is
 * documented and used, every documented code is a constant.
 */
public enum ErrorCode {
    VALIDATION_FAILED,
    MALFORMED_JSON,
    MALFORMED_BODY,
    BODY_REQUIRED,
    INVALID_PARAMETER,
    UNKNOWN_PARAMETER,
    INVALID_FILTER,
    UNKNOWN_TOPIC,
    INTENT_RULE_REQUIRED,
    NAME_REQUIRED,
    NAME_CONFLICTING,
    UNKNOWN_COLUMN,
    DUPLICATE_COLUMN,
    EVENTS_NOT_SUPPORTED,
    UNKNOWN_SUBCATEGORY,
    APP_CREDENTIALS_REQUIRED,
    INVALID_APP_CREDENTIALS,
    REVIEWER_ONLY,
    TOPIC_REQUEST_DECIDED,
    TOPIC_REQUEST_INCOMPLETE,
    PROJECT_REQUIRED,
    PROJECT_MISMATCH,
    ORGANIZATION_MISMATCH,
    PASSWORD_UNCHANGED,
    INVALID_CURRENT_PASSWORD,
    WEBHOOK_TARGET_FORBIDDEN,
    BAD_REQUEST,
    UNAUTHORIZED,
    INVALID_CREDENTIALS,
    PASSWORD_CHANGE_REQUIRED,
    USER_DISABLED,
    ORGANIZATION_INACTIVE,
    INSUFFICIENT_SCOPE,
    USER_REQUIRED,
    OWN_USER,
    OWN_ORGANIZATION_STATUS,
    CORS_ORIGIN_NOT_ALLOWED,
    CORS_PREFLIGHT_NOT_ALLOWED,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    EMAIL_TAKEN,
    QUOTA_EXCEEDED,
    IDEMPOTENCY_IN_PROGRESS,
    AUDIENCE_PAUSED,
    AUDIENCE_ALREADY_PAUSED,
    AUDIENCE_NOT_PAUSED,
    AUDIENCE_SYNCING,
    AUDIENCE_NOT_READY,
    ORG_INACTIVE,
    PROJECT_INACTIVE,
    PREVIEW_ONLY,
    PRECONDITION_FAILED,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    RANGE_NOT_SATISFIABLE,
    IDEMPOTENCY_KEY_REUSED,
    RATE_LIMITED,
    TOO_MANY_ATTEMPTS,
    BUILD_BACKLOG_FULL,
    INTERNAL_ERROR,
    DATABASE_UNAVAILABLE,
    DATABASE_BUSY,
    OVERLOADED;

    /** The wire form: the constant's name in lower case. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
