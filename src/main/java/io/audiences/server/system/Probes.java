package io.audiences.server.system;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.audiences.model.HealthCheckResultDto;
import io.audiences.model.HealthReportDto;
import io.audiences.model.HealthStatusDto;
import io.audiences.server.platform.Database;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.checks.HealthChecks;

/**
 * The three probes an orchestrator asks: liveness (the process: Helidon's deadlock check), readiness (database
 * reachable, migrations run, not shutting down) and startup. Every check reads state kept in memory (the
 * database's from {@link Database#available()}, a background check), so a probe answers at once whatever the
 * database does.
 *
 * <p>Helidon's {@code helidon-webserver-observe-health} is not used for the routes: it registers its own
 * (a full report at its root, per-check and HEAD variants) beside the contract's, which here is the routing
 * authority, and {@code GET /health} must keep its own body. The checks use Helidon's {@link HealthCheck} model,
 * and the contract's handler serves them.
 */
public final class Probes {

    /** A check and the name it reports under. */
    private record Named(String name, HealthCheck check) { }

    private final List<Named> liveness;
    private final List<Named> readiness;
    private final List<Named> startup;
    private volatile boolean shuttingDown;
    /** What the process is still loading before it serves its data (the embedded demo set), or null. */
    private volatile String loading;

    public Probes(Database db) {
        Named migrations = new Named("migrations", () -> HealthCheckResponse.builder().status(true)
                .detail("schema_version", String.valueOf(db.schemaVersion())).build());
        Named database = new Named("database", () -> {
            HealthCheckResponse.Builder response = HealthCheckResponse.builder().status(db.available());
            db.unavailableReason().ifPresent(reason -> response.detail("error", reason));
            return response.build();
        });
        Named shutdown = new Named("shutdown", () -> shuttingDown
                ? HealthCheckResponse.builder().status(false).detail("draining", "true").build()
                : HealthCheckResponse.builder().status(true).build());
        Named data = new Named("data", () -> loading == null
                ? HealthCheckResponse.builder().status(true).build()
                : HealthCheckResponse.builder().status(false).detail("loading", loading).build());
        this.liveness = List.of(new Named("deadlock", HealthChecks.deadlockCheck()));
        // Migrations run before the port opens, so once this answers they are done; the check says to which version.
        this.readiness = List.of(database, migrations, shutdown, data);
        this.startup = List.of(migrations);
    }

    /**
     * Readiness is down while {@code what} loads (null: loaded). The embedded demo set is written after the port opens
     * and its bulk load (index builds on H2) makes concurrent writes wait: clients start once readiness is up.
     */
    public void loading(String what) {
        loading = what;
    }

    /** Readiness goes down for good: the shutdown drain has begun. */
    public void shuttingDown() {
        shuttingDown = true;
    }

    public HealthReportDto liveness() {
        return report(liveness);
    }

    public HealthReportDto readiness() {
        return report(readiness);
    }

    public HealthReportDto startup() {
        return report(startup);
    }

    private static HealthReportDto report(List<Named> checks) {
        List<HealthCheckResultDto> results = checks.stream().map(Probes::result).toList();
        boolean up = results.stream().allMatch(r -> r.getStatus() == HealthStatusDto.UP);
        return new HealthReportDto().status(up ? HealthStatusDto.UP : HealthStatusDto.DOWN).checks(results);
    }

    private static HealthCheckResultDto result(Named named) {
        HealthCheckResponse response;
        try {
            response = named.check().call();
        } catch (RuntimeException e) {
            response = HealthCheckResponse.builder().status(HealthCheckResponse.Status.ERROR)
                    .detail("error", String.valueOf(e)).build();
        }
        HealthCheckResultDto result = new HealthCheckResultDto().name(named.name())
                .status(response.status() == HealthCheckResponse.Status.UP ? HealthStatusDto.UP : HealthStatusDto.DOWN);
        if (!response.details().isEmpty()) {
            Map<String, String> details = new TreeMap<>();
            response.details().forEach((k, v) -> details.put(k, String.valueOf(v)));
            result.details(details);
        }
        return result;
    }
}
