import { expect } from "chai";
import { matchesPattern } from "../../../scripts/lib/local/event-pattern";

// Examples from the EventBridge user guide, "Content filtering in event patterns".
const s3Event = (key: string, size = 5) => ({
    source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: "lake" }, object: { key, size } },
});

describe("EventBridge event patterns (documented subset)", () => {
    const pattern = { source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: ["lake"] }, object: { key: [{ prefix: "incoming/" }] } } };

    it("matches every field, nested, with prefix filters", () => {
        expect(matchesPattern(pattern, s3Event("incoming/a.json"))).to.equal(true);
        expect(matchesPattern(pattern, s3Event("curated/a.csv"))).to.equal(false);
        expect(matchesPattern(pattern, { ...s3Event("incoming/a"), source: "aws.ec2" })).to.equal(false);
        expect(matchesPattern(pattern, { ...s3Event("incoming/a"), detail: { bucket: { name: "other" }, object: { key: "incoming/a" } } })).to.equal(false);
    });

    it("a field the event lacks does not match unless the pattern asks for exists:false", () => {
        expect(matchesPattern({ detail: { x: ["1"] } }, { detail: {} })).to.equal(false);
        expect(matchesPattern({ detail: { x: [{ exists: false }] } }, { detail: {} })).to.equal(true);
        expect(matchesPattern({ detail: { x: [{ exists: true }] } }, { detail: { x: 0 } })).to.equal(true);
    });

    it("numeric, anything-but, suffix, wildcard, equals-ignore-case, array values", () => {
        expect(matchesPattern({ detail: { object: { size: [{ numeric: [">", 0, "<=", 5] }] } } }, s3Event("k", 5))).to.equal(true);
        expect(matchesPattern({ detail: { object: { size: [{ numeric: [">", 5] }] } } }, s3Event("k", 5))).to.equal(false);
        expect(matchesPattern({ detail: { object: { key: [{ "anything-but": { prefix: "tmp/" } }] } } }, s3Event("tmp/x"))).to.equal(false);
        expect(matchesPattern({ detail: { object: { key: [{ "anything-but": ["a", "b"] }] } } }, s3Event("c"))).to.equal(true);
        expect(matchesPattern({ detail: { object: { key: [{ suffix: ".gz" }] } } }, s3Event("x.csv.gz"))).to.equal(true);
        expect(matchesPattern({ detail: { object: { key: [{ wildcard: "curated/*/x.csv" }] } } }, s3Event("curated/a/b/x.csv"))).to.equal(true);
        expect(matchesPattern({ source: [{ "equals-ignore-case": "AWS.S3" }] }, s3Event("k"))).to.equal(true);
        expect(matchesPattern({ resources: ["arn:b"] }, { resources: ["arn:a", "arn:b"] })).to.equal(true);
    });

    it("literals compare exactly: numbers are not strings", () => {
        expect(matchesPattern({ detail: { object: { size: ["5"] } } }, s3Event("k", 5))).to.equal(false);
        expect(matchesPattern({ detail: { object: { size: [5] } } }, s3Event("k", 5))).to.equal(true);
    });
});
