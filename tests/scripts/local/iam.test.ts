import { expect } from "chai";
import { iamAuthorizer } from "../../../scripts/lib/local/iam";
import { Principals } from "../../../scripts/lib/local/principals";

const KEY = "arn:aws:kms:ap-southeast-2:123456789012:key/k";
const STREAM = "arn:aws:kinesis:ap-southeast-2:123456789012:stream/s";
const KEY_POLICY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] };

describe("local IAM: the real evaluator, caller role + resource policy", () => {
    const authorizer = iamAuthorizer("123456789012", "ap-southeast-2");
    const principals = new Principals();
    const reader = principals.issue("reader", "arn:aws:iam::123456789012:role/reader", [{
        name: "p", policy: { Version: "2012-10-17", Statement: [{
            Effect: "Allow", Action: "kms:Decrypt", Resource: KEY,
            Condition: { StringEquals: { "kms:ViaService": "kinesis.ap-southeast-2.amazonaws.com", "kms:EncryptionContext:aws:kinesis:arn": STREAM } },
        }] },
    }]);
    const decrypt = (context: Record<string, string>, resourcePolicy: any = KEY_POLICY) =>
        authorizer.authorize({ principal: reader, action: "kms:Decrypt", resource: KEY, resourcePolicy, context });

    it("evaluates kms:EncryptionContext conditions (allowed for the right stream, denied for another)", async () => {
        expect((await decrypt({ "kms:ViaService": "kinesis.ap-southeast-2.amazonaws.com", "kms:EncryptionContext:aws:kinesis:arn": STREAM })).allowed).to.equal(true);
        expect((await decrypt({ "kms:ViaService": "kinesis.ap-southeast-2.amazonaws.com", "kms:EncryptionContext:aws:kinesis:arn": `${STREAM}-other` })).allowed).to.equal(false);
        expect((await decrypt({ "kms:ViaService": "s3.ap-southeast-2.amazonaws.com", "kms:EncryptionContext:aws:kinesis:arn": STREAM })).allowed).to.equal(false);
    });

    it("KMS needs the key policy too: without a statement delegating to the account, the role's allow is not enough", async () => {
        const context = { "kms:ViaService": "kinesis.ap-southeast-2.amazonaws.com", "kms:EncryptionContext:aws:kinesis:arn": STREAM };
        expect((await decrypt(context, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:*", Resource: "*" }] })).allowed).to.equal(false);
    });

    it("a service principal is allowed only by a resource policy naming it, for the source ARN in the condition", async () => {
        const fn = "arn:aws:lambda:ap-southeast-2:123456789012:function:f";
        const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: fn, Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:events:ap-southeast-2:123456789012:rule/r" } } }] };
        const events = Principals.service("events.amazonaws.com");
        const invoke = (source: string) => authorizer.authorize({ principal: events, action: "lambda:InvokeFunction", resource: fn, resourcePolicy: policy, context: { "aws:SourceArn": source } });
        expect((await invoke("arn:aws:events:ap-southeast-2:123456789012:rule/r")).allowed).to.equal(true);
        expect((await invoke("arn:aws:events:ap-southeast-2:123456789012:rule/other")).allowed).to.equal(false);
    });
});
