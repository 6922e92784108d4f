package io.audiences.server.platform;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Time source; tests substitute their own to control schedules and leases. */
@FunctionalInterface
public interface Clock {

    Clock SYSTEM = Instant::now;

    Instant instant();

    /** Now, truncated to what both databases store exactly. */
    default Instant now() {
        return instant().truncatedTo(ChronoUnit.MICROS);
    }
}
