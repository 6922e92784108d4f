package io.audiences.server.setup;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.audiences.server.credentials.CredentialService;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.EmailAddress;
import io.audiences.server.platform.Json;
import io.audiences.server.tenancy.Organization;
import io.audiences.server.tenancy.Project;
import io.audiences.server.tenancy.TenancyService;

/**
 * {@code bootstrap --org NAME --email EMAIL [--enterprise NAME] [--project NAME]}: the first organization,
 * project and admin user of a real deployment, printed as JSON with the one-time password.
 */
public final class Bootstrap {

    private Bootstrap() {
    }

    /** Parsed command line. */
    public record Arguments(String org, String email, Optional<String> enterprise, String project) {

        public static Arguments parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 1; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("Unexpected argument: " + args[i]);
                }
                values.put(args[i].substring(2), args[++i]);
            }
            String org = values.remove("org");
            String email = values.remove("email");
            if (org == null || email == null || org.isBlank()) {
                throw new IllegalArgumentException("--org NAME and --email EMAIL are required");
            }
            if (!EmailAddress.isValid(email)) {
                throw new IllegalArgumentException("--email " + email + " is not an email address");
            }
            Optional<String> enterprise = Optional.ofNullable(values.remove("enterprise"));
            String project = Optional.ofNullable(values.remove("project")).orElse("Default Project");
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("Unknown options: " + values.keySet());
            }
            return new Arguments(org, email, enterprise, project);
        }
    }

    /** Creates the tenant and returns the JSON to print. */
    public static String run(Database database, TenancyService tenancy, CredentialService credentials, Arguments args) {
        return database.inTransaction(tx -> {
            Organization org = tenancy.createTopLevel(tx, args.org(), args.enterprise());
            Project project = tenancy.createProject(tx, org.id(), args.project());
            CredentialService.NewUser user = credentials.createUser(tx, org.id(), args.email(), "Admin", "User",
                    Optional.empty());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("organization_id", org.id().toString());
            out.put("enterprise_id", org.enterpriseId() == null ? null : org.enterpriseId().toString());
            out.put("project_id", project.id().toString());
            out.put("user_id", user.user().id().toString());
            out.put("email", user.user().email());
            out.put("password", user.generatedPassword().orElseThrow());
            return Json.JSONB.toJson(out);
        });
    }
}
