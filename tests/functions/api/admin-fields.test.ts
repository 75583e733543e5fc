/**
 * The staff routes' body field checks (admin-routes.ts): each field of each route refuses a value
 * of the wrong type with a 400 naming the field, before the registry is reached, and lets values of
 * its type through to the registry unchanged (null only where a date is optional).
 */
import { expect } from "chai";
import fc from "fast-check";
import type { Pool } from "mysql2/promise";
import { ADMIN_ROUTES } from "../../../functions/api/admin-routes";
import { FIELD } from "../../../functions/api/schemas";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import { ApiWorld, apiEvent, body, buildApiWorld, claims } from "./fixtures";
import { contractRouter } from "./contract";

const silent = { error: () => undefined };
const staff = () => claims({ groups: ["staff"] });
const SOME_ID = "0a1b2c3d-0000-4000-8000-00000000abcd";

type FieldType = keyof typeof FIELD;
/** Every body field of every staff route, with its type read back from the route's documented body schema. */
const FIELDS: { routeKey: string; name: string; type: FieldType }[] = Object.entries(ADMIN_ROUTES).flatMap(([routeKey, op]) =>
    Object.entries((op.body?.properties ?? {}) as Record<string, unknown>).map(([name, schema]) => {
        const type = (Object.keys(FIELD) as FieldType[]).find((t) => FIELD[t] === schema);
        if (!type) throw new Error(`${routeKey} ${name}: a body schema that is not one of FIELD's`);
        return { routeKey, name, type };
    }));

/** Values of the wrong type as JSON text (1e400 parses to Infinity; an array of one UUID reads as that UUID when coerced to a string), and what the refusal says after the field's name. */
const REFUSED: Record<FieldType, { values: string[]; says: string }> = {
    text: { values: ["5", "true", "null", "[]", "{}"], says: "must be a string." },
    number: { values: ["\"1\"", "null", "true", "[]", "1e400", "-1e400"], says: "must be a number." },
    id: { values: ["\"1\"", `"${SOME_ID.toUpperCase()}"`, `"${SOME_ID}0"`, `" ${SOME_ID}"`, `["${SOME_ID}"]`, "5", "null", "{}"], says: "must be a lowercase UUID." },
    date: { values: ["\"soon\"", "\"\"", "\"2026-13-01T00:00:00Z\"", "0", "1767225600000", "null", "true"], says: "must be an ISO 8601 date-time string." },
    optionalDate: { values: ["\"soon\"", "\"\"", "\"2026-02-30T25:00:00Z\"", "0", "false", "[]"], says: "must be an ISO 8601 date-time string or null." },
};

describe("functions/api: staff body fields, each checked for its type", () => {
    it("covers every field type (the table below is complete)", () => {
        expect([...new Set(FIELDS.map((f) => f.type))]).to.have.members(Object.keys(FIELD));
    });

    it("refuses a value of the wrong type with 400 naming the field, before the registry is reached (property)", async () => {
        // Any use of this pool fails the request with a 500: a refusal must come from the field check.
        const untouchable = new Proxy({}, { get: (_, p) => { throw new Error(`the registry was reached (${String(p)})`); } }) as Pool;
        const admin = contractRouter(ADMIN_ROUTES, async () => ({ pool: untouchable }), silent);
        const cases = fc.constantFrom(...FIELDS).chain((field) => fc.record({ field: fc.constant(field), raw: fc.constantFrom(...REFUSED[field.type].values) }));
        await fc.assert(fc.asyncProperty(cases, async ({ field, raw }) => {
            const result = await admin(apiEvent(field.routeKey, { claims: staff(), pathParameters: { id: SOME_ID }, body: `{"${field.name}": ${raw}}` }));
            const where = `${field.routeKey} ${field.name}: ${raw}`;
            expect(result.statusCode, where).to.equal(400);
            expect(body(result).detail, where).to.equal(`${field.name} ${REFUSED[field.type].says}`);
        }), { numRuns: 150 });
    });

    describe("lets values of the field's type through to the registry (MariaDB)", () => {
        let db: TestDatabase;
        let world: ApiWorld;
        let admin: ReturnType<typeof contractRouter>;

        before(async () => {
            db = await withTestDatabase();
            world = await buildApiWorld(db.pool);
            admin = contractRouter(ADMIN_ROUTES, async () => ({ pool: db.pool }), silent);
        });
        after(async () => { await db?.drop(); });

        const patch = (routeKey: string, id: string, payload: unknown) => admin(apiEvent(routeKey, { claims: staff(), pathParameters: { id }, body: payload }));

        it("an optional date: an ISO string with an offset (stored as the instant), then null (cleared); a required date with an offset", async () => {
            const spare = body(await admin(apiEvent("POST /v1/detectors", { claims: staff(), body: { serial: "MD-9300", model: "m", firmware: "f" } }))).id;
            const set = await patch("PATCH /v1/detectors/{id}", spare, { commissionedAt: "2026-02-01T10:00:00+10:00" });
            expect(body(set)).to.include({ commissionedAt: "2026-02-01T00:00:00.000Z" });
            const cleared = await patch("PATCH /v1/detectors/{id}", spare, { commissionedAt: null });
            expect(cleared.statusCode).to.equal(200);
            expect(body(cleared).commissionedAt).to.equal(null);

            const created = await admin(apiEvent("POST /v1/deployments", { claims: staff(), body: {
                detectorId: spare, siteId: world.mine.id, projectId: world.projectB.id, startsAt: "2027-01-01T09:30:00+09:30", endsAt: "2027-02-01T00:00:00Z",
            } }));
            expect(created.statusCode, JSON.stringify(body(created))).to.equal(201);
            expect(body(created)).to.include({ startsAt: "2027-01-01T00:00:00.000Z", endsAt: "2027-02-01T00:00:00.000Z" });
            const open = await patch("PATCH /v1/deployments/{id}", body(created).id, { endsAt: null });
            expect(open.statusCode, JSON.stringify(body(open))).to.equal(200);
            expect(body(open).endsAt).to.equal(null);
        });

        it("numbers, text and ids as given", async () => {
            const site = await patch("PATCH /v1/sites/{id}", world.tunnel.id, { name: "Tunnel 1b", latitude: -33.5, longitude: 151, depthM: 0 });
            expect(site.statusCode, JSON.stringify(body(site))).to.equal(200);
            expect(body(site)).to.include({ name: "Tunnel 1b", latitude: -33.5, longitude: 151, depthM: 0 });
            const detector = await patch("PATCH /v1/detectors/{id}", world.d1.id, { model: "MuScope 2b", firmware: "" });
            expect(body(detector)).to.include({ model: "MuScope 2b", firmware: "" });
        });
    });
});
