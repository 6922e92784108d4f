package io.audiences.server.audiences;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** Renewal ticks: always strictly after the given instant, at 09:00 UTC daily and Saturdays 18:00 UTC weekly. */
class ScheduleTest {

    /** 2026-11-28 is a Saturday. */
    @ParameterizedTest(name = "daily after {0} -> {1}")
    @CsvSource({
        "2026-11-30T08:59:59.999999Z, 2026-11-30T09:00:00Z",
        "2026-11-30T09:00:00Z,        2026-12-01T09:00:00Z",
        "2026-11-30T09:00:00.000001Z, 2026-12-01T09:00:00Z",
        "2026-11-30T23:59:59Z,        2026-12-01T09:00:00Z",
        "2026-12-31T10:00:00Z,        2027-01-01T09:00:00Z",
        "2028-02-28T12:00:00Z,        2028-02-29T09:00:00Z",
    })
    void daily(String after, String expected) {
        assertThat(Schedule.DAILY.next(Instant.parse(after)), is(Instant.parse(expected)));
    }

    @ParameterizedTest(name = "weekly after {0} -> {1}")
    @CsvSource({
        "2026-11-23T00:00:00Z, 2026-11-28T18:00:00Z",
        "2026-11-28T17:59:59Z, 2026-11-28T18:00:00Z",
        "2026-11-28T18:00:00Z, 2026-12-05T18:00:00Z",
        "2026-11-28T23:00:00Z, 2026-12-05T18:00:00Z",
        "2026-11-29T00:00:00Z, 2026-12-05T18:00:00Z",
        "2026-12-30T00:00:00Z, 2027-01-02T18:00:00Z",
    })
    void weekly(String after, String expected) {
        assertThat(Schedule.WEEKLY.next(Instant.parse(after)), is(Instant.parse(expected)));
    }

    @Test
    void manualAudiencesHaveNoTick() {
        assertThat(Schedule.MANUAL.next(Instant.parse("2026-11-30T09:00:00Z")), is(nullValue()));
    }
}
