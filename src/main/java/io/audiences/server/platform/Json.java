package io.audiences.server.platform;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;

/** The one JSON-B instance of the server: DTOs carry their snake_case names, nulls are omitted. */
public final class Json {

    public static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig().withFormatting(false));

    private Json() {
    }
}
