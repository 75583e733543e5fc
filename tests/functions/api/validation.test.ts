import { expect } from "chai";
import * as fc from "fast-check";
import { downloadFilename } from "../../../functions/api/client-routes";
import { decodeCursor, encodeCursor } from "../../../functions/api/cursor";
import { MAX_FILENAME_LENGTH, safeFilename } from "../../../functions/api/filename";
import { isHttpProblem } from "../../../functions/api/http";
import { MAX_BODY_BYTES, jsonBody } from "../../../functions/api/validate";
import { apiEvent } from "./fixtures";

const CLIENT_A = "0b6e3a52-4a3e-4c55-9d1c-3f0e1c2d3b4a";
const CLIENT_B = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

function refused(f: () => unknown): boolean {
    try {
        f();
        return false;
    } catch (error) {
        return isHttpProblem(error) && error.kind.status === 400;
    }
}

describe("functions/api: upload file names, page cursors and request bodies", () => {
    describe("safeFilename", () => {
        it("keeps ordinary detector dump names unchanged", () => {
            for (const name of ["dump.json", "MD-T001_2026-01-31.ndjson.gz", "a", "0.json", "x".repeat(MAX_FILENAME_LENGTH)]) {
                expect(safeFilename(name)).to.equal(name);
            }
        });

        it("refuses traversal, separators, control characters, encodings and look-alikes with a 400", () => {
            const bad = ["", "..", "../x.json", "a/b.json", "a\\b.json", "x..json", ".hidden", "-rf", "dump\u0000.json", "dump\n.json",
                "%2e%2e", "%2F", "d\u0443mp.json", "dump\uff0ejson", "dump\u2024json", "d\u0301ump.json", "dump .json", "x".repeat(MAX_FILENAME_LENGTH + 1),
                "\u0430.json", "dump\u2215x.json", "dump.json\u200b"];
            for (const name of bad) expect(refused(() => safeFilename(name)), JSON.stringify(name)).to.equal(true);
            for (const value of [undefined, null, 42, ["a.json"], { name: "a.json" }]) expect(refused(() => safeFilename(value))).to.equal(true);
        });

        it("says which rule a refused name broke: its type, its length (empty or too long) or its alphabet", () => {
            const detail = (value: unknown): string | undefined => {
                try { safeFilename(value); } catch (error) { return isHttpProblem(error) ? error.detail : undefined; }
                return undefined;
            };
            expect(detail(42)).to.equal("filename must be a string.");
            for (const name of ["", "x".repeat(MAX_FILENAME_LENGTH + 1)]) expect(detail(name), name).to.equal(`filename must be 1 to ${MAX_FILENAME_LENGTH} characters.`);
            for (const name of ["..", "a/b", ".x"]) expect(detail(name), name).to.match(/^filename may hold only ASCII letters, digits, '\.', '_' and '-'/);
        });

        it("accepts exactly the names that are a single, plain, ASCII path segment, and returns them unchanged", () => {
            // Half the names from the safe alphabet (mostly acceptable), half arbitrary: both outcomes are exercised and counted.
            const plain = fc.string({ unit: fc.constantFrom(..."aZ09._-"), minLength: 0, maxLength: MAX_FILENAME_LENGTH + 2 });
            const seen = { accepted: 0, refused: 0 };
            fc.assert(fc.property(fc.oneof(plain, fc.string({ unit: "binary", maxLength: 40 })), (name) => {
                const acceptable = name.length >= 1 && name.length <= MAX_FILENAME_LENGTH && /^[A-Za-z0-9]/.test(name)
                    && [...name].every((c) => /[A-Za-z0-9._-]/.test(c)) && !name.includes("..");
                if (acceptable) {
                    seen.accepted++;
                    expect(safeFilename(name)).to.equal(name);
                } else {
                    seen.refused++;
                    expect(refused(() => safeFilename(name)), JSON.stringify(name)).to.equal(true);
                }
            }), { numRuns: 500 });
            expect(seen.accepted, "acceptable names generated").to.be.greaterThan(50);
            expect(seen.refused, "unacceptable names generated").to.be.greaterThan(50);
        });
    });

    describe("download file names", () => {
        it("name the finding's period start (UTC, no separators) and id prefix, as .csv.gz unless json is asked for", () => {
            const f = { id: "1a2b3c4d-0000-4000-8000-000000000000", clientId: CLIENT_A, projectId: CLIENT_B, s3Key: "k", severity: "info" as const,
                periodStart: new Date("2026-01-02T03:04:05.678Z"), periodEnd: new Date("2026-01-02T04:00:00Z") };
            expect(downloadFilename(f)).to.equal("mdetect-finding-20260102T030405Z-1a2b3c4d.csv.gz");
            expect(downloadFilename(f, "json")).to.equal("mdetect-finding-20260102T030405Z-1a2b3c4d.json.gz");
        });
    });

    describe("page cursors", () => {
        const query = { projectId: undefined, detectorId: CLIENT_B, from: "2026-01-01", to: undefined };

        it("round-trip the registry position for the same client and filters", () => {
            fc.assert(fc.property(fc.string({ maxLength: 200 }), (position) => decodeCursor(encodeCursor(position, CLIENT_A, query), CLIENT_A, query) === position));
        });

        it("are refused for another client or other filters", () => {
            const cursor = encodeCursor("eyJ0IjoxfQ", CLIENT_A, query);
            expect(refused(() => decodeCursor(cursor, CLIENT_B, query))).to.equal(true);
            expect(refused(() => decodeCursor(cursor, CLIENT_A, { ...query, from: "2025-01-01" }))).to.equal(true);
            expect(refused(() => decodeCursor(cursor, CLIENT_A, { ...query, projectId: CLIENT_A }))).to.equal(true);
        });

        /** The envelope a cursor carries, edited and re-encoded as a forger would. */
        const forged = (edit: (envelope: Record<string, unknown>) => unknown): string => {
            const envelope = JSON.parse(Buffer.from(encodeCursor("p", CLIENT_A, query), "base64url").toString("utf8"));
            return Buffer.from(JSON.stringify(edit(envelope))).toString("base64url");
        };

        it("are the same for the same filters whatever their order and whether an absent one is undefined or missing", () => {
            const cursor = encodeCursor("pos", CLIENT_A, query);
            expect(decodeCursor(cursor, CLIENT_A, { from: "2026-01-01", detectorId: CLIENT_B })).to.equal("pos");
            expect(decodeCursor(cursor, CLIENT_A, { to: undefined, from: "2026-01-01", projectId: undefined, detectorId: CLIENT_B })).to.equal("pos");
            expect(refused(() => decodeCursor(cursor, CLIENT_A, { ...query, to: "" }))).to.equal(true);
        });

        it("are accepted up to 512 characters and refused above, with one fixed 400 detail", () => {
            // A 384-byte envelope is exactly 512 base64url characters; one byte more is 514.
            const base = encodeCursor("", CLIENT_A, query);
            const envelopeBytes = Buffer.from(base, "base64url").length;
            const at = "x".repeat(384 - envelopeBytes);
            expect(encodeCursor(at, CLIENT_A, query)).to.have.length(512);
            expect(decodeCursor(encodeCursor(at, CLIENT_A, query), CLIENT_A, query)).to.equal(at);
            const over = encodeCursor(`${at}x`, CLIENT_A, query);
            expect(over.length).to.be.greaterThan(512);
            let error: unknown;
            try { decodeCursor(over, CLIENT_A, query); } catch (e) { error = e; }
            expect(isHttpProblem(error) && error.detail).to.equal("Query parameter cursor is not a cursor this query returned.");
        });

        it("are refused with any character outside base64url before, inside or after an issued one", () => {
            const cursor = encodeCursor("pos", CLIENT_A, query);
            for (const c of ["!", "=", "+", "/", " ", "."]) {
                for (const text of [`${c}${cursor}`, `${cursor}${c}`, `${cursor.slice(0, 4)}${c}${cursor.slice(4)}`]) {
                    expect(refused(() => decodeCursor(text, CLIENT_A, query)), text).to.equal(true);
                }
            }
        });

        it("are refused when their envelope is not an object, another version, or a position that is not a string", () => {
            const bad = [forged(() => null), forged(() => 1), forged(() => "x"), forged(() => []),
                forged((e) => ({ ...e, v: 2 })), forged((e) => ({ ...e, k: 5 })), forged((e) => ({ ...e, k: null })), forged(({ v, s }) => ({ v, s }))];
            for (const text of bad) expect(refused(() => decodeCursor(text, CLIENT_A, query)), Buffer.from(text, "base64url").toString()).to.equal(true);
            expect(decodeCursor(forged((e) => e), CLIENT_A, query)).to.equal("p");
        });

        it("refuse anything that is not a cursor this API issued, without throwing anything but a 400", () => {
            fc.assert(fc.property(fc.string({ maxLength: 600 }), (text) => {
                try {
                    decodeCursor(text, CLIENT_A, query);
                    return false;
                } catch (error) {
                    return isHttpProblem(error) && error.kind.status === 400;
                }
            }), { numRuns: 300 });
        });
    });

    describe("request bodies (jsonBody)", () => {
        const bodyOf = (text: string, base64 = false) => ({ ...apiEvent("POST /v1/sites", { body: base64 ? Buffer.from(text, "utf8").toString("base64") : text }), isBase64Encoded: base64 });
        const detail = (f: () => unknown): string | undefined => {
            try { f(); } catch (error) { return isHttpProblem(error) ? error.detail : undefined; }
            return undefined;
        };

        it("reads a base64-encoded body (API Gateway's isBase64Encoded) as the same JSON object as the plain one", () => {
            fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
                const text = JSON.stringify(value);
                expect(jsonBody(bodyOf(text, true))).to.deep.equal(jsonBody(bodyOf(text)));
            }));
        });

        it("accepts up to MAX_BODY_BYTES bytes of UTF-8 after decoding, and refuses one more, saying the limit", () => {
            // "é" is two bytes: the limit counts bytes, not characters.
            const padded = (bytes: number) => `{"a":"${"é".repeat((bytes - 8) >> 1)}${(bytes - 8) % 2 ? "x" : ""}"}`;
            for (const base64 of [false, true]) {
                expect(Buffer.byteLength(padded(MAX_BODY_BYTES))).to.equal(MAX_BODY_BYTES);
                expect(jsonBody(bodyOf(padded(MAX_BODY_BYTES), base64))).to.have.key("a");
                expect(detail(() => jsonBody(bodyOf(padded(MAX_BODY_BYTES + 1), base64)))).to.equal(`The body must be at most ${MAX_BODY_BYTES} bytes.`);
            }
        });
    });
});
