package io.audiences.server.platform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;


import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
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
        return body(req, type, node -> { });
    }

    /**
     * Reads a required JSON body; {@code refuse} sees the parsed JSON before the schema check, so a value the
     * contract names as refused for its own reason gets that reason's code instead of a bare schema error.
     */
    public <T> T body(ServerRequest req, Class<T> type, Consumer<JsonNode> refuse) {
        return optionalBody(req, type, refuse).orElseThrow(() ->
                DomainException.invalid(ErrorCode.BODY_REQUIRED, "/", "A JSON request body is required."));
    }

    /** Reads an optional JSON body; empty when the request carries none. */
    public <T> Optional<T> optionalBody(ServerRequest req, Class<T> type) {
        return optionalBody(req, type, node -> { });
    }

    private <T> Optional<T> optionalBody(ServerRequest req, Class<T> type, Consumer<JsonNode> refuse) {
        byte[] bytes = readBytes(req);
        if (bytes.length == 0) {
            return Optional.empty();
        }
        Optional<HttpMediaType> contentType = req.headers().contentType();
        if (contentType.isEmpty() || !contentType.get().test(MediaTypes.APPLICATION_JSON)) {
            throw new DomainException(DomainException.Kind.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Send the body as application/json.");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw DomainException.invalid(ErrorCode.MALFORMED_JSON, "/", "The body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        refuse.accept(node);
        // Without an operation's $ref, the DTO names its schema: generated/ names each <Schema>Dto.
        String schema = RequestState.require(req).operation().flatMap(Contract.Operation::bodySchema)
                .orElse(type.getSimpleName().replaceFirst("Dto$", ""));
        List<DomainException.FieldError> errors = new ArrayList<>(contract.validate(schema, node));
        nulCharacters(node, "", errors);
        if (!errors.isEmpty()) {
            throw new DomainException(DomainException.Kind.INVALID, ErrorCode.VALIDATION_FAILED,
                    "The request body does not match the schema.", errors, Map.of());
        }
        try {
            return Optional.of(Json.JSONB.fromJson(new String(bytes, StandardCharsets.UTF_8), type));
        } catch (JsonbException e) {
            throw DomainException.invalid(ErrorCode.VALIDATION_FAILED, "/", "The body cannot be read: " + e.getMessage());
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
                throw new DomainException(DomainException.Kind.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE,
                        "The request body exceeds " + MAX_BODY_BYTES + " bytes.");
            }
            return bytes;
        } catch (DomainException | HttpException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The body's framing is broken (Helidon throws NumberFormatException for a chunk size that is not hex,
            // IllegalArgumentException for others) or the client went away mid-body: the client's fault, so a 400,
            // and never a 500 whose logged stack trace could quote the body.
            throw DomainException.invalid(ErrorCode.MALFORMED_BODY, "/", "The request body cannot be read: its framing is invalid.");
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
        throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " must be an integer of at least " + min + ".");
    }

    /** An optional UUID header. */
    public static Optional<UUID> headerUuid(ServerRequest req, HeaderName name) {
        return req.headers().first(name).map(v -> uuid(name.defaultCase(), v.trim()));
    }

    /** An optional UUID query parameter. */
    public static Optional<UUID> queryUuid(ServerRequest req, String name) {
        // contains() first: first() looks the global mapper manager up even when the query is empty.
        return req.query().contains(name) ? Optional.of(uuid(name, req.query().get(name))) : Optional.empty();
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
                throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name,
                        name + " must be between " + min + " and " + max + ".");
            }
            return value;
        } catch (NumberFormatException e) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " must be an integer.");
        }
    }

    /** An optional string query parameter of at most {@code maxLength} characters. */
    public static Optional<String> queryString(ServerRequest req, String name, int maxLength) {
        Optional<String> value = req.query().first(name).asOptional();
        if (value.isPresent() && value.get().length() > maxLength) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " is longer than " + maxLength + " characters.");
        }
        if (value.isPresent() && value.get().indexOf('\0') >= 0) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " " + NUL_DETAIL + ".");
        }
        return value;
    }

    /** An optional comma-separated list ({@code style: form, explode: false}); empty when absent. */
    public static List<String> queryList(ServerRequest req, String name, int maxItems, int maxItemLength) {
        Optional<String> raw = queryString(req, name, maxItems * (maxItemLength + 1));
        if (raw.isEmpty()) {
            return List.of();
        }
        List<String> items = List.of(raw.get().split(",", -1));
        if (items.size() > maxItems || items.stream().anyMatch(i -> i.isEmpty() || i.length() > maxItemLength)) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " takes 1 to " + maxItems
                    + " comma-separated names of 1 to " + maxItemLength + " characters.");
        }
        return items;
    }

    /** An optional enum query parameter parsed by the generated DTO's {@code fromValue}. */
    public static <T> Optional<T> queryEnum(ServerRequest req, String name, Function<String, T> fromValue) {
        Optional<String> raw = req.query().first(name).asOptional();
        try {
            return raw.map(fromValue);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " has an unknown value: " + raw.get());
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
            default -> throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " must be true or false.");
        };
    }

    /** A string path parameter of at most {@code maxLength} characters. */
    public static String pathString(ServerRequest req, String name, int maxLength) {
        String value = req.path().pathParameters().get(name);
        if (value.isEmpty() || value.length() > maxLength) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " must be 1 to " + maxLength + " characters.");
        }
        if (value.indexOf('\0') >= 0) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " " + NUL_DETAIL + ".");
        }
        return value;
    }

    /**
     * Whether the request accepts a gzip-coded response (RFC 9110 §12.5.3): {@code gzip} (or {@code x-gzip}) listed
     * with a non-zero weight, or {@code *} with a non-zero weight when gzip is not refused by name.
     */
    public static boolean acceptsGzip(ServerRequest req) {
        return acceptsGzip(req.headers().first(HeaderNames.ACCEPT_ENCODING));
    }

    static boolean acceptsGzip(Optional<String> header) {
        if (header.isEmpty()) {
            return false;
        }
        Boolean named = null;
        boolean any = false;
        for (String item : header.get().split(",")) {
            String[] parts = item.split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean allowed = true;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                if (param.startsWith("q=") || param.startsWith("Q=")) {
                    try {
                        allowed = Double.parseDouble(param.substring(2)) > 0;
                    } catch (NumberFormatException e) {
                        allowed = false;
                    }
                }
            }
            if ("gzip".equals(coding) || "x-gzip".equals(coding)) {
                named = allowed;
            } else if ("*".equals(coding)) {
                any = allowed;
            }
        }
        return named != null ? named : any;
    }

    private static UUID uuid(String name, String value) {
        try {
            if (value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid(ErrorCode.INVALID_PARAMETER, name, name + " must be a UUID.");
        }
    }

    /** Sends {@code body} as application/json with the given status. */
    public static void json(ServerResponse res, Status status, Object body) {
        jsonText(res, status, Json.JSONB.toJson(body));
    }

    /** Sends JSON already rendered. */
    public static void jsonText(ServerResponse res, Status status, String json) {
        send(res, status, MediaTypes.APPLICATION_JSON.text(), json);
    }

    /** Sends 201 with a Location header. */
    public static void created(ServerResponse res, String location, Object body) {
        res.header(HeaderNames.LOCATION, location);
        json(res, Status.CREATED_201, body);
    }

    static void send(ServerResponse res, Status status, String contentType, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        ResponseBody.send(res, body.getBytes(StandardCharsets.UTF_8));
    }
}
