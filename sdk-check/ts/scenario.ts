// The consumer scenario of bin/sdk-check, written only against the TypeScript client (typescript-fetch) that
// OpenAPI Generator makes from openapi.yaml: log in, and with the JWT and then with the API key pair create a
// persona audience, poll it until Completed, sample it, download it, and read a problem+json error.
// Usage: node target/dist/scenario.js <base-uri> <demo-credentials.json>; any failure exits non-zero.
// Through Stoplight Prism's validation proxy (bin/prism-check) every response is also checked for the
// `sl-violations` header in which Prism reports where the request or response broke the contract.
import { readFileSync } from 'node:fs';
import {
    ApiClientsApi, AudiencesApi, AuthenticationApi, FieldCatalogApi, ProjectsApi, SystemApi, AudienceStatus, AudienceType, Configuration, FilterGroupConditionEnum,
    FilterOperator, ProblemFromJSON, ResponseError,
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

async function run(auth: string, config: ConfigurationParameters, projectId: string): Promise<void> {
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

    const audience = await completed(audiences, created, projectId);
    console.log(`ts [${auth}]: Completed, record_count=${audience.recordCount}, `
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
    check(resumed.pausedAt === undefined, 'resume kept paused_at');
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
    await run('bearer JWT', bearer, projectId);
    await management(bearer, projectId);

    // 2. The API key pair (the apiKey and apiSecret security schemes).
    const keys: Record<string, string> = { 'X-Api-Key': credentials.api_key, 'X-Api-Secret': credentials.api_secret };
    await run('API key pair', { basePath: baseUri, apiKey: (name: string) => keys[name] }, projectId);

    check(violations.length === 0, `Prism reported contract violations:\n${violations.join('\n')}`);
    console.log('ts sdk-check: OK');
}

main().catch((e) => {
    console.error('ts sdk-check: FAILED:', e);
    process.exit(1);
});
