/**
 * Forged-device suite (issue 14): a detector's credentials put records on the shared stream,
 * so every way one device could pass readings off as another's is tried here. None may yield a
 * curated row (the transform's Ok data, which is all inference ever reads, so none can become
 * a finding or an alert); the legitimate path still converts every reading.
 */
import { expect } from "chai";
import fc from "fast-check";
import { generateKeyPairSync } from "crypto";
import { gzipSync } from "zlib";
import { transformBatch, FirehoseEvent } from "../../../functions/realtime/transform";
import { KeyLookup, MAX_SIGNATURE_AGE_SECONDS } from "../../../functions/realtime/identity";
import { device, Device, FLEET_KEYS, signRecord } from "./devices";
import { arrivalOf, decode, firehoseEvent, ndjson, reading, sent, SentRecord } from "./fixtures";

const serial = (n: number): string => `MD-${String(n).padStart(4, "0")}`;
const readingsOf = (detectorId: string, from: number, count = 5) =>
    Array.from({ length: count }, (_, i) => ({ ...reading(1, from + i), detector_id: detectorId }));
/** A key pair the registry never saw, for a device pretending to be `serial`. */
function impostor(serialName: string): Device {
    return { serial: serialName, thingName: serialName, alg: "ES256", ...generateKeyPairSync("ec", { namedCurve: "P-256" }) };
}
/** The registry without the given things (decommissioned: certificate revoked, detector retired). */
const without = (...things: string[]): KeyLookup => (thing) => (things.includes(thing) ? undefined : FLEET_KEYS(thing));

interface Attempt {
    readonly name: string;
    readonly records: SentRecord[];
    readonly keys?: KeyLookup;
}

function curatedRows(event: FirehoseEvent, keys: KeyLookup = FLEET_KEYS) {
    const outcome = transformBatch(event, { keys });
    const rows = outcome.response.records.flatMap((r) => decode(r.data).split("\n").filter(Boolean));
    return { outcome, rows };
}

// Legitimate devices (registered): attackers and victims alike.
for (let n = 1; n <= 6; n++) device(serial(n));
device("MD-0007", "RS256");

