/**
 * `mdetect registry ...`: staff keep the registry (sites, detectors, deployments) through the client
 * API, because the database sits in a private network a laptop cannot reach. `registry login` signs
 * in with Cognito (password, then the authenticator code) and caches the tokens in a 0600 file
 * under the user's config directory (scripts/lib/staff-session.ts); the other commands call the
 * API with them (scripts/lib/registry-api.ts). Where: --api-url, --client-id and --region, by
 * default $MDETECT_API_URL, $MDETECT_USER_POOL_CLIENT_ID and $AWS_REGION (the stack outputs apiUrl,
 * userPoolClientId).
 */
import { Command, InvalidArgumentError, Option, action, examples } from "../lib/cli";
import { ApiConfig, callApi } from "../lib/registry-api";
import { cognitoEndpoint, forgetTokens, signIn, writeTokens } from "../lib/staff-session";
import { readSecret } from "../lib/prompt";

interface Where {
    apiUrl?: string;
    clientId?: string;
    region?: string;
    cognitoEndpoint?: string;
}

function config(cmd: Command): ApiConfig {
    const o = cmd.optsWithGlobals() as Where;
    const missing = [!o.apiUrl && "--api-url (or MDETECT_API_URL)", !o.clientId && "--client-id (or MDETECT_USER_POOL_CLIENT_ID)", !o.region && !o.cognitoEndpoint && "--region (or AWS_REGION)"].filter(Boolean);
    if (missing.length) throw new Error(`missing ${missing.join(", ")}: the stack outputs apiUrl and userPoolClientId say what to use`);
    return { apiUrl: o.apiUrl!, clientId: o.clientId!, cognitoEndpoint: o.cognitoEndpoint ?? cognitoEndpoint(o.region!) };
}

type Row = Record<string, unknown>;

/** Columns per resource, in the order a person scans them. */
const COLUMNS: Record<string, string[]> = {
    sites: ["id", "name", "kind", "latitude", "longitude", "depthM"],
    detectors: ["id", "serial", "model", "firmware", "status", "commissionedAt"],
    deployments: ["id", "detectorId", "siteId", "siteName", "startsAt", "endsAt", "status"],
};

export function table(rows: Row[], columns: string[]): string {
    const shown = columns.filter((c) => rows.some((r) => r[c] !== undefined));
    const cell = (v: unknown) => (v === null || v === undefined ? "-" : String(v));
    const widths = shown.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
    const line = (cells: string[]) => cells.map((s, i) => s.padEnd(widths[i])).join("  ").trimEnd();
    return [line(shown), ...rows.map((r) => line(shown.map((c) => cell(r[c]))))].join("\n");
}

function list(resource: string): (opts: { json?: boolean }, cmd: Command) => Promise<number> {
    return async (opts, cmd) => {
        const body = await callApi(config(cmd), "GET", `/v1/registry/${resource}`) as { items: Row[] };
        console.log(opts.json ? JSON.stringify(body.items, null, 2) : body.items.length ? table(body.items, COLUMNS[resource]) : `no ${resource}`);
        return 0;
    };
}

/** Options that are numbers in the API's body. */
const number = (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`expects a number, got '${value}'`);
    return n;
};

function add(resource: string, singular: string): (opts: Row & { json?: boolean }, cmd: Command) => Promise<number> {
    return async (opts, cmd) => {
        const { json, ...fields } = opts;
        const created = await callApi(config(cmd), "POST", `/v1/${resource}`, fields) as Row;
        console.log(json ? JSON.stringify(created, null, 2) : `added ${singular} ${created.id}`);
        return 0;
    };
}

async function endDeployment(id: string, opts: { at: string; json?: boolean }, cmd: Command): Promise<number> {
    const at = new Date(opts.at);
    if (Number.isNaN(at.getTime())) throw new Error(`--at expects an ISO 8601 date-time, got '${opts.at}'`);
    const ended = await callApi(config(cmd), "PATCH", `/v1/deployments/${encodeURIComponent(id)}`, { endsAt: at.toISOString(), status: "retrieved" }) as Row;
    console.log(opts.json ? JSON.stringify(ended, null, 2) : `ended deployment ${ended.id} at ${ended.endsAt} (retrieved)`);
    return 0;
}

async function login(opts: { username?: string }, cmd: Command): Promise<number> {
    const where = config(cmd);
    const username = opts.username;
    if (!username) throw new Error("--username is required (or MDETECT_USERNAME)");
    const password = await readSecret("Password: ");
    const tokens = await signIn(where, username, password, () => readSecret("Authenticator code: "));
    const file = writeTokens(where.clientId, tokens);
    console.log(`signed in as ${username}; session cached in ${file} (valid until ${new Date(tokens.expiresAt).toISOString()}, renewed automatically)`);
    return 0;
}

async function logout(_opts: object, cmd: Command): Promise<number> {
    const clientId = (cmd.optsWithGlobals() as Where).clientId;
    if (!clientId) throw new Error("missing --client-id (or MDETECT_USER_POOL_CLIENT_ID)");
    console.log(forgetTokens(clientId) ? "signed out; cached session removed" : "no cached session");
    return 0;
}

const jsonOption = () => new Option("--json", "print the API's JSON instead of a table");

function listCommand(resource: string): Command {
    const cmd = new Command("list").description(`list every ${resource.slice(0, -1)} in the registry (GET /v1/registry/${resource})`).addOption(jsonOption());
    examples(cmd, [`mdetect registry ${resource} list`, `mdetect registry ${resource} list --json`]);
    return action(cmd, list(resource));
}

