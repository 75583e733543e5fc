import { expect } from "chai";
import fc from "fast-check";
import { InvalidKeyError, MAX_SEGMENT_BYTES, NULL_VERSION, outputKeys, parseIncomingKey, isFolderMarker } from "../../../functions/batch/keys";
import { InvalidEventError, parseObjectCreated } from "../../../functions/batch/event";
import { PREFIX } from "../../../functions/layout";

/** A path segment S3 could hold and we accept: printable, no "/", not "." or "..". */
const segment = fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 })
    .filter((s) => !s.includes("/") && s !== "." && s !== ".." && !/[\u0000-\u001f\u007f]/.test(s));
const version = fc.oneof(fc.constant(NULL_VERSION), fc.string({ minLength: 1, maxLength: 64 }));
const source = fc.record({ site: segment, file: segment, version });

describe("functions/batch: output keys", () => {
    it("maps each upload to keys under its own area, with S3-safe characters only", () => {
        fc.assert(fc.property(source, ({ site, file, version: v }) => {
            const keys = outputKeys(parseIncomingKey(`${PREFIX.incoming}${site}/${file}`), v);
            expect(keys.raw.startsWith(`${PREFIX.raw}batch/`)).to.equal(true);
            expect(keys.curated.startsWith(`${PREFIX.curated}batch/`) && keys.curated.endsWith(".csv.gz")).to.equal(true);
            expect(keys.quarantine.startsWith(`${PREFIX.quarantine}batch/`) && keys.quarantine.endsWith(".ndjson.gz")).to.equal(true);
            expect(keys.manifest.startsWith(`${PREFIX.raw}batch/`) && keys.manifest.endsWith(".manifest.json")).to.equal(true);
            for (const key of Object.values(keys)) {
                expect(key).to.match(/^[A-Za-z0-9._\/-]+$/);
                expect(key.split("/")).to.have.length(4);
                expect(key.split("/")).not.to.include.members(["", ".", ".."]);
                expect(Buffer.byteLength(key)).to.be.at.most(1024);
            }
        }));
    });

    it("is deterministic: the same key and version always give the same outputs", () => {
        fc.assert(fc.property(source, ({ site, file, version: v }) => {
            const key = `${PREFIX.incoming}${site}/${file}`;
            expect(outputKeys(parseIncomingKey(key), v)).to.deep.equal(outputKeys(parseIncomingKey(key), v));
        }));
    });

    it("never lets two different uploads share an output key, even when their names normalise alike", () => {
        fc.assert(fc.property(source, source, (a, b) => {
            const keyA = `${PREFIX.incoming}${a.site}/${a.file}`;
            const keyB = `${PREFIX.incoming}${b.site}/${b.file}`;
            fc.pre(keyA !== keyB || a.version !== b.version);
            const outA = Object.values(outputKeys(parseIncomingKey(keyA), a.version));
            const outB = Object.values(outputKeys(parseIncomingKey(keyB), b.version));
            expect(outA.filter((k) => outB.includes(k))).to.deep.equal([]);
        }));
        const spaced = outputKeys(parseIncomingKey("incoming/site/dump 1.json"));
        const underscored = outputKeys(parseIncomingKey("incoming/site/dump_1.json"));
        expect(spaced.curated).not.to.equal(underscored.curated);
    });

    it("keeps readable names: site, file stem and input extension", () => {
        const keys = outputKeys(parseIncomingKey("incoming/site-7/Dump 2026-11.NDJSON.GZ"), "3/L4kq+J=");
        expect(keys.raw).to.match(/^raw\/batch\/site-7\/Dump_2026-11\.[0-9a-f]{16}\.ndjson\.gz$/);
        expect(keys.curated).to.match(/^curated\/batch\/site-7\/Dump_2026-11\.[0-9a-f]{16}\.csv\.gz$/);
        expect(outputKeys(parseIncomingKey("incoming/s/readings.txt")).raw).to.match(/^raw\/batch\/s\/readings\.txt\.[0-9a-f]{16}$/);
    });

    const rejected: [string, RegExp][] = [
        ["raw/site/file.json", /not under incoming\//],
        ["incoming/file.json", /found 1 path segments/],
        ["incoming/a/b/c.json", /found 3 path segments/],
        ["incoming//file.json", /site is empty/],
        ["incoming/site/..", /file name is '\.\.'/],
        ["incoming/./file.json", /site is '\.'/],
        ["incoming/site/bad\u0007name.json", /control characters/],
        [`incoming/site/${"x".repeat(MAX_SEGMENT_BYTES + 1)}`, /longer than/],
    ];
    for (const [key, reason] of rejected) {
        it(`rejects ${JSON.stringify(key.slice(0, 40))} with the reason`, () => {
            expect(() => parseIncomingKey(key)).to.throw(InvalidKeyError, reason);
        });
    }

    it("recognises folder markers", () => {
        expect(isFolderMarker("incoming/site/")).to.equal(true);
        expect(isFolderMarker("incoming/site/file.json")).to.equal(false);
    });
});

describe("functions/batch: EventBridge event", () => {
    const event = (detail: unknown, extra: object = {}) => ({ source: "aws.s3", "detail-type": "Object Created", detail, ...extra }) as never;

    it("reads bucket, key, version and size", () => {
        expect(parseObjectCreated(event({ bucket: { name: "b" }, object: { key: "incoming/s/f", size: 10, "version-id": "v" } }), "b"))
            .to.deep.equal({ bucket: "b", key: "incoming/s/f", versionId: "v", size: 10 });
        expect(parseObjectCreated(event({ bucket: { name: "b" }, object: { key: "k" } }), "b").versionId).to.equal(undefined);
    });

    it("rejects other sources, other detail types, other buckets and events without a key", () => {
        const detail = { bucket: { name: "b" }, object: { key: "k" } };
        expect(() => parseObjectCreated(event(detail, { source: "aws.ec2" }), "b")).to.throw(InvalidEventError, /not an S3 Object Created/);
        expect(() => parseObjectCreated(event(detail, { "detail-type": "Object Deleted" }), "b")).to.throw(InvalidEventError, /Object Deleted/);
        expect(() => parseObjectCreated(event(detail), "c")).to.throw(InvalidEventError, /this function serves "c"/);
        expect(() => parseObjectCreated(event({ bucket: { name: "b" }, object: {} }), "b")).to.throw(InvalidEventError, /no detail/);
        expect(() => parseObjectCreated(undefined as never, "b")).to.throw(InvalidEventError);
    });
});
