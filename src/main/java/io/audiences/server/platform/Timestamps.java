package io.audiences.server.platform;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.helidon.dbclient.DbRow;

/** Conversions between what the drivers return and what the API writes. */
public final class Timestamps {

    private static final DateTimeFormatter LEGACY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    /** H2 returns OffsetDateTime for TIMESTAMP WITH TIME ZONE, PgJDBC a Timestamp. */
    public static Instant instant(Object value) {
        return switch (value) {
            case null -> null;
            case OffsetDateTime odt -> odt.toInstant();
            case Timestamp ts -> ts.toInstant();
            case Instant i -> i;
            default -> throw new IllegalArgumentException("Not a timestamp: " + value.getClass());
        };
    }

    /** A DATE value as either driver returns it. */
    public static LocalDate date(Object value) {
        return value instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) value;
    }

    /** A nullable timestamp column of a row. */
    public static Instant column(DbRow row, String name) {
        return row.column(name).asOptional().map(Timestamps::instant).orElse(null);
    }

    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Parameter form accepted by both drivers for TIMESTAMP WITH TIME ZONE. */
    public static OffsetDateTime param(Instant instant) {
        return utc(instant);
    }

    /** The upstream API's `YYYY-MM-DD HH:MM:SS` form used on API clients and apps. */
    public static String legacy(Instant instant) {
        return instant == null ? null : LEGACY.format(instant);
    }
}
