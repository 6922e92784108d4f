package io.audiences.server.audiences;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;

/** Renewal ticks: daily at 09:00 UTC, weekly on Saturdays at 18:00 UTC, never for manual. */
public final class Schedules {

    public static final String DAILY = "daily";
    public static final String WEEKLY = "weekly";
    public static final String MANUAL = "manual";

    private Schedules() {
    }

    /** The first tick strictly after {@code after}, or null for manual audiences. */
    public static Instant next(String schedule, Instant after) {
        ZonedDateTime now = after.atZone(ZoneOffset.UTC);
        return switch (schedule) {
            case DAILY -> {
                ZonedDateTime tick = now.with(LocalTime.of(9, 0));
                yield (tick.isAfter(now) ? tick : tick.plusDays(1)).toInstant();
            }
            case WEEKLY -> {
                ZonedDateTime tick = now.with(TemporalAdjusters.nextOrSame(DayOfWeek.SATURDAY)).with(LocalTime.of(18, 0));
                yield (tick.isAfter(now) ? tick : tick.plusWeeks(1)).toInstant();
            }
            default -> null;
        };
    }
}