function attempts(): Attempt[] {
    const list: Attempt[] = [];
    const at = arrivalOf(0);
    for (let a = 1; a <= 6; a++) {
        const attacker = device(serial(a));
        for (let v = 1; v <= 7; v++) {
            if (v === a) continue;
            const victim = serial(v);
            // Signs honestly as itself but carries the victim's serial.
            list.push({ name: `${serial(a)} sends readings as ${victim}`, records: [sent(ndjson(readingsOf(victim, 10 * v)), at, attacker.serial)] });
        }
        // Signs with its own key but names the victim as signer (header kid and partition key).
        const victim = serial((a % 6) + 1);
        list.push({
            name: `${serial(a)} claims to be thing ${victim}`,
            records: [{ data: signRecord(attacker, ndjson(readingsOf(victim, 1)), at, { header: { kid: victim } }), partitionKey: victim }],
        });
    }
    const me = device("MD-0001");
    for (const variant of ["md-0002", "Md-0002", " MD-0002", "MD-0002 ", "MD-0002\t", "MD-00002", "MD-0002\u200b", "ＭＤ-0002"]) {
        list.push({ name: `case/whitespace variant ${JSON.stringify(variant)}`, records: [sent(ndjson(readingsOf(variant, 1)), at, me.serial)] });
    }
    for (const thing of ["md-0002", "MD-0002 ", "mD-0002"]) {
        const d = impostor(thing);
        list.push({ name: `thing-name variant ${JSON.stringify(thing)}`, records: [{ data: signRecord(d, ndjson(readingsOf("MD-0002", 1)), at), partitionKey: thing }] });
    }
    // Decommissioned: its own genuine signature, but the registry revoked the certificate.
    list.push({ name: "decommissioned MD-0003 sends its own readings", records: [sent(ndjson(readingsOf("MD-0003", 1)), at, "MD-0003")], keys: without("MD-0003") });
    list.push({ name: "decommissioned MD-0003 sends as MD-0004", records: [sent(ndjson(readingsOf("MD-0004", 1)), at, "MD-0003")], keys: without("MD-0003") });
    // A detector of another client (MD-0005 belongs to client B): forged key for its thing.
    list.push({ name: "unregistered key signs as another client's MD-0005", records: [{ data: signRecord(impostor("MD-0005"), ndjson(readingsOf("MD-0005", 1)), at), partitionKey: "MD-0005" }] });
    // Replays of another device's genuine record.
    const genuine = sent(ndjson(readingsOf("MD-0006", 1)), at - (MAX_SIGNATURE_AGE_SECONDS + 60) * 1000, "MD-0006");
    list.push({ name: "MD-0006's record replayed 16 minutes later", records: [genuine] });
    const day = sent(ndjson(readingsOf("MD-0006", 1)), at - 86_400_000, "MD-0006");
    list.push({ name: "MD-0006's record replayed a day later", records: [day] });
    // Tampering with a genuine record.
    const real = sent(ndjson(readingsOf("MD-0002", 1)), at, "MD-0002");
    list.push({ name: "MD-0002's record with its readings swapped for MD-0001's", records: [{ ...real, data: Buffer.from(real.data.toString().replace(/MD-0002/g, "MD-0001")) }] });
    list.push({ name: "MD-0002's record with one count changed", records: [{ ...real, data: Buffer.from(real.data.toString().replace('"muon_count":41', '"muon_count":99')) }] });
    list.push({ name: "MD-0002's signature line on MD-0001's readings", records: [{ ...real, data: Buffer.concat([real.data.subarray(0, real.data.indexOf(10) + 1), Buffer.from(ndjson(readingsOf("MD-0002", 50)))]) }] });
    // Unsigned or broken envelopes.
    list.push({ name: "unsigned record of MD-0002's readings", records: [{ data: Buffer.from(ndjson(readingsOf("MD-0002", 1))), partitionKey: "MD-0002" }] });
    list.push({ name: "unsigned gzip record", records: [{ data: gzipSync(ndjson(readingsOf("MD-0002", 1))), partitionKey: "MD-0002" }] });
    for (const header of [{ b64: true }, { crit: [] }, { alg: "none" }, { alg: "HS256" }, { alg: "RS256" }, { iat: "now" }, { kid: 7 }]) {
        list.push({ name: `header ${JSON.stringify(header)}`, records: [{ data: signRecord(device("MD-0002"), ndjson(readingsOf("MD-0002", 1)), at, { header }), partitionKey: "MD-0002" }] });
    }
    list.push({ name: "RSA device's key used with ES256", records: [{ data: signRecord({ ...device("MD-0007", "RS256"), alg: "ES256", privateKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey }, ndjson(readingsOf("MD-0007", 1)), at), partitionKey: "MD-0007" }] });
    list.push({ name: "signed 10 minutes in the future", records: [sent(ndjson(readingsOf("MD-0002", 1)), at, "MD-0002", { iatMs: at + 600_000 })] });
    list.push({ name: "genuine record sent under another partition key", records: [{ ...real, partitionKey: "MD-0003" }] });
    list.push({ name: "no partition key", records: [{ ...real, partitionKey: "" }] });
    return list;
}

