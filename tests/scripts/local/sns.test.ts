/**
 * SNS in the local cloud: filter policies as the SNS developer guide documents them, and the
 * Publish front (query protocol through the real SDK) with the plan's topics, topic policies
 * and key policy evaluated, delivering to the mailbox.
 */
import { expect } from "chai";
import fc from "fast-check";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { clientFilterPolicy } from "../../../infra/notifications";
import { SimClock } from "../../../scripts/lib/local/clock";
import { MAX_FILTER_COMBINATIONS, filterPolicyMatches, filterPolicyProblem } from "../../../scripts/lib/local/filter-policy";
import { iamAuthorizer } from "../../../scripts/lib/local/iam";
import { Mailbox } from "../../../scripts/lib/local/mailbox";
import { LocalPlan } from "../../../scripts/lib/local/plan";
import { Principal, Principals } from "../../../scripts/lib/local/principals";
import { LocalSns } from "../../../scripts/lib/local/sns";
import { localAlertSubscriptions } from "../../../scripts/lib/local/registry";
import { allow, inferencePlan } from "./fixtures";

const str = (v: string) => ({ DataType: "String", StringValue: v });
const attrs = (a: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>) => ({ body: "hello", attributes: a });

describe("local SNS: filter policies (attribute and payload scope)", () => {
    it("an attribute policy matches String, Number and String.Array attributes as documented; Binary and absent attributes never match", () => {
        const policy = { client_id: ["a", "b"], price: [{ numeric: [">=", 100, "<", 200] }] };
        expect(filterPolicyMatches(policy, "MessageAttributes", attrs({ client_id: str("a"), price: { DataType: "Number", StringValue: "100" } }))).to.equal(true);
        expect(filterPolicyMatches(policy, "MessageAttributes", attrs({ client_id: str("a"), price: { DataType: "Number", StringValue: "200" } }))).to.equal(false);
        // Numeric matching applies to Number attributes only.
        expect(filterPolicyMatches(policy, "MessageAttributes", attrs({ client_id: str("a"), price: str("150") }))).to.equal(false);
        expect(filterPolicyMatches(policy, "MessageAttributes", attrs({ client_id: str("c"), price: { DataType: "Number", StringValue: "150" } }))).to.equal(false);
        expect(filterPolicyMatches({ client_id: ["c"] }, "MessageAttributes", attrs({ client_id: { DataType: "String.Array", StringValue: "[\"a\",\"c\"]" } }))).to.equal(true);
        expect(filterPolicyMatches({ client_id: ["a"] }, "MessageAttributes", attrs({ client_id: { DataType: "Binary", BinaryValue: "YQ==" } }))).to.equal(false);
        expect(filterPolicyMatches({ client_id: ["a"] }, "MessageAttributes", attrs({}))).to.equal(false);
        expect(filterPolicyMatches({ client_id: [{ exists: false }] }, "MessageAttributes", attrs({}))).to.equal(true);
        expect(filterPolicyMatches({ severity: [{ "anything-but": ["info"] }] }, "MessageAttributes", attrs({ severity: str("alert") }))).to.equal(true);
        expect(filterPolicyMatches({ severity: [{ "anything-but": ["info"] }] }, "MessageAttributes", attrs({}))).to.equal(false);
        const or = { $or: [{ client_id: ["a"] }, { severity: ["alert"] }] };
        expect(filterPolicyMatches(or, "MessageAttributes", attrs({ severity: str("alert") }))).to.equal(true);
        expect(filterPolicyMatches(or, "MessageAttributes", attrs({ client_id: str("b") }))).to.equal(false);
    });

    it("a payload policy matches the JSON body's nested fields; a body that is not a JSON object matches nothing", () => {
        const policy = { alarm: { state: ["ALARM"], name: [{ prefix: "mdetect-" }] } };
        expect(filterPolicyMatches(policy, "MessageBody", { body: JSON.stringify({ alarm: { state: "ALARM", name: "mdetect-x" } }), attributes: {} })).to.equal(true);
        expect(filterPolicyMatches(policy, "MessageBody", { body: JSON.stringify({ alarm: { state: "OK", name: "mdetect-x" } }), attributes: {} })).to.equal(false);
        expect(filterPolicyMatches(policy, "MessageBody", { body: "ALARM mdetect-x", attributes: {} })).to.equal(false);
        expect(filterPolicyMatches({ state: ["ALARM"] }, "MessageBody", { body: "[\"ALARM\"]", attributes: {} })).to.equal(false);
    });

    it("the program's client filter policy delivers a message exactly to the addresses listing its client_id (property)", () => {
        const id = fc.uuid();
        fc.assert(fc.property(fc.uniqueArray(id, { minLength: 1, maxLength: 20 }), id, (ids, other) => {
            const policy = JSON.parse(clientFilterPolicy(ids));
            expect(filterPolicyProblem(policy, "MessageAttributes")).to.equal(undefined);
            for (const candidate of [...ids, other]) {
                expect(filterPolicyMatches(policy, "MessageAttributes", attrs({ client_id: str(candidate), severity: str("alert") }))).to.equal(ids.includes(candidate));
            }
        }));
    });

    it("refuses what SNS refuses: more than 5 keys, more than 150 combinations, nested attribute keys (the boundary accepted)", () => {
        const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
        expect(filterPolicyProblem({ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"] }, "MessageAttributes")).to.equal(undefined);
        expect(filterPolicyProblem({ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] }, "MessageAttributes")).to.match(/6 keys/);
        expect(filterPolicyProblem({ a: values(15), b: values(10) }, "MessageAttributes")).to.equal(undefined);
        expect(filterPolicyProblem({ a: values(MAX_FILTER_COMBINATIONS + 1) }, "MessageAttributes")).to.match(/151 value combinations/);
        expect(filterPolicyProblem({ a: { b: ["1"] } }, "MessageAttributes")).to.match(/nested/);
        expect(filterPolicyProblem({ a: { b: ["1"] } }, "MessageBody")).to.equal(undefined);
        // One address cannot follow more than 150 clients: the program's policy would not deploy.
        expect(filterPolicyProblem(JSON.parse(clientFilterPolicy(values(151))), "MessageAttributes")).to.match(/151/);
    });
});

describe("local SNS: Publish through the SDK, evaluated against the plan's topic and key policies", function () {
    let plan: LocalPlan;
    let sns: LocalSns;
    const principals = new Principals();
    const clients: SNSClient[] = [];

    before(async function () {
        this.timeout(600_000);
        plan = (await inferencePlan()).plan;
        sns = new LocalSns(plan.topics, plan.keys, plan.region, principals, iamAuthorizer(plan.account, plan.region), new Mailbox(), new SimClock());
        await sns.start();
    });
    after(async () => { for (const c of clients) c.destroy(); await sns?.stop(); });

    const findings = () => plan.topics.find((t) => t.subscriptions.some((s) => s.filterPolicy))!;
    const ops = () => plan.topics.find((t) => t !== findings())!;
    const client = (p: Principal) => {
        const c = new SNSClient({ region: plan.region, endpoint: sns.url, maxAttempts: 1, credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken } });
        clients.push(c);
        return c;
    };
    const publisher = (actions: string[]) => principals.issue(`publisher ${actions.join(" ")}`, plan.roles[0].arn, allow(actions, [findings().arn, findings().keyArn!]));
    const alert = (clientId: string) => new PublishCommand({
        TopicArn: findings().arn, Subject: "mDetect alert", Message: "scored",
        MessageAttributes: { client_id: { DataType: "String", StringValue: clientId }, severity: { DataType: "String", StringValue: "alert" } },
    });
    const [subscribed] = localAlertSubscriptions().map((s) => s.split("="));

    it("a role with sns:Publish and the key's GenerateDataKey/Decrypt publishes; the e-mail reaches the subscribed address only", async () => {
        const out = await client(publisher(["sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"])).send(alert(subscribed[1]));
        expect(out.MessageId).to.match(/^[0-9a-f-]{36}$/);
        expect(sns.mailbox.inbox(subscribed[0]).map((m) => m.messageId)).to.deep.equal([out.MessageId]);
        expect(sns.mailbox.addresses()).to.deep.equal([subscribed[0].toLowerCase()]);
    });

    it("without sns:Publish: AuthorizationError (403); without the key: KMSAccessDenied; nothing delivered", async () => {
        const before = sns.published.length;
        const denied = await client(publisher(["kms:GenerateDataKey", "kms:Decrypt"])).send(alert(subscribed[1])).catch((e) => e);
        expect([denied.name, denied.$metadata?.httpStatusCode]).to.deep.equal(["AuthorizationErrorException", 403]);
        const noKey = await client(publisher(["sns:Publish", "kms:Decrypt"])).send(alert(subscribed[1])).catch((e) => e);
        expect(noKey.name).to.equal("KMSAccessDeniedException");
        expect(sns.published.length).to.equal(before);
    });

    it("refuses a subject over 100 characters (InvalidParameter)", async () => {
        const err = await client(publisher(["sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"]))
            .send(new PublishCommand({ TopicArn: findings().arn, Subject: "x".repeat(101), Message: "m" })).catch((e) => e);
        expect(err.name).to.equal("InvalidParameterException");
    });

    it("CloudWatch publishes to the ops topic for an alarm of this account; another account's alarm, or the key policy without its statement, is refused", async () => {
        const cloudwatch = Principals.service("cloudwatch.amazonaws.com");
        const alarmArn = `arn:aws:cloudwatch:${plan.region}:${plan.account}:alarm:x`;
        const message = { TopicArn: ops().arn, Subject: "ALARM: \"x\"", Message: "{}" };
        await sns.publish(cloudwatch, message, { "aws:SourceArn": alarmArn, "aws:SourceAccount": plan.account });
        const foreign = await sns.publish(cloudwatch, message, { "aws:SourceArn": alarmArn.replace(plan.account, "999999999999"), "aws:SourceAccount": "999999999999" }).catch((e) => e);
        expect(foreign.name).to.equal("AuthorizationError");
        // Break the key policy once on purpose: without the statement for CloudWatch, the encrypted topic refuses it.
        const keys = plan.keys.map((k) => k.arn !== ops().keyArn ? k : { ...k, policy: { ...k.policy!, Statement: k.policy!.Statement.filter((s) => !JSON.stringify(s.Principal).includes("cloudwatch")) } });
        const broken = new LocalSns(plan.topics, keys, plan.region, principals, iamAuthorizer(plan.account, plan.region), new Mailbox(), new SimClock());
        const refused = await broken.publish(cloudwatch, message, { "aws:SourceArn": alarmArn, "aws:SourceAccount": plan.account }).catch((e) => e);
        expect(refused.name).to.equal("KMSAccessDenied");
    });
});
