/**
 * The client API's read function as deployed, against the local registry: a client user's
 * request through the HTTP API front reaches the serialized api-read package, which signs an
 * RDS IAM token with its role, verifies the front's certificate against its CA bundle and
 * connects as the plan's read-only user, and answers with the registry's rows.
 */
import { expect } from "chai";
import { LocalCloud } from "../../../scripts/lib/local/cloud";
import { readPlan } from "../../../scripts/lib/local/plan";
import { program } from "../../helpers/program";

describe("local cloud: the API's read function on the local registry through the RDS front", function () {
    let cloud: LocalCloud;
    let clientId: string;

    before(async function () {
        // The program's mock run takes minutes on a loaded machine.
        this.timeout(600000);
        // The suite's cached mock run (tests/helpers/program.ts): one program run shared by every test file.
        cloud = new LocalCloud(readPlan(await program()));
        await cloud.start();
        clientId = (await cloud.registry.seededOwner()).clientId;
        await cloud.registry.deploy(["MD-0990", "MD-0991"], new Date("2026-01-01T00:00:00Z"));
    });
    after(async () => { await cloud?.stop(); });

    const get = async (path: string) => {
        const token = await cloud.users!.idToken({ clientId });
        const res = await fetch(`${cloud.api!.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        return { status: res.status, body: await res.json() as any };
    };

    it("every function of the plan runs locally, the registry's included", () => {
        expect(cloud.unavailable).to.deep.equal([]);
    });

    it("GET /v1/detectors returns the client's detectors from the local registry", async () => {
        const { status, body } = await get("/v1/detectors");
        expect(status, JSON.stringify(body)).to.equal(200);
        expect(body.items.map((d: any) => d.serial)).to.deep.equal(["MD-0990", "MD-0991"]);
        // The seeded client's projects, as the local registry holds them (registry-seed.ts).
        const [rows] = await cloud.registry.pool.query("SELECT name FROM projects WHERE client_id = ?", [clientId]);
        const projects = await get("/v1/projects");
        expect(projects.body.items.map((p: any) => p.name).sort()).to.deep.equal((rows as { name: string }[]).map((r) => r.name).sort()).and.to.have.length.greaterThan(0);
    });

    it("the function signed in as the read-only user with its own role's token", () => {
        const fn = cloud.plan.functions.find((f) => cloud.plan.routes.some((r) => r.routeKey === "GET /v1/detectors" && r.functionArn === f.arn))!;
        const front = [...cloud.databases.fronts.values()][0];
        expect(front.connections.filter((c) => c.caller === fn.logicalName).map((c) => [c.user, c.ok])).to.deep.include(["mdetect_reader", true]);
        expect(front.connections.filter((c) => !c.ok)).to.deep.equal([]);
    });

    it("while the database is unavailable for 30 s the read answers 503 `unavailable` (docs/api.md: retry later); after, it serves again", async () => {
        cloud.databases.unavailableFor(30);
        const during = await get("/v1/detectors");
        expect(during.status, JSON.stringify(during.body)).to.equal(503);
        expect(String(during.body.type)).to.match(/unavailable/);
        await cloud.step(31);
        const after = await get("/v1/detectors");
        expect(after.status, JSON.stringify(after.body)).to.equal(200);
    });
});