describe("functions/realtime: forged-device suite (identity-mismatch)", () => {
    const all = attempts();

    it("tries at least 50 distinct attempts", () => {
        expect(all.length).to.be.at.least(50);
        expect(new Set(all.map((a) => a.name)).size).to.equal(all.length);
    });

    for (const attempt of all) {
        it(`no curated row: ${attempt.name}`, () => {
            const { outcome, rows } = curatedRows(firehoseEvent(attempt.records), attempt.keys);
            expect(rows, attempt.name).to.deep.equal([]);
            expect(outcome.response.records.every((r) => r.result === "Ok")).to.equal(true);
            // Conservation: every reading is in quarantine, most as identity-mismatch.
            expect(outcome.stats.readingsIn).to.equal(outcome.stats.quarantined).and.be.greaterThan(0);
            expect(outcome.quarantine.every((q) => ["identity-mismatch", "bad-format"].includes(q.kind)), JSON.stringify(outcome.quarantine[0])).to.equal(true);
        });
    }

    it("counts a genuine record replayed within the same batch once (the copy is quarantined as duplicate)", () => {
        const real = sent(ndjson(readingsOf("MD-0002", 1)), arrivalOf(0), "MD-0002");
        const { outcome, rows } = curatedRows(firehoseEvent([real, real]));
        expect(rows).to.have.length(5);
        expect(outcome.quarantine.map((q) => q.kind)).to.deep.equal(Array(5).fill("duplicate"));
    });

    it("property: mixed batches of genuine and forged records yield exactly the genuine readings", () => {
        const forgery = fc.record({
            attacker: fc.integer({ min: 1, max: 6 }),
            victim: fc.integer({ min: 1, max: 6 }),
            kind: fc.constantFrom("other-serial", "claims-thing", "unsigned", "impostor-key", "stale"),
            gzip: fc.boolean(),
        }).filter((f) => f.attacker !== f.victim);
        const genuine = fc.record({ sender: fc.integer({ min: 1, max: 7 }), count: fc.integer({ min: 1, max: 60 }), gzip: fc.boolean() });
        const entry = fc.oneof(forgery.map((f) => ({ forged: f })), genuine.map((g) => ({ genuine: g })));
        fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), (entries) => {
            let expected = 0;
            const records = entries.map((e, i): SentRecord => {
                const at = arrivalOf(i);
                if ("genuine" in e) {
                    const { sender, count, gzip } = e.genuine;
                    expected += count;
                    return sent(ndjson(readingsOf(serial(sender), 1000 * i, count)), at, serial(sender), { gzip });
                }
                const { attacker, victim, kind, gzip } = e.forged;
                const payload = ndjson(readingsOf(serial(victim), 1000 * i));
                switch (kind) {
                    case "other-serial": return sent(payload, at, serial(attacker), { gzip });
                    case "claims-thing": return { data: signRecord(device(serial(attacker)), payload, at, { gzip, header: { kid: serial(victim) } }), partitionKey: serial(victim) };
                    case "unsigned": return { data: gzip ? gzipSync(payload) : Buffer.from(payload), partitionKey: serial(victim) };
                    case "impostor-key": return { data: signRecord(impostor(serial(victim)), payload, at, { gzip }), partitionKey: serial(victim) };
                    default: return sent(payload, at - 3_600_000, serial(victim), { gzip });
                }
            });
            const { outcome, rows } = curatedRows(firehoseEvent(records));
            expect(rows).to.have.length(expected);
            // Every row's detector is the device that signed its record.
            outcome.response.records.forEach((answer, i) => {
                const e = entries[i];
                for (const row of decode(answer.data).split("\n").filter(Boolean)) {
                    expect("genuine" in e && row.startsWith(`${serial(e.genuine.sender)},`)).to.equal(true);
                }
            });
            expect(outcome.stats.readingsIn).to.equal(outcome.stats.rowsOut + outcome.stats.quarantined);
        }), { numRuns: 60 });
    });

    it("legitimate path: every reading of every registered device converts, ES256 and RS256, plain and gzip", () => {
        const records = [1, 2, 3, 4, 5, 6, 7].flatMap((n, i) => [
            sent(ndjson(readingsOf(serial(n), 0, 60)), arrivalOf(2 * i), serial(n)),
            sent(ndjson(readingsOf(serial(n), 60, 60)), arrivalOf(2 * i + 1), serial(n), { gzip: true }),
        ]);
        const { outcome, rows } = curatedRows(firehoseEvent(records));
        expect(rows).to.have.length(7 * 120);
        expect(outcome.quarantine).to.deep.equal([]);
    });

    it("verifies a record signed by jose (an independent JWS implementation, RFC 7797 unencoded payload)", async () => {
        const jose = await import("jose");
        const d = device("MD-0002");
        const payload = Buffer.from(ndjson(readingsOf("MD-0002", 1)));
        const jws = await new jose.FlattenedSign(payload)
            .setProtectedHeader({ alg: "ES256", kid: d.thingName, iat: Math.floor(arrivalOf(0) / 1000), b64: false, crit: ["b64"] })
            .sign(d.privateKey);
        const data = Buffer.concat([Buffer.from(`${jws.protected}..${jws.signature}\n`), payload]);
        const { rows } = curatedRows(firehoseEvent([{ data, partitionKey: d.thingName }]));
        expect(rows).to.have.length(5);
        // And jose accepts what the fixtures sign: both read RFC 7797 the same way.
        const ours = signRecord(d, payload, arrivalOf(0));
        const nl = ours.indexOf(10);
        const [protectedHeader, , signature] = ours.subarray(0, nl).toString().split(".");
        const verified = await jose.flattenedVerify({ protected: protectedHeader, payload: ours.subarray(nl + 1), signature }, d.publicKey);
        expect(Buffer.from(verified.payload).equals(payload)).to.equal(true);
    });
});
