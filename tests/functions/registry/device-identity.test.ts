/** Device identity in the registry (migration 0002) and staff provisioning against a mocked AWS IoT. */
import { expect } from "chai";
import {
    AttachPolicyCommand, AttachThingPrincipalCommand, CreateCertificateFromCsrCommand, CreateThingCommand, IoTClient, UpdateCertificateCommand,
} from "@aws-sdk/client-iot";
import { createClient, createDetector, createProject, createSite, updateDetector } from "../../../functions/registry/catalog";
import { createDeployment } from "../../../functions/registry/deployments";
import { deviceKeys, registerDeviceCertificate, revokeDeviceCertificates, siteDeployments } from "../../../functions/registry/device-identity";
import { handleAccessRequest } from "../../../functions/registry/access-handler";
import { cachedKeyring, toDeviceKey } from "../../../functions/realtime/keyring";
import { provisionDetector, revokeDetector } from "../../../scripts/lib/provision-detector";
import { TestDatabase, withTestDatabase } from "../../helpers/db";
import { mockedDuring } from "../../helpers/aws-mock";
import { certificateOf, device } from "../realtime/devices";

describe("functions/registry: device identity", () => {
    let db: TestDatabase;
    before(async () => { db = await withTestDatabase(); });
    after(async () => db?.drop());

    it("keeps one active certificate per detector: registering a new one revokes the old, and the keyring gets the new key", async () => {
        const detector = await createDetector(db.pool, { serial: "MD-0101", model: "mD-3", firmware: "2.1.0", status: "deployed" });
        const first = certificateOf(device("MD-0101"));
        const second = certificateOf(device("MD-0101", "RS256"));
        await registerDeviceCertificate(db.pool, { detectorId: detector.id, thingName: "MD-0101", certificateId: first.id, certificatePem: first.pem });
        await registerDeviceCertificate(db.pool, { detectorId: detector.id, thingName: "MD-0101", certificateId: second.id, certificatePem: second.pem });
        const keys = await deviceKeys(db.pool, ["MD-0101", "MD-9999"]);
        expect(keys).to.deep.equal([{ thingName: "MD-0101", serial: "MD-0101", certificatePem: second.pem }]);
        expect(toDeviceKey(keys[0]).publicKey.equals(device("MD-0101", "RS256").publicKey)).to.equal(true);
    });

    it("refuses a second active certificate written behind the DAL's back, and a thing rename", async () => {
        const detector = await createDetector(db.pool, { serial: "MD-0102", model: "mD-3", firmware: "2.1.0" });
        const cert = certificateOf(device("MD-0102"));
        await registerDeviceCertificate(db.pool, { detectorId: detector.id, thingName: "MD-0102", certificateId: cert.id, certificatePem: cert.pem });
        let error: any;
        try {
            await db.pool.query("INSERT INTO device_certificates (id, detector_id, active_detector, certificate_id, certificate_pem) VALUES (UUID(), ?, ?, ?, ?)",
                [detector.id, detector.id, "a".repeat(64), cert.pem]);
        } catch (err) { error = err; }
        expect(error?.code).to.equal("ER_DUP_ENTRY");
        error = undefined;
        try {
            await registerDeviceCertificate(db.pool, { detectorId: detector.id, thingName: "MD-0999", certificateId: "b".repeat(64), certificatePem: cert.pem });
        } catch (err) { error = err; }
        expect(error?.message).to.match(/already thing MD-0102/);
    });

    it("gives no key for a revoked certificate or a retired detector (decommissioned)", async () => {
        const a = await createDetector(db.pool, { serial: "MD-0103", model: "mD-3", firmware: "2.1.0" });
        const b = await createDetector(db.pool, { serial: "MD-0104", model: "mD-3", firmware: "2.1.0" });
        for (const [d, serial] of [[a, "MD-0103"], [b, "MD-0104"]] as const) {
            const cert = certificateOf(device(serial));
            await registerDeviceCertificate(db.pool, { detectorId: d.id, thingName: serial, certificateId: cert.id, certificatePem: cert.pem });
        }
        expect(await revokeDeviceCertificates(db.pool, a.id)).to.equal(1);
        await updateDetector(db.pool, b.id, { status: "retired" });
        expect(await deviceKeys(db.pool, ["MD-0103", "MD-0104"])).to.deep.equal([]);
    });

    it("answers deviceKeys and siteDeployments through the access handler, as the transform and the batch Lambda ask", async () => {
        const client = await createClient(db.pool, { name: "Identity client" });
        const project = await createProject(db.pool, { clientId: client.id, name: "P" });
        const site = await createSite(db.pool, { name: "Identity site", kind: "mine", latitude: -30, longitude: 120 });
        const detector = await createDetector(db.pool, { serial: "MD-0105", model: "mD-3", firmware: "2.1.0" });
        await createDeployment(db.pool, { detectorId: detector.id, siteId: site.id, projectId: project.id, startsAt: new Date("2025-01-01T00:00:00Z"), endsAt: new Date("2025-02-01T00:00:00Z") });
        const answer = await handleAccessRequest(() => db.pool, { op: "siteDeployments", args: { siteId: site.id } });
        expect(JSON.parse(JSON.stringify(answer))).to.deep.equal({ ok: true, result: [{ serial: "MD-0105", startsAt: "2025-01-01T00:00:00.000Z", endsAt: "2025-02-01T00:00:00.000Z" }] });
        expect(await siteDeployments(db.pool, site.id)).to.have.length(1);
        const bad = await handleAccessRequest(() => db.pool, { op: "deviceKeys", args: { thingNames: ["no spaces allowed"] } });
        expect(bad).to.deep.include({ ok: false });
    });

    it("keyring: one registry call per TTL for known and unknown things alike", async () => {
        const asked: string[][] = [];
        let now = 0;
        const ring = cachedKeyring(async (things) => { asked.push(things); return deviceKeys(db.pool, things); }, () => now, 1000);
        const first = await ring.lookup(["MD-0101", "MD-4040", "MD-0101", undefined, "bad name"]);
        expect(first("MD-0101")?.serial).to.equal("MD-0101");
        expect(first("MD-4040")).to.equal(undefined);
        await ring.lookup(["MD-0101", "MD-4040"]);
        now = 1001;
        await ring.lookup(["MD-4040"]);
        expect(asked).to.deep.equal([["MD-0101", "MD-4040"], ["MD-4040"]]);
    });

    describe("provisioning (mdetect detector provision) against a mocked AWS IoT", () => {
        const iot = mockedDuring(IoTClient);

        it("creates the thing, a certificate from the detector's CSR, attaches the policy exclusively and registers it", async () => {
            const cert = certificateOf(device("MD-0201"));
            iot().on(CreateThingCommand).resolves({ thingName: "MD-0201" });
            iot().on(CreateCertificateFromCsrCommand).resolves({ certificateArn: `arn:aws:iot:ap-southeast-2:123456789012:cert/${cert.id}`, certificateId: cert.id, certificatePem: cert.pem });
            iot().on(AttachPolicyCommand).resolves({});
            iot().on(AttachThingPrincipalCommand).resolves({});
            const client = new IoTClient({ region: "ap-southeast-2" });
            const done = await provisionDetector(client, db.pool, { serial: "MD-0201", model: "mD-3", firmware: "2.1.0", policyName: "device-policy", csrPem: "-----BEGIN CERTIFICATE REQUEST-----\n..." });
            expect(done).to.include({ thingName: "MD-0201", certificateId: cert.id });
            expect(iot().commandCalls(AttachPolicyCommand)[0].args[0].input).to.deep.equal({ policyName: "device-policy", target: done.certificateArn });
            expect(iot().commandCalls(AttachThingPrincipalCommand)[0].args[0].input).to.deep.include({ thingName: "MD-0201", thingPrincipalType: "EXCLUSIVE_THING" });
            expect((await deviceKeys(db.pool, ["MD-0201"])).map((k) => k.serial)).to.deep.equal(["MD-0201"]);

            iot().on(UpdateCertificateCommand).resolves({});
            expect(await revokeDetector(client, db.pool, "MD-0201")).to.equal(1);
            expect(iot().commandCalls(UpdateCertificateCommand)[0].args[0].input).to.deep.equal({ certificateId: cert.id, newStatus: "INACTIVE" });
            expect(await deviceKeys(db.pool, ["MD-0201"])).to.deep.equal([]);
        });

        it("deactivates the new certificate when a later step fails, and refuses a bad serial before calling AWS", async () => {
            iot().on(CreateThingCommand).resolves({});
            iot().on(CreateCertificateFromCsrCommand).resolves({ certificateArn: "arn:aws:iot:ap-southeast-2:123456789012:cert/c", certificateId: "c".repeat(64), certificatePem: "-----BEGIN CERTIFICATE-----" });
            iot().on(AttachPolicyCommand).rejects(new Error("policy not found"));
            iot().on(UpdateCertificateCommand).resolves({});
            const client = new IoTClient({ region: "ap-southeast-2" });
            let error: any;
            try { await provisionDetector(client, db.pool, { serial: "MD-0202", model: "mD-3", firmware: "2.1.0", policyName: "nope", csrPem: "csr" }); } catch (err) { error = err; }
            expect(error?.message).to.equal("policy not found");
            expect(iot().commandCalls(UpdateCertificateCommand)[0].args[0].input).to.deep.equal({ certificateId: "c".repeat(64), newStatus: "INACTIVE" });
            error = undefined;
            try { await provisionDetector(client, db.pool, { serial: "md-0203 ", model: "m", firmware: "f", policyName: "p" }); } catch (err) { error = err; }
            expect(error?.message).to.match(/does not match/);
            expect(iot().commandCalls(CreateThingCommand)).to.have.length(1);
        });
    });
});
