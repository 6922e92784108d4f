// The consumer scenario of bin/sdk-check, written only against the TypeScript client (typescript-fetch) that
// OpenAPI Generator makes from openapi.yaml: log in, register a webhook for completed builds on a local listener,
// and with the JWT and then with the API key pair create a persona audience, wait for its signed
// audience.build.completed webhook (instead of polling), sample it, download it, and read a problem+json error.
// Usage: node target/dist/scenario.js <base-uri> <demo-credentials.json>; any failure exits non-zero.
// Through Stoplight Prism's validation proxy (bin/prism-check) every response is also checked for the
// `sl-violations` header in which Prism reports where the request or response broke the contract.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
    ApiClientsApi, ApiKeyScope, AppsApi, AuditApi, AudiencesApi, AuthenticationApi, FieldCatalogApi, ProjectsApi, SystemApi,
    AudienceStatus, AudienceType, Configuration, FilterGroupConditionEnum, FilterOperator, ProblemFromJSON, ResponseError,
    UserStatus, UsersApi, WebhookEventType, WebhooksApi,
} from './target/client';
import type { Audience, ConfigurationParameters, Middleware } from './target/client';

const BUILD_TIMEOUT_MS = 90_000;

const violations: string[] = [];
const reportViolations: Middleware = {
    post: async ({ init, url, response }) => {
        const reported = response.headers.get('sl-violations');
        if (reported) {
            violations.push(`${init.method ?? 'GET'} ${url} -> ${response.status}: ${reported}`);
        }
        return response;
    },
};

function check(condition: unknown, message: string): asserts condition {
    if (!condition) {
        throw new Error(message);
    }
}

