package io.audiences.server;

import java.time.Duration;
import java.util.logging.Logger;

import io.audiences.server.audiences.AudienceService;
import io.audiences.server.audiences.AudienceStore;
import io.audiences.server.audiences.AudiencesHandler;
import io.audiences.server.auth.AccessFilter;
import io.audiences.server.auth.JwtCodec;
import io.audiences.server.auth.RateLimiter;
import io.audiences.server.auth.SigningKey;
import io.audiences.server.builds.BuildRunner;
import io.audiences.server.builds.BuildStore;
import io.audiences.server.builds.BuildWorkers;
import io.audiences.server.catalog.FieldCatalog;
import io.audiences.server.catalog.FieldCatalogHandler;
import io.audiences.server.catalog.FilterCompiler;
import io.audiences.server.catalog.TopicDirectory;
import io.audiences.server.credentials.ApiClientsHandler;
import io.audiences.server.credentials.AppsHandler;
import io.audiences.server.credentials.AuthenticationHandler;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.credentials.CredentialStore;
import io.audiences.server.credentials.UsersHandler;
import io.audiences.server.idempotency.Idempotency;
import io.audiences.server.idempotency.IdempotencyStore;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Contract;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.ErrorMapper;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.Settings;
import io.audiences.server.results.ResultsService;
import io.audiences.server.results.ResultsStore;
import io.audiences.server.system.Probes;
import io.audiences.server.system.SystemHandler;
import io.audiences.server.taxonomy.TaxonomyHandler;
import io.audiences.server.taxonomy.TaxonomyService;
import io.audiences.server.taxonomy.TaxonomyStore;
import io.audiences.server.tenancy.OrganizationsHandler;
import io.audiences.server.tenancy.ProjectsHandler;
import io.audiences.server.tenancy.TenancyService;
import io.audiences.server.tenancy.TenancyStore;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * The assembled server: database, capabilities and their routes. Tests start it exactly as Main does.
 * {@link #close()} is the graceful shutdown Main runs on SIGTERM.
 */
public final class Application implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Application.class.getName());

    private final Settings settings;
    private final Database db;
    private final Contract contract;
    private final TenancyService tenancy;
    private final CredentialService credentials;
    private final RateLimiter rateLimiter;
    private final FieldCatalog catalog = FieldCatalog.standard();
    private final AudienceService audiences;
    private final BuildWorkers workers;
    private final TaxonomyService taxonomy;
    private final Idempotency idempotency;
    private final Probes probes;
    private WebServer server;
    private boolean closed;

    private Application(Settings settings, Database db, Contract contract, Clock clock, BuildWorkers.Settings buildSettings,
                        Duration snapshotHold) {
        this.settings = settings;
        this.db = db;
        this.contract = contract;
        this.tenancy = new TenancyService(db, new TenancyStore(db), clock);
        byte[] serverKey = SigningKey.resolve(settings.jwtSecret(), settings.dataDir());
        JwtCodec jwt = new JwtCodec(serverKey, settings.jwtTtl(), clock);
        this.credentials = new CredentialService(db, new CredentialStore(db), tenancy, jwt, clock);
        this.rateLimiter = new RateLimiter(settings.rateLimitPerSecond(), settings.rateLimitBurst());
        FilterCompiler compiler = new FilterCompiler(catalog);
        TopicDirectory topics = new TopicDirectory(db);
        BuildStore builds = new BuildStore(db);
        this.audiences = new AudienceService(db, new AudienceStore(db), builds, tenancy, compiler, topics, clock);
        tenancy.onDeactivation(audiences);
        this.workers = new BuildWorkers(builds, new BuildRunner(db, builds, compiler, topics, clock, snapshotHold),
                audiences::renewDue, clock, buildSettings);
        this.taxonomy = new TaxonomyService(new TaxonomyStore(db));
        this.idempotency = new Idempotency(new IdempotencyStore(db), serverKey, clock);
        this.probes = new Probes(db);
    }

    /** Opens the database and builds the capabilities, without serving HTTP yet. */
    public static Application create(Config config, Clock clock) {
        Settings settings = Settings.from(config);
        Contract contract = Contract.load();
        Database db = Database.open(settings, config.get("db"));
        Config b = config.get("audiences.builds");
        BuildWorkers.Settings buildSettings = new BuildWorkers.Settings(b.get("workers").asInt().orElse(2),
                b.get("poll-interval").as(Duration.class).orElse(Duration.ofSeconds(1)),
                b.get("lease").as(Duration.class).orElse(Duration.ofSeconds(30)),
                b.get("schedule-interval").as(Duration.class).orElse(Duration.ofSeconds(30)));
        return new Application(settings, db, contract, clock, buildSettings,
                b.get("test-snapshot-hold").as(Duration.class).orElse(Duration.ZERO));
    }

    /** Starts the web server; returns once it accepts connections. */
    public Application start(Config serverConfig) {
        server = WebServer.builder()
                .config(serverConfig)
                // close() stops the server itself, after readiness went down and before the database closes.
                .shutdownHook(false)
                // How long stop() lets in-flight requests finish before it closes their connections.
                .shutdownGracePeriod(settings.drainPeriod())
                .directHandlers(ErrorMapper.directHandlers())
                .routing(this::routing)
                .build()
                .start();
        Thread.ofVirtual().name("contract-warm-up").start(contract::warmUp);
        workers.start();
        LOG.info(() -> "Audiences API listening on http://localhost:" + server.port() + " (database: "
                + (db.isPostgres() ? "PostgreSQL" : settings.embedded() ? "embedded H2 in " + settings.dataDir().toAbsolutePath()
                : "configured JDBC URL") + ")");
        return this;
    }

    void routing(HttpRouting.Builder routing) {
        HttpIo io = new HttpIo(contract);
        IdempotentRequests posts = new IdempotentRequests(idempotency);
        routing.addFilter(new AccessFilter(contract, credentials, rateLimiter));
        ErrorMapper.register(routing);
        routing.register(contract.mountPath("System"), new SystemHandler(db, probes, contract))
                .register(contract.mountPath("Authentication"), new AuthenticationHandler(credentials, io))
                .register(contract.mountPath("ApiClients"), new ApiClientsHandler(credentials, io, posts))
                .register(contract.mountPath("Apps"), new AppsHandler(credentials, io, posts))
                .register(contract.mountPath("Organizations"), new OrganizationsHandler(tenancy, io, posts))
                .register(contract.mountPath("Projects"), new ProjectsHandler(tenancy, io, posts))
                .register(contract.mountPath("Users"), new UsersHandler(credentials, io, posts))
                .register(contract.mountPath("FieldCatalog"), new FieldCatalogHandler(catalog))
                .register(contract.mountPath("Audiences"), new AudiencesHandler(audiences,
                        new ResultsService(new ResultsStore(db), settings.dataDir()), io, posts))
                .register(contract.mountPath("Taxonomy"), new TaxonomyHandler(taxonomy));
    }

    public int port() {
        return server.port();
    }

    public Settings settings() {
        return settings;
    }

    public Database database() {
        return db;
    }

    public TenancyService tenancy() {
        return tenancy;
    }

    public CredentialService credentials() {
        return credentials;
    }

    public AudienceService audiences() {
        return audiences;
    }

    /** Idempotency keys, as every handler of a state-changing POST uses them. */
    public Idempotency idempotency() {
        return idempotency;
    }

    /** The build workers of this process (stopping them leaves every audience where it is). */
    public BuildWorkers buildWorkers() {
        return workers;
    }

    public Probes probes() {
        return probes;
    }

    /**
     * Shuts down gracefully within the drain period ({@code audiences.shutdown.drain-period}): readiness goes down,
     * build workers stop claiming, the server stops accepting connections and lets in-flight requests finish
     * (closing those still running at the end of the period), running builds get the rest of the period and are
     * then handed back for a peer to claim, and the database closes. Threads are never interrupted mid-build.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        long deadline = started + settings.drainPeriod().toNanos();
        probes.shuttingDown();
        workers.stopClaiming();
        if (server != null) {
            server.stop();
        }
        workers.close(deadline);
        db.close();
        LOG.info(() -> "Stopped in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }
}
