package io.audiences.contract;

import java.time.Duration;
import java.time.Instant;

import io.audiences.server.platform.Clock;

/** System time plus an offset that tests move forward (token expiry, renewal schedules). */
final class MovableClock implements Clock {

    private volatile Duration offset = Duration.ZERO;

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    void set(Duration offsetFromNow) {
        offset = offsetFromNow;
    }

    void advance(Duration by) {
        offset = offset.plus(by);
    }

    /** Moves the clock just past {@code instant}. */
    void passing(Instant instant) {
        Duration gap = Duration.between(instant(), instant);
        if (!gap.isNegative()) {
            advance(gap.plusSeconds(1));
        }
    }
}