// A local webhook listener: collects the server's signed events (the server must allow loopback targets; bin/sdk-check
// starts it so) and hands each audience's build completion to whoever waits for it.
class Listener {
    secret = '';
    private readonly events = new Map<number, unknown>();
    private readonly server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const id = String(req.headers['webhook-id']);
            const timestamp = String(req.headers['webhook-timestamp']);
            // Standard Webhooks: v1, base64 HMAC-SHA256 of id.timestamp.body under the secret's bytes.
            const expected = 'v1,' + createHmac('sha256', Buffer.from(this.secret.slice('whsec_'.length), 'base64'))
                .update(`${id}.${timestamp}.${body}`).digest('base64');
            const event = JSON.parse(body);
            if (req.headers['webhook-signature'] === expected && event.type === 'audience.build.completed') {
                this.events.set(event.data.audience_id, event);
            }
            res.writeHead(204).end();
        });
    });

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
    }

    async completed(audienceId: number): Promise<void> {
        const deadline = Date.now() + BUILD_TIMEOUT_MS;
        while (!this.events.has(audienceId)) {
            check(Date.now() < deadline, `no signed audience.build.completed webhook for ${audienceId} in ${BUILD_TIMEOUT_MS} ms`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }

    close(): void {
        this.server.close();
    }
}

// Polls until the audience's build has completed.
async function completed(audiences: AudiencesApi, start: Audience, projectId: string): Promise<Audience> {
    let audience = start;
    const deadline = Date.now() + BUILD_TIMEOUT_MS;
    while (audience.status !== AudienceStatus.Completed) {
        check(audience.status !== AudienceStatus.Failed, `build failed: ${audience.error}`);
        check(Date.now() < deadline, `not Completed after ${BUILD_TIMEOUT_MS} ms: ${audience.status}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        audience = await audiences.getAudience({ audienceId: start.id, xProjectId: projectId });
    }
    return audience;
}

async function run(auth: string, config: ConfigurationParameters, projectId: string, listener: Listener): Promise<void> {
    const audiences = new AudiencesApi(new Configuration({ ...config, middleware: [reportViolations] }));
    const created = await audiences.createAudience({
        xProjectId: projectId,
        audienceCreateRequest: {
            name: `SDK persona (TypeScript, ${auth})`,
            type: AudienceType.Elixir,
            filter: {
                condition: FilterGroupConditionEnum.And,
                rules: [{ fieldName: 'seniority_level', conditionRules: { operator: FilterOperator.In, value: ['vp'] } }],
            },
        },
    });
    check(created.id > 0, 'created audience has no id');
    check(created.type === AudienceType.Elixir, `created audience type ${created.type}`);
    check(created.createdAt instanceof Date && !isNaN(created.createdAt.getTime()), 'created_at is not a date');
    console.log(`ts [${auth}]: created audience ${created.id} (${created.status})`);

    // No polling: the server pushes the completion, signed; one read then shows the result.
    await listener.completed(created.id);
    const audience = await audiences.getAudience({ audienceId: created.id, xProjectId: projectId });
    check(audience.status === AudienceStatus.Completed, `webhook said completed, audience is ${audience.status}`);
    console.log(`ts [${auth}]: Completed (webhook), record_count=${audience.recordCount}, `
        + `distinct_profile_count=${audience.distinctProfileCount}, last_built_at=${audience.lastBuiltAt?.toISOString()}`);

    const list = await audiences.listAudiences({ xProjectId: projectId, limit: 100 });
    check(list.audiences.some((a) => a.id === created.id), 'created audience missing from the list');

    const sample = await audiences.getAudienceSample({ audienceId: created.id, xProjectId: projectId, limit: 5 });
    check(Array.isArray(sample.contacts), 'sample has no contacts array');
    check(sample.buildId, 'sample has no build_id');
    console.log(`ts [${auth}]: sample of build ${sample.buildId}, ${sample.contacts.length} contacts`);

    const csv = await (await audiences.downloadAudience({ audienceId: created.id, xProjectId: projectId })).text();
    check(csv.startsWith('record_id,profile_id,'), `download is not the CSV with its header row: ${csv}`);
    console.log(`ts [${auth}]: downloaded ${csv.length} bytes of CSV`);

    // A documented error arrives as problem+json and reads into the Problem model.
    try {
        await audiences.getAudience({ audienceId: Number.MAX_SAFE_INTEGER, xProjectId: projectId });
        throw new Error('expected 404 for an unknown audience');
    } catch (e) {
        check(e instanceof ResponseError, `expected a ResponseError, got ${e}`);
        check(e.response.status === 404, `expected 404, got ${e.response.status}`);
        const problem = ProblemFromJSON(await e.response.json());
        check(problem.code === 'not_found' && problem.status === 404, `unexpected problem: ${JSON.stringify(problem)}`);
    }
}

// Expects the call to fail with this status and problem code (a documented problem+json answer).
async function expectProblem(call: Promise<unknown>, status: number, code: string): Promise<ResponseError> {
    try {
        await call;
    } catch (e) {
        check(e instanceof ResponseError, `expected a ResponseError, got ${e}`);
        const problem = ProblemFromJSON(await e.response.clone().json());
        check(e.response.status === status && problem.code === code,
            `expected ${status} ${code}, got ${e.response.status} ${JSON.stringify(problem)}`);
        return e;
    }
    throw new Error(`expected ${status} ${code}, the call succeeded`);
}

// The credential lifecycle (bearer JWT of an admin): a read-only API key, a user's one-time password, logout,
// disable and delete, failed sign-ins throttled, an app's secret rotated and the app deleted, all in the audit log.
async function credentialLifecycle(baseUri: string, config: ConfigurationParameters, projectId: string): Promise<void> {
    const admin = new Configuration({ ...config, middleware: [reportViolations] });
    const as = (extra: ConfigurationParameters) => new Configuration({ basePath: baseUri, middleware: [reportViolations], ...extra });
    const stamp = Date.now();

    // A read-only API key reads audiences but cannot create one (403 insufficient_scope).
    const reader = await new ApiClientsApi(admin).createApiClient({ apiClientCreateRequest: { name: `SDK reader ${stamp}`, scope: ApiKeyScope.Read } });
    check(reader.scope === ApiKeyScope.Read, `client scope ${reader.scope}`);
    const readKeys: Record<string, string> = { 'X-Api-Key': reader.apiKey, 'X-Api-Secret': reader.apiSecret };
    const readOnly = new AudiencesApi(as({ apiKey: (name: string) => readKeys[name] }));
    await readOnly.listAudiences({ xProjectId: projectId, limit: 1 });
    await expectProblem(readOnly.createAudience({ xProjectId: projectId, audienceCreateRequest: {
        name: 'SDK refused', type: AudienceType.Elixir,
        filter: { condition: FilterGroupConditionEnum.And, rules: [{ fieldName: 'seniority_level', conditionRules: { operator: FilterOperator.In, value: ['vp'] } }] },
    } }), 403, 'insufficient_scope');

    // A user created without a password gets a one-time password that must be replaced before anything else.
    const users = new UsersApi(admin);
    const ana = await users.createUser({ userCreateRequest: { email: `ana.${stamp}@example.com`, firstName: 'Ana', lastName: 'Ruiz' } });
    check(ana.password, 'no one-time password returned');
    const auth = new AuthenticationApi(as({}));
    const first = await auth.login({ loginRequest: { email: ana.email, password: ana.password! } });
    check(first.passwordChangeRequired, 'a one-time password login must require a password change');
    await expectProblem(new AudiencesApi(as({ accessToken: first.token })).listAudiences({ xProjectId: projectId }), 401, 'password_change_required');
    const newPassword = `correct-horse-${stamp}`;
    await new UsersApi(as({ accessToken: first.token })).changePassword({ passwordChangeRequest: { currentPassword: ana.password!, newPassword } });
    await expectProblem(new UsersApi(as({ accessToken: first.token })).changePassword({ passwordChangeRequest: { currentPassword: newPassword, newPassword: `${newPassword}!` } }), 401, 'unauthorized');
    const second = await auth.login({ loginRequest: { email: ana.email, password: newPassword } });
    check(!second.passwordChangeRequired, 'the replaced password still requires a change');
    const asAna = new AudiencesApi(as({ accessToken: second.token }));
    await asAna.listAudiences({ xProjectId: projectId, limit: 1 });
    await new AuthenticationApi(as({ accessToken: second.token })).logout();
    await expectProblem(asAna.listAudiences({ xProjectId: projectId, limit: 1 }), 401, 'unauthorized');

    // Disabled, a user cannot log in; deleted, it is gone.
    const disabled = await users.updateUser({ userId: ana.userId, userUpdateRequest: { status: UserStatus.Disabled } });
    check(disabled.status === UserStatus.Disabled, `user status ${disabled.status}`);
    await expectProblem(auth.login({ loginRequest: { email: ana.email, password: newPassword } }), 401, 'user_disabled');
    await users.deleteUser({ userId: ana.userId });
    await expectProblem(users.deleteUser({ userId: ana.userId }), 404, 'not_found');

    // Wrong passwords are throttled per account: after the free attempts, 429 too_many_attempts with Retry-After.
    const bo = await users.createUser({ userCreateRequest: { email: `bo.${stamp}@example.com`, firstName: 'Bo', lastName: 'Lind', password: `bo-password-${stamp}` } });
    let throttled: ResponseError | undefined;
    for (let attempt = 1; attempt <= 10 && !throttled; attempt++) {
        try {
            await auth.login({ loginRequest: { email: bo.email, password: `wrong-password-${attempt}` } });
            throw new Error('a wrong password logged in');
        } catch (e) {
            check(e instanceof ResponseError, `expected a ResponseError, got ${e}`);
            const problem = ProblemFromJSON(await e.response.clone().json());
            if (e.response.status === 429) {
                check(problem.code === 'too_many_attempts', `429 with code ${problem.code}`);
                throttled = e;
            } else {
                check(e.response.status === 401 && problem.code === 'invalid_credentials', `attempt ${attempt}: ${e.response.status} ${problem.code}`);
            }
        }
    }
    check(throttled, 'ten wrong passwords in a row were never throttled');
    check(Number(throttled.response.headers.get('Retry-After')) > 0, 'a 429 too_many_attempts without Retry-After');

    // An app: its token works; a rotated secret ends the old token; a deleted app cannot get a token.
    const apps = new AppsApi(admin);
    const app = (await apps.createApp({ appCreateRequest: { name: `SDK app ${stamp}` } })).response;
    const issue = (id: string, secret: string) => new AuthenticationApi(as({
        apiKey: (name: string) => (name === 'X-Delivr-Client-ID' ? id : secret),
    })).issueAppToken();
    const appToken = (await issue(app.clientId, app.clientSecret)).response.token;
    await new AppsApi(as({ accessToken: appToken })).listApps();
    const rotated = (await apps.rotateAppSecret({ appId: app.appId })).response;
    await expectProblem(new AppsApi(as({ accessToken: appToken })).listApps(), 401, 'unauthorized');
    await expectProblem(issue(app.clientId, app.clientSecret), 401, 'invalid_credentials');
    await issue(rotated.clientId, rotated.clientSecret);
    await apps.deleteApp({ appId: app.appId });
    await expectProblem(issue(rotated.clientId, rotated.clientSecret), 401, 'invalid_credentials');

    // The owner sees all of it in the audit log, never a secret.
    const audit = new AuditApi(admin);
    for (const [action, target] of [['api_client.created', reader.clientId], ['user.password_changed', ana.userId],
        ['user.logged_out', ana.userId], ['user.disabled', ana.userId], ['user.deleted', ana.userId],
        ['user.sign_in_throttled', bo.userId], ['app.secret_rotated', app.appId], ['app.deleted', app.appId]]) {
        const page = await audit.listAuditEvents({ action, targetId: target, limit: 10 });
        check(page.events.length >= 1, `no ${action} event for ${target} in the audit log`);
    }
    const everything = JSON.stringify((await audit.listAuditEvents({ limit: 200 })).events);
    check(!everything.includes(app.clientSecret) && !everything.includes(rotated.clientSecret) && !everything.includes(newPassword), 'a secret is in the audit log');
    console.log(`ts [credentials]: read-only key refused a write, one-time password replaced, logout, disable, delete, `
        + `throttled after wrong passwords (Retry-After ${throttled.response.headers.get('Retry-After')} s), app rotated `
        + `and deleted, 8 audit actions found`);
}

// Beyond the scenario (bearer JWT): reads of the management API, and an audience's lifecycle to its deletion.
async function management(config: ConfigurationParameters, projectId: string): Promise<void> {
    const configuration = new Configuration({ ...config, middleware: [reportViolations] });
    const health = await new SystemApi(configuration).getHealth();
    check(health.status === 'UP', `health ${JSON.stringify(health)}`);
    const project = await new ProjectsApi(configuration).getProject({ projectId });
    check(project.projectId === projectId, `project ${project.projectId}`);
    const catalog = await new FieldCatalogApi(configuration).listFieldCatalog({ includeOptions: true });
    check(catalog.fields.some((f) => f.fieldKey === 'seniority_level'), 'field catalog has no seniority_level');
    const clients = await new ApiClientsApi(configuration).listApiClients();
    check(clients.clients.length > 0, 'no API clients listed');

    const audiences = new AudiencesApi(configuration);
    const audience = await audiences.createAudience({
        xProjectId: projectId,
        audienceCreateRequest: {
            name: 'SDK lifecycle (TypeScript)',
            type: AudienceType.Elixir,
            filter: {
                condition: FilterGroupConditionEnum.And,
                rules: [{ fieldName: 'seniority_level', conditionRules: { operator: FilterOperator.In, value: ['cxo'] } }],
            },
        },
    });
    const id = audience.id;
    const paused = await audiences.pauseAudience({ audienceId: id, xProjectId: projectId });
    check(paused.pausedAt instanceof Date, 'pause did not set paused_at');
    const resumed = await audiences.resumeAudience({ audienceId: id, xProjectId: projectId });
    check(resumed.pausedAt == null, 'resume kept paused_at');
    // Refreshing while the first build writes its snapshot is a documented 409 (audience_syncing): wait for it.
    await completed(audiences, resumed, projectId);
    await audiences.refreshAudience({ audienceId: id, xProjectId: projectId });
    await audiences.deleteAudience({ audienceId: id, xProjectId: projectId });
    try {
        await audiences.getAudience({ audienceId: id, xProjectId: projectId });
        throw new Error('expected 404 after delete');
    } catch (e) {
        check(e instanceof ResponseError && e.response.status === 404, `expected 404 after delete, got ${e}`);
    }
    console.log(`ts [management]: health, project, ${catalog.fields.length} catalog fields, `
        + `${clients.clients.length} API clients; audience ${id} paused, resumed, refreshed, deleted`);
}

async function main(): Promise<void> {
    const [baseUri, credentialsFile] = process.argv.slice(2);
    check(baseUri && credentialsFile, 'usage: scenario.js <base-uri> <demo-credentials.json>');
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));
    const projectId: string = credentials.project_id;

    // 1. Log in (no credentials on this call), then use the JWT as the Bearer token.
    const login = await new AuthenticationApi(new Configuration({ basePath: baseUri, middleware: [reportViolations] }))
        .login({ loginRequest: { email: credentials.email, password: credentials.password } });
    check(login.token, 'login returned no token');
    const bearer: ConfigurationParameters = { basePath: baseUri, accessToken: login.token };

    // Builds are announced by webhook: register the local listener (the secret is shown only in this answer).
    const listener = new Listener();
    const webhook = await new WebhooksApi(new Configuration({ ...bearer, middleware: [reportViolations] })).createWebhook({
        webhookCreateRequest: { url: await listener.start(), events: new Set([WebhookEventType.AudienceBuildCompleted]) },
    });
    check(webhook.secret.startsWith('whsec_'), `webhook secret ${webhook.secret}`);
    listener.secret = webhook.secret;
    console.log(`ts [webhooks]: registered ${webhook.url} for ${webhook.events.join(', ')}`);

    await run('bearer JWT', bearer, projectId, listener);
    await management(bearer, projectId);
    await credentialLifecycle(baseUri, bearer, projectId);

    // 2. The API key pair (the apiKey and apiSecret security schemes).
    const keys: Record<string, string> = { 'X-Api-Key': credentials.api_key, 'X-Api-Secret': credentials.api_secret };
    await run('API key pair', { basePath: baseUri, apiKey: (name: string) => keys[name] }, projectId, listener);
    listener.close();

    check(violations.length === 0, `Prism reported contract violations:\n${violations.join('\n')}`);
    console.log('ts sdk-check: OK');
}

main().catch((e) => {
    console.error('ts sdk-check: FAILED:', e);
    process.exit(1);
});
