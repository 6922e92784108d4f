package io.audiences.server;

import java.time.Duration;

import io.audiences.server.builds.BuildWorkers;
import io.audiences.server.platform.Settings;
import io.audiences.server.signin.HashingPool;
import io.audiences.server.signin.SignInThrottle;
import io.audiences.server.tenancy.Quotas;
import io.audiences.server.webhooks.Dispatcher;

import io.helidon.config.Config;

import static io.audiences.server.platform.Configured.required;

/**
 * Everything {@link Application} reads from the configuration: the platform's {@link Settings} and the capabilities'
 * sections. Every key is required; its default is in application.yaml and nowhere else.
 *
 * @param buildSnapshotHold tests only ({@code audiences.builds.test-snapshot-hold}, zero in application.yaml): how
 *                          long each build keeps its snapshot transaction open before it commits
 */
record ServerSettings(Settings settings, BuildWorkers.Settings builds, Duration buildSnapshotHold, int buildBacklog,
                      SignIn signIn, Quotas quotas, Dispatcher.Settings webhooks) {

    /** {@code audiences.sign-in}: the failed sign-in budgets and the password-hashing pool. */
    record SignIn(SignInThrottle.Policy policy, int hashingThreads, int hashingQueue, Duration refusalDelay) { }

    static ServerSettings from(Config config) {
        Config b = config.get("audiences.builds");
        Config w = config.get("audiences.webhooks");
        return new ServerSettings(Settings.from(config),
                new BuildWorkers.Settings(required(b.get("workers"), Integer.class),
                        required(b.get("poll-interval"), Duration.class),
                        required(b.get("lease"), Duration.class),
                        required(b.get("schedule-interval"), Duration.class)),
                required(b.get("test-snapshot-hold"), Duration.class),
                required(b.get("backlog"), Integer.class),
                signIn(config.get("audiences.sign-in")),
                Quotas.from(config.get("audiences.quotas")),
                new Dispatcher.Settings(required(w.get("poll-interval"), Duration.class),
                        required(w.get("lease"), Duration.class),
                        required(w.get("timeout"), Duration.class),
                        required(w.get("retry-base-delay"), Duration.class),
                        required(w.get("retry-max-delay"), Duration.class),
                        required(w.get("retry-for"), Duration.class),
                        required(w.get("batch"), Integer.class)));
    }

    private static SignIn signIn(Config c) {
        // Derived defaults (application.yaml cannot express them): threads 0 there means half the cores; the queue,
        // unset there, is 4 per thread.
        int configured = required(c.get("hashing.threads"), Integer.class);
        int threads = configured > 0 ? configured : HashingPool.defaultThreads();
        return new SignIn(new SignInThrottle.Policy(required(c.get("account-free"), Integer.class),
                required(c.get("address-free"), Integer.class)), threads,
                c.get("hashing.queue").asInt().orElse(HashingPool.defaultQueue(threads)),
                required(c.get("refusal-delay"), Duration.class));
    }
}
