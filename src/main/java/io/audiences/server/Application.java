package io.audiences.server;

import java.time.Duration;
import java.util.logging.Logger;

import io.audiences.server.audiences.AudienceService;
import io.audiences.server.audiences.AudienceStore;
import io.audiences.server.audiences.AudiencesHandler;
import io.audiences.server.audit.AuditHandler;
import io.audiences.server.audit.AuditLog;
import io.audiences.server.audit.AuditStore;
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
import io.audiences.server.credentials.ApiClientsHandler;
import io.audiences.server.credentials.AppsHandler;
import io.audiences.server.credentials.AuthenticationHandler;
import io.audiences.server.credentials.CredentialCache;
import io.audiences.server.credentials.CredentialService;
import io.audiences.server.credentials.CredentialStore;
import io.audiences.server.credentials.UsersHandler;
import io.audiences.server.idempotency.Idempotency;
import io.audiences.server.idempotency.IdempotencyStore;
import io.audiences.server.idempotency.IdempotentRequests;
import io.audiences.server.metrics.ServerMetrics;
import io.audiences.server.platform.Clock;
import io.audiences.server.platform.Configured;
import io.audiences.server.platform.Contract;
import io.audiences.server.platform.Cors;
import io.audiences.server.platform.DataDirectory;
import io.audiences.server.platform.Database;
import io.audiences.server.platform.ErrorMapper;
import io.audiences.server.platform.HeaderReadTimeout;
import io.audiences.server.platform.HttpIo;
import io.audiences.server.platform.SecurityHeaders;
import io.audiences.server.platform.Settings;
import io.audiences.server.results.ResultsService;
import io.audiences.server.results.ResultsStore;
import io.audiences.server.signin.HashingPool;
import io.audiences.server.signin.SignInThrottle;
import io.audiences.server.signin.SignIns;
import io.audiences.server.system.Probes;
import io.audiences.server.system.SystemHandler;
import io.audiences.server.taxonomy.TaxonomyHandler;
import io.audiences.server.taxonomy.TaxonomyService;
import io.audiences.server.taxonomy.TaxonomyStore;
import io.audiences.server.taxonomy.TopicRequestStore;
import io.audiences.server.taxonomy.TopicRequests;
import io.audiences.server.taxonomy.TopicRequestsHandler;
import io.audiences.server.tenancy.OrganizationsHandler;
import io.audiences.server.tenancy.ProjectsHandler;
import io.audiences.server.tenancy.TenancyService;
import io.audiences.server.tenancy.TenancyStore;
import io.audiences.server.tracing.Tracing;
import io.audiences.server.webhooks.Dispatcher;
import io.audiences.server.webhooks.Outbox;
import io.audiences.server.webhooks.SecretSeal;
import io.audiences.server.webhooks.TargetGuard;
import io.audiences.server.webhooks.WebhookService;
import io.audiences.server.webhooks.WebhookStore;
import io.audiences.server.webhooks.WebhooksHandler;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;

/**
 * The assembled server: database, capabilities and their routes. Tests start it exactly as Main does.
 * {@link #close()} is the graceful shutdown Main runs on SIGTERM.
 */
