package io.audiences.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.audiences.server.platform.Contract;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;

/** The operations of {@code openapi.yaml} (fully resolved), for tests that must cover every one of them. */
final class SpecOperations {

    /** One operation, with its path-level and operation-level parameters merged. */
    record Op(String id, String method, String template, Operation operation, List<Parameter> parameters) {

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

    private SpecOperations() {
    }

    static OpenAPI api() {
        return API;
    }

    static List<Op> all() {
        List<Op> result = new ArrayList<>();
        API.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, op) -> {
            List<Parameter> parameters = new ArrayList<>();
            if (item.getParameters() != null) {
                parameters.addAll(item.getParameters());
            }
            if (op.getParameters() != null) {
                parameters.addAll(op.getParameters());
            }
            result.add(new Op(op.getOperationId(), method.name(), template, op, List.copyOf(parameters)));
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