function sitesCommand(): Command {
    const sites = new Command("sites").description("sites where detectors are deployed");
    sites.addCommand(listCommand("sites"));
    const addCmd = new Command("add").description("add a site")
        .requiredOption("--name <name>", "site name, unique")
        .requiredOption("--kind <kind>", "mine, tunnel, borehole or other")
        .requiredOption("--latitude <deg>", "WGS84 latitude", number)
        .requiredOption("--longitude <deg>", "WGS84 longitude", number)
        .option("--depth-m <m>", "depth below surface in metres", number)
        .addOption(jsonOption());
    examples(addCmd, ["mdetect registry sites add --name 'Barrier Ridge level 27' --kind mine --latitude -31.9531 --longitude 141.4672 --depth-m 810"]);
    examples(sites, ["mdetect registry sites list", "mdetect registry sites add --help"]);
    return sites.addCommand(action(addCmd, add("sites", "site")));
}

function detectorsCommand(): Command {
    const detectors = new Command("detectors").description("detectors, by serial");
    detectors.addCommand(listCommand("detectors"));
    const addCmd = new Command("add").description("register a detector (its serial must match the telemetry contract, MD- and 4 to 6 digits)")
        .requiredOption("--serial <serial>", "serial as printed on the enclosure and sent as detector_id, e.g. MD-0042")
        .requiredOption("--model <model>", "hardware model")
        .requiredOption("--firmware <version>", "firmware version")
        .option("--status <status>", "in_stock (default), deployed, maintenance or retired")
        .option("--commissioned-at <iso>", "commissioning date-time (ISO 8601)")
        .addOption(jsonOption());
    examples(addCmd, ["mdetect registry detectors add --serial MD-0042 --model 'MuScope 2' --firmware 2.4.1"]);
    examples(detectors, ["mdetect registry detectors list", "mdetect registry detectors add --serial MD-0042 --model 'MuScope 2' --firmware 2.4.1"]);
    return detectors.addCommand(action(addCmd, add("detectors", "detector")));
}

function deploymentsCommand(): Command {
    const deployments = new Command("deployments").description("which detector is where, for which project, over [start, end)");
    deployments.addCommand(listCommand("deployments"));
    const addCmd = new Command("add").description("deploy a detector at a site for a project (refused if it overlaps another deployment of the detector)")
        .requiredOption("--detector-id <uuid>", "detector id (registry sites/detectors list)")
        .requiredOption("--site-id <uuid>", "site id")
        .requiredOption("--project-id <uuid>", "project id")
        .requiredOption("--starts-at <iso>", "start, inclusive (ISO 8601)")
        .option("--ends-at <iso>", "end, exclusive (ISO 8601); open-ended if left out")
        .option("--zenith-deg <deg>", "detector zenith angle", number)
        .option("--azimuth-deg <deg>", "detector azimuth", number)
        .option("--status <status>", "planned (default), active or retrieved")
        .addOption(jsonOption());
    examples(addCmd, ["mdetect registry deployments add --detector-id <uuid> --site-id <uuid> --project-id <uuid> --starts-at 2026-03-01T00:00:00Z"]);
    const endCmd = new Command("end").description("end a deployment (retrieval): it ends at --at, exclusive, and is marked retrieved")
        .argument("<id>", "deployment id")
        .requiredOption("--at <iso>", "end time (ISO 8601), exclusive")
        .addOption(jsonOption());
    examples(endCmd, ["mdetect registry deployments end 3f0c2a9e-... --at 2026-03-01T00:00:00Z"]);
    examples(deployments, ["mdetect registry deployments list", "mdetect registry deployments end <id> --at 2026-03-01T00:00:00Z"]);
    return deployments.addCommand(action(addCmd, add("deployments", "deployment"))).addCommand(action(endCmd, endDeployment));
}

export function command(): Command {
    const registry = new Command("registry")
        .description("keep the registry (sites, detectors, deployments) through the API, signed in as staff")
        .addOption(new Option("--api-url <url>", "client API base URL (stack output apiUrl)").env("MDETECT_API_URL"))
        .addOption(new Option("--client-id <id>", "Cognito app client id (stack output userPoolClientId)").env("MDETECT_USER_POOL_CLIENT_ID"))
        .addOption(new Option("--region <region>", "AWS region of the user pool").env("AWS_REGION"))
        .addOption(new Option("--cognito-endpoint <url>", "Cognito IdP endpoint (default https://cognito-idp.<region>.amazonaws.com/)").env("MDETECT_COGNITO_ENDPOINT").hideHelp());
    const loginCmd = new Command("login").description("sign in (password, then the authenticator app's code); the session is cached with 0600 permissions")
        .addOption(new Option("--username <name>", "your user name (email)").env("MDETECT_USERNAME"));
    examples(loginCmd, ["export MDETECT_API_URL=$(pulumi stack output apiUrl) MDETECT_USER_POOL_CLIENT_ID=$(pulumi stack output userPoolClientId) AWS_REGION=ap-southeast-2", "mdetect registry login --username you@mdetect.com.au"]);
    registry.addCommand(action(loginCmd, login))
        .addCommand(action(examples(new Command("logout").description("remove the cached session"), ["mdetect registry logout"]), logout))
        .addCommand(sitesCommand()).addCommand(detectorsCommand()).addCommand(deploymentsCommand());
    examples(registry, ["mdetect registry login --username you@mdetect.com.au", "mdetect registry detectors list", "mdetect registry deployments end <id> --at 2026-03-01T00:00:00Z"]);
    return registry;
}
