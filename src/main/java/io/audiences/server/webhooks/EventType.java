package io.audiences.server.webhooks;

import java.util.Arrays;
import java.util.Optional;

/** The events an endpoint can subscribe to, by their wire names. */
public enum EventType {
    BUILD_COMPLETED("audience.build.completed"),
    BUILD_FAILED("audience.build.failed"),
    PAUSED("audience.paused"),
    RESUMED("audience.resumed"),
    DELETED("audience.deleted");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<EventType> of(String wireName) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(wireName)).findFirst();
    }
}
