package io.audiences.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.audiences.server.platform.Contract;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;

/** The operations of {@code openapi.yaml} (fully resolved), for tests that must cover every one of them. */
final class SpecOperations {

    /**
     * One operation, with its path-level and operation-level parameters merged, its JSON request body schema (null
     * when it takes none) and its security alternatives (the document's default when it declares none).
     */
    record Op(String id, String method, String template, Operation operation, List<Parameter> parameters,
              Schema<?> body, boolean bodyRequired, List<SecurityRequirement> security) {

        boolean projectScoped() {
            return parameters.stream().anyMatch(p -> "X-Project-Id".equals(p.getName()));
        }

        boolean anonymous() {
            return security.isEmpty() || security.stream().anyMatch(Map::isEmpty);
        }

        boolean accepts(String scheme) {
            return security.stream().anyMatch(s -> s.containsKey(scheme));
        }

        /** Whether the Bearer JWT must come with app credentials (the protected Public Core operations). */
        boolean requiresAppCredentials() {
            return security.stream().anyMatch(s -> s.containsKey("bearerAuth") && s.containsKey("appClientId"));
        }

        /**
         * The operation whose behaviour this one shares: a Public Core operation ({@code publicCoreCreateApp}) is the
         * operation of the same path without the {@code /public/core} prefix ({@code createApp}); others are their own.
         */
        String baseId() {
            if (!id.startsWith(PUBLIC_CORE_PREFIX)) {
                return id;
            }
            String rest = id.substring(PUBLIC_CORE_PREFIX.length());
            return Character.toLowerCase(rest.charAt(0)) + rest.substring(1);
        }

        boolean documents(int status) {
            return operation.getResponses().containsKey(Integer.toString(status));
        }

        /** The path with every path parameter filled by a well-formed value (which need not exist). */
        String samplePath() {
            String path = template;
            for (Parameter p : parameters) {
                if ("path".equals(p.getIn())) {
                    String value = "integer".equals(p.getSchema().getType()) ? "1" : UUID.randomUUID().toString();
                    path = path.replace("{" + p.getName() + "}", value);
                }
            }
            return path;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private static final OpenAPI API = parse();
    private static final String PUBLIC_CORE_PREFIX = "publicCore";

    private SpecOperations() {
    }

    static OpenAPI api() {
        return API;
    }

    static List<Op> all() {
        List<SecurityRequirement> global = API.getSecurity() == null ? List.of() : API.getSecurity();
        List<Op> result = new ArrayList<>();
        API.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, op) -> {
            List<Parameter> parameters = new ArrayList<>();
            if (item.getParameters() != null) {
                parameters.addAll(item.getParameters());
            }
            if (op.getParameters() != null) {
                parameters.addAll(op.getParameters());
            }
            RequestBody requestBody = op.getRequestBody();
            MediaType json = requestBody == null || requestBody.getContent() == null ? null
                    : requestBody.getContent().get("application/json");
            result.add(new Op(op.getOperationId(), method.name(), template, op, List.copyOf(parameters),
                    json == null ? null : json.getSchema(), json != null && Boolean.TRUE.equals(requestBody.getRequired()),
                    op.getSecurity() != null ? op.getSecurity() : global));
        }));
        return result;
    }

    private static OpenAPI parse() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        return new OpenAPIV3Parser().read(
                SpecOperations.class.getClassLoader().getResource(Contract.RESOURCE).toString(), null, options);
    }
}
