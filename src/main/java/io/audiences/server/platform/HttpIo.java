package io.audiences.server.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import io.audiences.server.auth.Principal;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.bind.JsonbException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Reading requests and writing responses the same way in every handler: bodies are checked against
 * the contract's schema before binding, parameters are parsed with their documented constraints, and
 * responses are serialized once to bytes (Content-Length, no chunking).
 */
public final class HttpIo {

    /** Largest request body accepted. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Contract contract;

    public HttpIo(Contract contract) {
        this.contract = contract;
    }

    /** The caller, as established by the access filter. */
    public static Principal principal(ServerRequest req) {
        return RequestState.require(req).principal()
                .orElseThrow(() -> DomainException.unauthenticated("Credentials are required."));
    }

    /** Reads the required JSON body of the matched operation, validated against its schema. */
    public <T> T body(ServerRequest req, Class<T> type) {
        return optionalBody(req, type).orElseThrow(() ->
                DomainException.invalid("body_required", "/", "A JSON request body is required."));
    }

    /** Reads an optional JSON body; empty when the request carries none. */
    public <T> Optional<T> optionalBody(ServerRequest req, Class<T> type) {
        byte[] bytes = readBytes(req);
        if (bytes.length == 0) {
            return Optional.empty();
        }
        Optional<HttpMediaType> contentType = req.headers().contentType();
        if (contentType.isEmpty() || !contentType.get().test(MediaTypes.APPLICATION_JSON)) {
            throw new DomainException(DomainException.Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Send the body as application/json.");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw DomainException.invalid("malformed_json", "/", "The body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        String schema = RequestState.require(req).operation().flatMap(Contract.Operation::bodySchema)
                .orElse(type.getSimpleName());
        List<DomainException.FieldError> errors = new ArrayList<>(contract.validate(schema, node));
        nulCharacters(node, "", errors);
        if (!errors.isEmpty()) {
            throw new DomainException(DomainException.Kind.INVALID, "validation_failed",
                    "The request body does not match the schema.", errors, Map.of());
        }
        try {
            return Optional.of(Json.JSONB.fromJson(new String(bytes, StandardCharsets.UTF_8), type));
        } catch (JsonbException e) {
            throw DomainException.invalid("validation_failed", "/", "The body cannot be read: " + e.getMessage());
        }
    }

    /**
     * U+0000 is valid JSON, but PostgreSQL cannot store it in text nor compare with it (the statement fails,
     * which answered 500); it is refused up front, on both databases alike.
     */
    private static void nulCharacters(JsonNode node, String pointer, List<DomainException.FieldError> errors) {
        if (node.isString() && node.asString().indexOf('\0') >= 0) {
            errors.add(new DomainException.FieldError(pointer.isEmpty() ? "/" : pointer, NUL_DETAIL));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nulCharacters(node.get(i), pointer + "/" + i, errors);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String at = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (e.getKey().indexOf('\0') >= 0) {
                    errors.add(new DomainException.FieldError(at, NUL_DETAIL));
                }
                nulCharacters(e.getValue(), at, errors);
            }
        }
    }

    private static final String NUL_DETAIL = "must not contain the character U+0000";

    private static byte[] readBytes(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new DomainException(DomainException.Kind.PAYLOAD_TOO_LARGE, "payload_too_large",
                        "The request body exceeds " + MAX_BODY_BYTES + " bytes.");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UUID path parameter; anything else is a 400 naming the parameter. */
    public static UUID pathUuid(ServerRequest req, String name) {
        return uuid(name, req.path().pathParameters().get(name));
    }

    /** A positive integer path parameter (ids); anything else is a 400 naming the parameter. */
    public static long pathLong(ServerRequest req, String name, long min) {
        String raw = req.path().pathParameters().get(name);
        try {
            long value = Long.parseLong(raw);
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw DomainException.invalid("invalid_parameter", name, name + " must be an integer of at least " + min + ".");
    }

    /** An optional UUID header. */
    public static Optional<UUID> headerUuid(ServerRequest req, String name) {
        return req.headers().first(HeaderNames.create(name)).map(v -> uuid(name, v.trim()));
    }

    /** An optional UUID query parameter. */
    public static Optional<UUID> queryUuid(ServerRequest req, String name) {
        return req.query().first(name).asOptional().map(v -> uuid(name, v));
    }

    /** An optional integer query parameter within [min, max]. */
    public static int queryInt(ServerRequest req, String name, int min, int max, int defaultValue) {
        return (int) queryLong(req, name, min, max, defaultValue);
    }

    /** An optional long query parameter within [min, max]. */
    public static long queryLong(ServerRequest req, String name, long min, long max, long defaultValue) {
        Optional<String> raw = req.query().first(name).asOptional();
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.get().trim());
            if (value < min || value > max) {
                throw DomainException.invalid("invalid_parameter", name,
                        name + " must be between " + min + " and " + max + ".");
            }
            return value;
        } catch (NumberFormatException e) {
            throw DomainException.invalid("invalid_parameter", name, name + " must be an integer.");
        }
    }

    /** An optional string query parameter of at most {@code maxLength} characters. */
    public static Optional<String> queryString(ServerRequest req, String name, int maxLength) {
        Optional<String> value = req.query().first(name).asOptional();
        if (value.isPresent() && value.get().length() > maxLength) {
            throw DomainException.invalid("invalid_parameter", name, name + " is longer than " + maxLength + " characters.");
        }
        if (value.isPresent() && value.get().indexOf('\0') >= 0) {
            throw DomainException.invalid("invalid_parameter", name, name + " " + NUL_DETAIL + ".");
        }
        return value;
    }

    /** An optional enum query parameter parsed by the generated DTO's {@code fromValue}. */
    public static <T> Optional<T> queryEnum(ServerRequest req, String name, Function<String, T> fromValue) {
        Optional<String> raw = req.query().first(name).asOptional();
        try {
            return raw.map(fromValue);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("invalid_parameter", name, name + " has an unknown value: " + raw.get());
        }
    }

    /** An optional boolean query parameter ({@code true} or {@code false}). */
    public static boolean queryBoolean(ServerRequest req, String name, boolean defaultValue) {
        Optional<String> raw = req.query().first(name).asOptional();
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw DomainException.invalid("invalid_parameter", name, name + " must be true or false.");
        };
    }

    /** A string path parameter of at most {@code maxLength} characters. */
    public static String pathString(ServerRequest req, String name, int maxLength) {
        String value = req.path().pathParameters().get(name);
        if (value.isEmpty() || value.length() > maxLength) {
            throw DomainException.invalid("invalid_parameter", name, name + " must be 1 to " + maxLength + " characters.");
        }
        if (value.indexOf('\0') >= 0) {
            throw DomainException.invalid("invalid_parameter", name, name + " " + NUL_DETAIL + ".");
        }
        return value;
    }

    private static UUID uuid(String name, String value) {
        try {
            if (value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("invalid_parameter", name, name + " must be a UUID.");
        }
    }

    /** Sends {@code body} as application/json with the given status. */
    public static void json(ServerResponse res, Status status, Object body) {
        send(res, status, MediaTypes.APPLICATION_JSON.text(), Json.JSONB.toJson(body));
    }

    /** Sends 201 with a Location header. */
    public static void created(ServerResponse res, String location, Object body) {
        res.header(HeaderNames.LOCATION, location);
        json(res, Status.CREATED_201, body);
    }

    static void send(ServerResponse res, Status status, String contentType, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.send(body.getBytes(StandardCharsets.UTF_8));
    }
}
