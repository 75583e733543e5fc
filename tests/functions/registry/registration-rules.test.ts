import { expect } from "chai";
import fc from "fast-check";
import { withTestDatabase, TestDatabase } from "../../helpers/db";
import * as reg from "../../../functions/registry";
import { SERIAL_PATTERN } from "../../../functions/registry/serial";
import { validateReading } from "../../../functions/telemetry";
import { buildWorld, rejection, t, World } from "./fixtures";
import { reading } from "../telemetry/fixtures";

describe("registry: what registration refuses, and how it says so", () => {
    let db: TestDatabase;
    let w: World;
    before(async () => {
        db = await withTestDatabase();
        w = await buildWorld(db.pool);
    });
    after(() => db.drop());

    describe("detector serials follow the telemetry contract's detector_id pattern", () => {
        it("is the contract's pattern, not a copy", () => {
            expect(SERIAL_PATTERN).to.equal("^MD-[0-9]{4,6}$");
        });

        it("accepts exactly the serials whose readings the converter accepts (md-42 refused)", async () => {
            let n = 0;
            await fc.assert(fc.asyncProperty(
                fc.oneof(fc.stringMatching(/^MD-[0-9]{4,6}$/), fc.string({ maxLength: 10 }), fc.constantFrom("md-42", "MD-42", "MD-0042 ", "MD-1234567", "MD-００42", "MD-0042\n")),
                async (serial) => {
                    const readable = validateReading(reading({ detector_id: serial })).ok;
                    const registered = await reg.createDetector(db.pool, { serial: readable ? serial.replace(/\d$/, "") + String(n++ % 10) : serial, model: "m", firmware: "f" })
                        .then(() => true, (e) => {
                            if (e.code === "duplicate_serial") return true;
                            expect(e.code, e.message).to.equal("invalid_argument");
                            expect(e.message).to.include("telemetry contract's detector_id pattern ^MD-[0-9]{4,6}$");
                            return false;
                        });
                    expect(registered, JSON.stringify(serial)).to.equal(readable);
                }), { numRuns: 60 });
            expect((await rejection(reg.createDetector(db.pool, { serial: "md-42", model: "m", firmware: "f" }))).message)
                .to.equal("serial 'md-42' does not match the telemetry contract's detector_id pattern ^MD-[0-9]{4,6}$ (e.g. MD-0042): its readings would all be quarantined");
        });
    });

    describe("an overlapping deployment names the one it clashes with and the call that would end it", () => {
        it("on create: id, detector, site, period, and the PATCH (and CLI) call ending it when the new one starts", async () => {
            const open = await reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.mine.id, projectId: w.projectA.id, startsAt: t("2030-01-01T00:00:00Z") });
            const err = await rejection(reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.tunnel.id, projectId: w.projectA.id, startsAt: t("2030-06-01T00:00:00Z") }));
            expect(err).to.be.instanceOf(reg.OverlappingDeploymentError);
            expect(err.code).to.equal("overlapping_deployment");
            expect(err.message).to.equal(`detector MD-9001 is already deployed at site 'Mine 1' from 2030-01-01T00:00:00.000Z with no end (deployment ${open.id}); `
                + `to end it when the new one starts: PATCH /v1/deployments/${open.id} {"endsAt":"2030-06-01T00:00:00.000Z","status":"retrieved"} `
                + `(mdetect registry deployments end ${open.id} --at 2030-06-01T00:00:00.000Z)`);
            expect((err as reg.OverlappingDeploymentError).clash).to.deep.include({ deploymentId: open.id, serial: "MD-9001", siteName: "Mine 1", endsAt: null });
            // The suggested call works: ending the clash at the new start makes room for it.
            await reg.endDeployment(db.pool, open.id, t("2030-06-01T00:00:00Z"));
            await reg.createDeployment(db.pool, { detectorId: w.d1.id, siteId: w.tunnel.id, projectId: w.projectA.id, startsAt: t("2030-06-01T00:00:00Z") });
        });

        it("a clash that starts later cannot be ended to make room: the message says to pick another period", async () => {
            const later = await reg.createDeployment(db.pool, { detectorId: w.d2.id, siteId: w.tunnel.id, projectId: w.projectB.id, startsAt: t("2031-03-01T00:00:00Z"), endsAt: t("2031-04-01T00:00:00Z") });
            const err = await rejection(reg.createDeployment(db.pool, { detectorId: w.d2.id, siteId: w.mine.id, projectId: w.projectB.id, startsAt: t("2031-02-01T00:00:00Z"), endsAt: t("2031-03-15T00:00:00Z") }));
            expect(err.message).to.equal(`detector MD-9002 is already deployed at site 'Tunnel 1' from 2031-03-01T00:00:00.000Z until 2031-04-01T00:00:00.000Z (deployment ${later.id}); choose a period that does not overlap it`);
        });
    });
});
