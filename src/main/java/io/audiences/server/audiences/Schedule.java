package io.audiences.server.audiences;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;

/** How an audience is renewed: daily at 09:00 UTC, weekly on Saturdays at 18:00 UTC, or only on refresh (manual). */
public enum Schedule implements Audience.LowerCase {
    DAILY, WEEKLY, MANUAL;

    public static Schedule of(String value) {
        return Audience.LowerCase.of(Schedule.class, value);
    }

    /** The first tick strictly after {@code after}, or null for a manual audience. */
    public Instant next(Instant after) {
        ZonedDateTime now = after.atZone(ZoneOffset.UTC);
        return switch (this) {
            case DAILY -> {
                ZonedDateTime tick = now.with(LocalTime.of(9, 0));
                yield (tick.isAfter(now) ? tick : tick.plusDays(1)).toInstant();
            }
            case WEEKLY -> {
                ZonedDateTime tick = now.with(TemporalAdjusters.nextOrSame(DayOfWeek.SATURDAY)).with(LocalTime.of(18, 0));
                yield (tick.isAfter(now) ? tick : tick.plusWeeks(1)).toInstant();
            }
            case MANUAL -> null;
        };
    }
}