public final class Application implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Application.class.getName());
    /** Where Delivr serves its Public Core API (apps, organizations, projects, users). */
    private static final String PUBLIC_CORE = "/public/core";

    private final Settings settings;
    private final Database db;
    private final Contract contract;
    private final AuditLog audit;
    private final TenancyService tenancy;
    private final CredentialCache credentialCache;
    private final CredentialService credentials;
    private final RateLimiter rateLimiter;
    private final FieldCatalog catalog = FieldCatalog.standard();
    private final AudienceService audiences;
    private final BuildWorkers workers;
    private final TaxonomyService taxonomy;
    private final TopicRequests topicRequests;
    private final Idempotency idempotency;
    private final Probes probes;
    private final HeaderReadTimeout headerReadTimeout;
    private final HashingPool hashing;
    private final SignIns signIns;
    private final Outbox outbox;
    private final WebhookService webhooks;
    private final Dispatcher dispatcher;
    private final Tracing tracing;
    private final ServerMetrics metrics = new ServerMetrics();
    private WebServer server;
    private boolean closed;

    private Application(ServerSettings configured, Database db, Contract contract, Clock clock, Tracing tracing) {
        Settings settings = configured.settings();
        this.settings = settings;
        this.tracing = tracing;
        this.db = db;
        this.contract = contract;
        this.audit = new AuditLog(db, new AuditStore(db), clock);
        this.tenancy = new TenancyService(db, new TenancyStore(db), clock, configured.quotas(), audit);
        byte[] serverKey = SigningKey.resolve(settings.jwtSecret(), settings.dataDir());
        JwtCodec jwt = new JwtCodec(serverKey, settings.jwtTtl(), clock);
        this.credentialCache = CredentialCache.open(db, settings.credentialCacheMaxSize(), settings.credentialCacheMaxAge());
        this.credentials = new CredentialService(db, new CredentialStore(db), tenancy, jwt, clock, audit, credentialCache);
        tenancy.onDeactivation(credentials);
        int burst = settings.rateLimitBurst();
        this.rateLimiter = RateLimiter.forDatabase(new RateLimiter.Policy(settings.rateLimitPerSecond(), burst,
                settings.rateLimitBatch().orElse(RateLimiter.Policy.defaultBatch(burst)), settings.rateLimitSyncInterval()), db);
        FilterCompiler compiler = new FilterCompiler(catalog);
        TaxonomyStore topics = new TaxonomyStore(db);
        WebhookStore webhookStore = new WebhookStore(db);
        this.outbox = new Outbox(webhookStore, clock, tracing);
        SecretSeal secrets = new SecretSeal(serverKey);
        TargetGuard targets = new TargetGuard(settings.webhooksAllowPrivateTargets());
        this.webhooks = new WebhookService(db, webhookStore, secrets, targets, clock);
        this.dispatcher = new Dispatcher(webhookStore, secrets, targets, clock, configured.webhooks(), tracing);
        BuildStore builds = new BuildStore(db, outbox);
        db.meterPool(metrics.micrometer());
        // A scrape reads the build states at most every 5 s, whatever the scrape rate or the number of instances.
        metrics.buildStates(BuildStore.ACTIVE_STATES, builds::activeCounts, Duration.ofSeconds(5));
        this.audiences = new AudienceService(db, new AudienceStore(db), builds, tenancy, compiler, topics, outbox, clock,
                configured.buildBacklog(), audit);
        tenancy.onDeactivation(audiences);
        this.workers = new BuildWorkers(builds, new BuildRunner(db, builds, compiler, topics, clock,
                configured.buildSnapshotHold(), tracing), audiences::renewDue, clock, configured.builds(), metrics);
        this.taxonomy = new TaxonomyService(topics);
        this.topicRequests = new TopicRequests(db, new TopicRequestStore(db), topics, audit, clock,
                settings.taxonomyReviewerOrganizations());
        this.idempotency = new Idempotency(new IdempotencyStore(db), serverKey, clock);
        this.probes = new Probes(db);
        this.headerReadTimeout = new HeaderReadTimeout(settings.headerReadTimeout());
        ServerSettings.SignIn signIn = configured.signIn();
        this.hashing = new HashingPool(signIn.hashingThreads(), signIn.hashingQueue());
        this.signIns = new SignIns(SignInThrottle.forDatabase(signIn.policy(), db, clock), hashing,
                credentials.signInAudit().and(metrics.signInEvents()), signIn.refusalDelay());
    }

    /** Opens the database and builds the capabilities, without serving HTTP yet. */
    public static Application create(Config config, Clock clock) {
        return create(config, clock, Tracing.from(config));
    }

    /** With this tracing (tests: spans to an in-memory exporter); {@link #close()} closes it. */
    public static Application create(Config config, Clock clock, Tracing tracing) {
        ServerSettings configured = ServerSettings.from(config);
        Settings settings = configured.settings();
        Contract contract = Contract.load();
        DataDirectory.secure(settings.dataDir());
        Database db = Database.open(settings, config.get("db"), tracing.connections());
        // H2 creates its files with the process's umask (usually 0644); the directory is 0700 already. Also when the
        // H2 URL is configured explicitly (pointing into the data directory), hence not only for the default.
        DataDirectory.ownerOnly(settings.dataDir(), Database.EMBEDDED_NAME + ".*");
        return new Application(configured, db, contract, clock, tracing);
    }

    /** Starts the web server; returns once it accepts connections. */
    public Application start(Config serverConfig) {
        server = WebServer.builder()
                .config(serverConfig)
                // close() stops the server itself, after readiness went down and before the database closes.
                .shutdownHook(false)
                // How long stop() lets in-flight requests finish before it closes their connections.
                .shutdownGracePeriod(settings.drainPeriod())
                .directHandlers(ErrorMapper.directHandlers(
                        Configured.required(serverConfig.get("max-payload-size"), Long.class)))
                .routing(this::routing)
                .addFeature(Cors.feature(settings.corsAllowedOrigins()))
                .addFeature(Cors.refusals(settings.corsAllowedOrigins()))
                .addProtocol(Http1Config.builder().addReceiveListener(headerReadTimeout).build())
                .build()
                .start();
        Thread.ofVirtual().name("contract-warm-up").start(contract::warmUp);
        workers.start();
        dispatcher.start();
        LOG.info(() -> "Audiences API listening on http://localhost:" + server.port() + " (database: "
                + (db.isPostgres() ? "PostgreSQL" : settings.embedded() ? "embedded H2 in " + settings.dataDir().toAbsolutePath()
                : "configured JDBC URL") + ")");
        return this;
    }

    void routing(HttpRouting.Builder routing) {
        HttpIo io = new HttpIo(contract);
        IdempotentRequests posts = new IdempotentRequests(idempotency);
        routing.addFilter(new SecurityHeaders());
        routing.addFilter(new AccessFilter(contract, credentials, rateLimiter, tracing, metrics));
        ErrorMapper.register(routing);
        SystemHandler system = new SystemHandler(db, probes, contract, metrics, settings.metricsToken());
        AuthenticationHandler authentication = new AuthenticationHandler(credentials, signIns, io);
        AppsHandler apps = new AppsHandler(credentials, io, posts);
        OrganizationsHandler organizations = new OrganizationsHandler(tenancy, io, posts);
        ProjectsHandler projects = new ProjectsHandler(tenancy, io, posts);
        UsersHandler users = new UsersHandler(credentials, io, posts);
        routing.register(contract.mountPath("System"), system)
                .register(contract.mountPath("Authentication"), authentication)
                .register(contract.mountPath("ApiClients"), new ApiClientsHandler(credentials, io, posts))
                .register(contract.mountPath("Apps"), apps)
                .register(contract.mountPath("Organizations"), organizations)
                .register(contract.mountPath("Projects"), projects)
                .register(contract.mountPath("Users"), users)
                .register(contract.mountPath("FieldCatalog"), new FieldCatalogHandler(catalog))
                .register(contract.mountPath("Audiences"), new AudiencesHandler(audiences,
                        new ResultsService(new ResultsStore(db), settings.dataDir(),
                                settings.exportCacheMaxBytes()), io, posts, metrics))
                .register(contract.mountPath("Taxonomy"), new TaxonomyHandler(taxonomy))
                .register(contract.mountPath("TopicRequests"), new TopicRequestsHandler(topicRequests, io, posts))
                .register(contract.mountPath("Webhooks"), new WebhooksHandler(webhooks, io, posts))
                .register(contract.mountPath("Audit"), new AuditHandler(audit));
        // Delivr's Public Core base path: the same handlers once more under the prefix. The contract declares each
        // PublicCore operation (and its stricter security); anything else under the prefix is refused as undeclared
        // by the access filter, which is the routing authority.
        routing.register(publicCore("System"), system)
                .register(publicCore("Authentication"), authentication)
                .register(publicCore("Apps"), apps)
                .register(publicCore("Organizations"), organizations)
                .register(publicCore("Projects"), projects)
                .register(publicCore("Users"), users);
    }

    private String publicCore(String tag) {
        String mount = contract.mountPath(tag);
        return PUBLIC_CORE + (mount.equals("/") ? "" : mount);
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

    /** The audit log, which every change records itself in (and sign-in checks record refusals in). */
    public AuditLog audit() {
        return audit;
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

    /** The webhook outbox changes publish their events to (in their own transaction). */
    public Outbox outbox() {
        return outbox;
    }

    /**
     * Shuts down gracefully within the drain period ({@code audiences.shutdown.drain-period}): readiness goes down,
     * build workers stop claiming, the server stops accepting connections and lets in-flight requests finish
     * (closing those still running at the end of the period), running builds get the rest of the period and are
     * then handed back for a peer to claim, the webhook dispatcher gets what is left to record the attempts in flight
     * (a delivery it could not record is sent again by any instance once its lease runs out), and the database closes. Threads are never interrupted mid-build.
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
        headerReadTimeout.close();
        hashing.close();
        dispatcher.close(deadline);
        credentialCache.close();
        db.close();
        metrics.close();
        tracing.close();
        LOG.info(() -> "Stopped in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }
}
