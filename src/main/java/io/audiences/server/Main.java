package io.audiences.server;

import java.nio.file.Path;
import java.util.logging.Logger;

import io.audiences.server.platform.Clock;
import io.audiences.server.platform.ConfigurationException;
import io.audiences.server.platform.LogFormat;
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

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        LogFormat logFormat;
        try {
            logFormat = LogFormat.from(config);
        } catch (ConfigurationException e) {
            System.err.println("Cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        logFormat.apply();
        if (args.length > 0 && "bootstrap".equals(args[0])) {
            bootstrap(config, args);
            return;
        }
        if (args.length > 0 && DataCommand.handles(args[0])) {
            System.exit(DataCommand.run(args, () -> {
                Application app = Application.create(config, Clock.SYSTEM);
                return new DataCommand.Opened(app.database(), app::close);
            }));
            return;
        }
        long started = System.nanoTime();
        Application app;
        try {
            app = Application.create(config, Clock.SYSTEM);
            if (app.settings().embedded() && app.settings().demo()) {
                // Before the port opens: readiness is down from its first answer until the demo data set is in (set
                // after the start, a probe in between saw it ready, then loading).
                app.probes().loading("demo data");
            }
            app.start(config.get("server"));
        } catch (ConfigurationException e) {
            System.err.println("Cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        // SIGTERM: the graceful shutdown (readiness down, drain, builds handed back); see Application.close.
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
        if (app.settings().embedded() && app.settings().demo()) {
            DemoTenant.Credentials demo = DemoTenant.ensure(app.database(), app.tenancy(), app.credentials(),
                    app.settings().dataDir());
            if (logFormat == LogFormat.TEXT) {
                printWelcome(app, demo);
            } else {
                // Every line on standard output is a JSON object in this format: the file's path, without the how-to.
                LOG.info(() -> "Demo tenant ready. Credentials (owner-only file): "
                        + app.settings().dataDir().resolve("demo-credentials.json").toAbsolutePath());
            }
            Thread.ofVirtual().name("demo-data").start(() -> {
                try {
                    DemoData.seed(app.database(), app.audiences(), demo, Clock.SYSTEM);
                } finally {
                    app.probes().loading(null);
                }
            });
        }
        long startedIn = (System.nanoTime() - started) / 1_000_000;
        LOG.info(() -> "Started in " + startedIn + " ms");
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
            System.out.println(Bootstrap.run(app.database(), app.tenancy(), app.credentials(), parsed));
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
