package io.audiences.server;

import java.nio.file.Path;

import io.audiences.server.platform.Clock;
import io.audiences.server.setup.Bootstrap;
import io.audiences.server.setup.DemoData;
import io.audiences.server.setup.DemoTenant;
import io.audiences.server.upstream.DataCommand;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/**
 * Starts the server, or with {@code bootstrap} creates the first organization of a deployment, or with
 * {@code generate} / {@code load} writes upstream data (see {@link DataCommand}).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        if (args.length > 0 && "bootstrap".equals(args[0])) {
            bootstrap(config, args);
            return;
        }
        if (args.length > 0 && DataCommand.handles(args[0])) {
            System.exit(DataCommand.run(config, args));
            return;
        }
        long started = System.nanoTime();
        Application app = Application.create(config, Clock.SYSTEM).start(config.get("server"));
        // SIGTERM: the graceful shutdown (readiness down, drain, builds handed back); see Application.close.
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
        if (app.settings().embedded() && app.settings().demo()) {
            DemoTenant.Credentials demo = DemoTenant.ensure(app.database(), app.tenancy(), app.credentials(),
                    app.settings().dataDir());
            printWelcome(app, demo);
            Thread.ofVirtual().name("demo-data").start(() -> DemoData.seed(app.database(), app.audiences(), demo, Clock.SYSTEM));
        }
        System.out.printf("Started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    private static void bootstrap(Config config, String[] args) {
        Bootstrap.Arguments parsed;
        try {
            parsed = Bootstrap.Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java -jar audiences-server.jar bootstrap --org NAME --email EMAIL "
                    + "[--enterprise NAME] [--project NAME]");
            System.exit(2);
            return;
        }
        try (Application app = Application.create(config, Clock.SYSTEM)) {
            System.out.println(Bootstrap.run(app, parsed));
        }
    }

    private static void printWelcome(Application app, DemoTenant.Credentials demo) {
        Path file = app.settings().dataDir().resolve("demo-credentials.json").toAbsolutePath();
        String base = "http://localhost:" + app.port();
        System.out.println();
        System.out.println("Demo tenant ready. Credentials (owner-only file): " + file);
        System.out.println("Try:");
        System.out.println("  curl -s " + base + "/api/v1/projects/" + demo.projectId + " \\");
        System.out.println("       -H \"X-Api-Key: $(jq -r .api_key " + file + ")\" \\");
        System.out.println("       -H \"X-Api-Secret: $(jq -r .api_secret " + file + ")\"");
        System.out.println();
    }
}
