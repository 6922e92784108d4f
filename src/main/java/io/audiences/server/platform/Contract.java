package io.audiences.server.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.format.Format;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The parsed {@code openapi.yaml} shipped in the generated jar. The server uses it as data: which
 * credentials an operation accepts and which schema its request body must satisfy, so the
 * enforcement cannot drift from the document.
 */
public final class Contract {

    /** Classpath location of the contract (copied there by the generated module). */
    public static final String RESOURCE = "META-INF/openapi.yaml";

    private final byte[] document;
    private final String version;
    private final List<Operation> operations;
    /** The operations by their number of path segments, each list in the document's order: a request path is compared
     *  only with the templates of its length, segment by segment (a scan of ~150 regular expressions was 5 % of a
     *  read's CPU). */
    private final Map<Integer, List<Operation>> bySegments;
    private final List<ProblemCode> problemCodes;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private Contract(byte[] document, String version, List<Operation> operations, List<ProblemCode> problemCodes) {
        this.document = document;
        this.version = version;
        this.operations = operations;
        this.bySegments = operations.stream().collect(Collectors.groupingBy(o -> o.segments.length, Collectors.toUnmodifiableList()));
        this.problemCodes = problemCodes;
        // format: email is EmailAddress's rule, the one bootstrap and user creation apply too (the library's own
        // checks the public TLD list and refuses reserved domains such as .example, which bootstrap accepted).
        Dialect dialect = Dialect.builder(Dialects.getOpenApi30()).format(new Format() {
            @Override
            public String getName() {
                return "email";
            }

            @Override
            public boolean matches(ExecutionContext context, String value) {
                return EmailAddress.isValid(value);
            }
        }).build();
        this.registry = SchemaRegistry.withDialect(dialect,
                b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    }

    public static Contract load() {
        try (InputStream in = Contract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            byte[] bytes = in.readAllBytes();
            JsonNode root = new YAMLMapper().readTree(bytes);
            return new Contract(bytes, root.path("info").path("version").asString(""), parseOperations(root),
                    parseProblemCodes(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exact bytes of the committed document. */
    public byte[] document() {
        return document.clone();
    }

    /** The contract's {@code info.version}. */
    public String version() {
        return version;
    }

    public List<Operation> operations() {
        return operations;
    }

    /** Every problem {@code code} the API answers ({@code x-problem-codes} of the Problem schema), in the document's order. */
    public List<ProblemCode> problemCodes() {
        return problemCodes;
    }

    /** A problem code with the status it comes with and what it means. */
    public record ProblemCode(String code, int status, String description) { }

    private static List<ProblemCode> parseProblemCodes(JsonNode root) {
        List<ProblemCode> codes = new ArrayList<>();
        root.at("/components/schemas/Problem/properties/code/x-problem-codes").properties().forEach(e ->
                codes.add(new ProblemCode(e.getKey(), e.getValue().path("status").asInt(), e.getValue().path("description").asString(""))));
        return List.copyOf(codes);
    }

    /**
     * Where the generated service of a tag must be registered: the generator writes routing rules relative
     * to the longest common segment prefix of the tag's paths, so the mount follows the document.
     */
    public String mountPath(String tag) {
        List<String[]> paths = operations.stream().filter(o -> o.tag.equals(tag)).map(o -> o.template.substring(1).split("/"))
                .toList();
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("No operation is tagged " + tag);
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; ; i++) {
            final int index = i;
            if (paths.stream().anyMatch(p -> p.length <= index || p[index].startsWith("{"))) {
                break;
            }
            String segment = paths.getFirst()[i];
            if (paths.stream().anyMatch(p -> !p[index].equals(segment))) {
                break;
            }
            prefix.append('/').append(segment);
        }
        return prefix.isEmpty() ? "/" : prefix.toString();
    }

    /** The operation matching a method and an absolute request path. */
    public Optional<Operation> match(String method, String path) {
        for (Operation op : candidates(path)) {
            if (op.method.equals(method) && op.matches(path)) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    private List<Operation> candidates(String path) {
        int segments = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                segments++;
            }
        }
        return bySegments.getOrDefault(segments, List.of());
    }

    /**
     * The methods the contract declares for the path an absolute request path matches (whatever its method), in the
     * document's order; empty when no path of the contract matches. What a 405's {@code Allow} lists.
     */
    public List<String> methodsOf(String path) {
        return candidates(path).stream().filter(o -> o.matches(path)).map(o -> o.method).distinct().toList();
    }

    /** Validates a parsed body against a component schema; returns the violations as JSON pointers. */
    public List<DomainException.FieldError> validate(String schemaName, JsonNode body) {
        Schema schema = schemas.computeIfAbsent(schemaName, name ->
                registry.getSchema(SchemaLocation.of("classpath:" + RESOURCE + "#/components/schemas/" + name)));
        List<DomainException.FieldError> errors = new ArrayList<>();
        for (com.networknt.schema.Error error : schema.validate(body)) {
            String pointer = pointer(error);
            errors.add(new DomainException.FieldError(pointer, message(error)));
        }
        return errors;
    }

    /** Compiles the body schemas up front so the first request of each kind pays nothing. */
    public void warmUp() {
        operations.stream().map(Operation::bodySchema).flatMap(Optional::stream).distinct()
                .forEach(name -> validate(name, new ObjectMapper().createObjectNode()));
    }

    private static String pointer(com.networknt.schema.Error error) {
        StringBuilder sb = new StringBuilder();
        var location = error.getInstanceLocation();
        for (int i = 0; i < location.getNameCount(); i++) {
            sb.append('/').append(location.getName(i).replace("~", "~0").replace("/", "~1"));
        }
        if ("required".equals(error.getKeyword()) || "additionalProperties".equals(error.getKeyword())) {
            String property = error.getProperty();
            if (property != null) {
                sb.append('/').append(property);
            }
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    private static String message(com.networknt.schema.Error error) {
        String keyword = error.getKeyword();
        if ("required".equals(keyword)) {
            return "required property is missing";
        }
        if ("additionalProperties".equals(keyword)) {
            return "unknown property";
        }
        String message = error.getMessage();
        int colon = message.indexOf(": ");
        return colon > 0 && message.startsWith("/") ? message.substring(colon + 2) : message;
    }

    private static List<Operation> parseOperations(JsonNode root) {
        List<Set<String>> globalSecurity = security(root.get("security"));
        List<Operation> result = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : root.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> entry : path.getValue().properties()) {
                JsonNode op = entry.getValue();
                if (!op.has("operationId")) {
                    continue;
                }
                Set<String> query = new LinkedHashSet<>();
                queryParameters(root, path.getValue().path("parameters"), query);
                queryParameters(root, op.path("parameters"), query);
                List<Set<String>> sec = op.has("security") ? security(op.get("security")) : globalSecurity;
                result.add(new Operation(op.get("operationId").asString(),
                        op.path("tags").path(0).asString(""),
                        entry.getKey().toUpperCase(Locale.ROOT),
                        path.getKey(),
                        sec,
                        bodySchema(op),
                        op.path("requestBody").path("required").asBoolean(false),
                        op.path("x-required-scope").asString(Operation.READ_WRITE),
                        op.path("x-allowed-before-password-change").asBoolean(false),
                        query));
            }
        }
        // Literal segments win over templates (/projects/count before /projects/{id}).
        result.sort((a, b) -> Long.compare(a.template.chars().filter(c -> c == '{').count(),
                b.template.chars().filter(c -> c == '{').count()));
        return List.copyOf(result);
    }

    /** Adds the names of the query parameters of a {@code parameters} list, following {@code $ref}s to components. */
    private static void queryParameters(JsonNode root, JsonNode parameters, Set<String> names) {
        for (JsonNode parameter : parameters) {
            String ref = parameter.path("$ref").asString("");
            JsonNode resolved = ref.startsWith("#/") ? root.at(ref.substring(1)) : parameter;
            if ("query".equals(resolved.path("in").asString(""))) {
                names.add(resolved.path("name").asString());
            }
        }
    }

    private static Optional<String> bodySchema(JsonNode op) {
        String ref = op.path("requestBody").path("content").path("application/json").path("schema").path("$ref").asString("");
        return ref.isEmpty() ? Optional.empty() : Optional.of(ref.substring(ref.lastIndexOf('/') + 1));
    }

    private static List<Set<String>> security(JsonNode node) {
        List<Set<String>> alternatives = new ArrayList<>();
        if (node == null) {
            return alternatives;
        }
        for (JsonNode requirement : node) {
            Set<String> schemes = new LinkedHashSet<>();
            for (Iterator<String> it = requirement.propertyNames().iterator(); it.hasNext();) {
                schemes.add(it.next());
            }
            alternatives.add(schemes);
        }
        return alternatives;
    }

    /** One operation of the contract. */
    public static final class Operation {
        private final String id;
        private final String tag;
        private final String method;
        private final String template;
        /** The template's segments after each '/': a literal, or null for a parameter (one non-empty segment). */
        private final String[] segments;
        private final List<Set<String>> security;
        private final Set<String> schemes;
        private final boolean allowsAnonymous;
        private final boolean requiresAppCredentials;
        private final Optional<String> bodySchema;
        private final boolean bodyRequired;
        private final String requiredScope;
        private final boolean allowedBeforePasswordChange;
        private final Set<String> queryParameters;

        /** The scope an API key needs where the contract declares none: the safe side. */
        static final String READ_WRITE = "read_write";

        Operation(String id, String tag, String method, String template, List<Set<String>> security,
                  Optional<String> bodySchema, boolean bodyRequired, String requiredScope,
                  boolean allowedBeforePasswordChange, Set<String> queryParameters) {
            this.id = id;
            this.tag = tag;
            this.method = method;
            this.template = template;
            this.segments = segments(template);
            this.security = List.copyOf(security);
            this.schemes = security.stream().flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());
            this.allowsAnonymous = security.isEmpty() || security.stream().anyMatch(Set::isEmpty);
            this.requiresAppCredentials = security.stream().anyMatch(s -> s.contains("bearerAuth") && s.contains("appClientId"));
            this.bodySchema = bodySchema;
            this.bodyRequired = bodyRequired;
            this.requiredScope = requiredScope;
            this.allowedBeforePasswordChange = allowedBeforePasswordChange;
            this.queryParameters = Set.copyOf(queryParameters);
        }

        private static String[] segments(String template) {
            String[] parts = template.substring(1).split("/", -1);
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    parts[i] = null;
                } else if (parts[i].contains("{") || parts[i].contains("}")) {
                    throw new IllegalStateException("A path parameter must be a whole segment: " + template);
                }
            }
            return parts;
        }

        /** Whether an absolute path (no query) is this template with each parameter one non-empty segment. */
        boolean matches(String path) {
            int start = 1;
            for (String segment : segments) {
                int end = path.indexOf('/', start);
                if (end < 0) {
                    end = path.length();
                }
                if (segment == null ? end == start : !path.regionMatches(start, segment, 0, segment.length())
                        || segment.length() != end - start) {
                    return false;
                }
                start = end + 1;
            }
            return start == path.length() + 1;
        }

        public String id() {
            return id;
        }

        public String tag() {
            return tag;
        }

        public String method() {
            return method;
        }

        public String template() {
            return template;
        }

        /** Alternatives of security schemes; an empty list means anonymous access. */
        public List<Set<String>> security() {
            return security;
        }

        public boolean allowsAnonymous() {
            return allowsAnonymous;
        }

        /** Whether some alternative uses {@code scheme}. */
        public boolean accepts(String scheme) {
            return schemes.contains(scheme);
        }

        /** Whether the Bearer JWT must come with app credentials (Delivr's Public Core rule, declared as one alternative). */
        public boolean requiresAppCredentials() {
            return requiresAppCredentials;
        }

        public Optional<String> bodySchema() {
            return bodySchema;
        }

        public boolean bodyRequired() {
            return bodyRequired;
        }

        /** The API key scope the operation needs ({@code x-required-scope}): {@code read} or {@code read_write}. */
        public String requiredScope() {
            return requiredScope;
        }

        /** The names of the query parameters the operation declares; any other is refused. */
        public Set<String> queryParameters() {
            return queryParameters;
        }

        /** Whether a user who must replace a one-time password may call it ({@code x-allowed-before-password-change}). */
        public boolean allowedBeforePasswordChange() {
            return allowedBeforePasswordChange;
        }
    }
}
