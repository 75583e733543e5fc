import { expect } from "chai";
import { program, ofType, childrenOf, policyDoc } from "../helpers/program";
import { parseAlertSubscriptions, ConfigError } from "../../infra/config";
import { ACCOUNT_ID } from "../../scripts/lib/mock-run";

const ACME = "11111111-1111-4111-8111-111111111111";
const BETA = "22222222-2222-4222-8222-222222222222";
const SUBSCRIPTIONS = [`alice@acme.example=${ACME}`, `bob@beta.example=${BETA}`, `carol@both.example=${ACME}+${BETA}`];
const OPS = ["ops@mdetect.example", "oncall@mdetect.example"];
/** One cached program run for every test here. */
const CONFIG = { "mdetect:clientAlertSubscriptions": SUBSCRIPTIONS, "mdetect:opsEmails": OPS };

/** SNS filter-policy semantics for an exact-string list: the attribute value must be listed. */
function delivers(filterPolicy: string, clientId: string): boolean {
    const policy = JSON.parse(filterPolicy) as Record<string, string[]>;
    return Object.keys(policy).length === 1 && policy.client_id.includes(clientId);
}

describe("infra: notifications", () => {
    it("encrypts both topics with the DataKey", async () => {
        const run = await program(CONFIG);
        const topics = ofType(run, "aws:sns/topic:Topic");
        const key = ofType(run, "aws:kms/key:Key")[0];
        expect(topics.map((t) => t.name).sort()).to.deep.equal(["mdetect-findings", "mdetect-ops"]);
        for (const t of topics) expect(t.inputs.kmsMasterKeyId, t.name).to.equal(key.state.arn);
    });

    it("denies every non-TLS request on each topic", async () => {
        const run = await program(CONFIG);
        const policies = ofType(run, "aws:sns/topicPolicy:TopicPolicy");
        expect(policies).to.have.length(2);
        for (const p of policies) {
            const deny = policyDoc(p.inputs.policy).Statement.find((s) => s.Effect === "Deny");
            expect(deny.Principal).to.equal("*");
            expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
            expect(deny.Action).to.include.members(["sns:Publish", "sns:Subscribe"]);
            expect(deny.Resource).to.equal(p.inputs.arn);
        }
    });

    it("lets only CloudWatch and Budgets of this account publish to the ops topic as services", async () => {
        const run = await program(CONFIG);
        const [findings, ops] = ["mdetect-findings", "mdetect-ops"].map((n) => ofType(run, "aws:sns/topicPolicy:TopicPolicy").find((p) => p.name === n)!);
        expect(policyDoc(findings.inputs.policy).Statement.filter((s) => s.Effect === "Allow")).to.deep.equal([]);
        const allow = policyDoc(ops.inputs.policy).Statement.filter((s) => s.Effect === "Allow");
        expect(allow).to.have.length(1);
        expect(allow[0].Action).to.equal("sns:Publish");
        expect(allow[0].Condition.StringEquals["aws:SourceAccount"]).to.equal(ACCOUNT_ID);
    });

    it("subscribes each client address with a filter policy admitting only its own client_id", async () => {
        const run = await program(CONFIG);
        const findingsArn = ofType(run, "aws:sns/topic:Topic").find((t) => t.name === "mdetect-findings")!.state.arn;
        const subs = ofType(run, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.topic === findingsArn);
        expect(subs).to.have.length(3);
        const byEmail = Object.fromEntries(subs.map((s) => [s.inputs.endpoint, s.inputs]));
        for (const s of subs) {
            expect(s.inputs.protocol).to.equal("email");
            expect(s.inputs.filterPolicyScope).to.equal("MessageAttributes");
            expect(s.name, "no address in the URN").not.to.include("@");
        }
        expect(delivers(byEmail["alice@acme.example"].filterPolicy, ACME)).to.equal(true);
        expect(delivers(byEmail["alice@acme.example"].filterPolicy, BETA)).to.equal(false);
        expect(delivers(byEmail["bob@beta.example"].filterPolicy, ACME)).to.equal(false);
        expect(delivers(byEmail["bob@beta.example"].filterPolicy, BETA)).to.equal(true);
        expect(delivers(byEmail["carol@both.example"].filterPolicy, ACME)).to.equal(true);
        expect(delivers(byEmail["carol@both.example"].filterPolicy, BETA)).to.equal(true);
    });

    it("subscribes the ops addresses to the ops topic without a filter", async () => {
        const run = await program(CONFIG);
        const opsArn = ofType(run, "aws:sns/topic:Topic").find((t) => t.name === "mdetect-ops")!.state.arn;
        const subs = ofType(run, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.topic === opsArn);
        expect(subs.map((s) => s.inputs.endpoint).sort()).to.deep.equal([...OPS].sort());
        for (const s of subs) expect(s.inputs.filterPolicy).to.equal(undefined);
    });

    it("parents everything to the component", async () => {
        const run = await program(CONFIG);
        const children = childrenOf(run, "mdetect:notifications:Notifications::mdetect").map((r) => r.type);
        expect(children.filter((t) => t === "aws:sns/topicSubscription:TopicSubscription")).to.have.length(SUBSCRIPTIONS.length + OPS.length);
        expect(children.filter((t) => t === "aws:sns/topic:Topic")).to.have.length(2);
    });

    describe("mdetect:clientAlertSubscriptions", () => {
        it("parses addresses with one or several clients", () => {
            expect(parseAlertSubscriptions(SUBSCRIPTIONS)).to.deep.equal([
                { email: "alice@acme.example", clientIds: [ACME] },
                { email: "bob@beta.example", clientIds: [BETA] },
                { email: "carol@both.example", clientIds: [ACME, BETA] },
            ]);
        });

        for (const [entry, message] of [
            ["alice@acme.example", /email=client_id/],
            [`not-an-address=${ACME}`, /not an e-mail address/],
            ["alice@acme.example=acme", /must be a registry UUID/],
            [`alice@acme.example=${ACME}+${ACME}`, /lists a client twice/],
        ] as const) {
            it(`rejects "${entry}"`, () => {
                expect(() => parseAlertSubscriptions([entry])).to.throw(ConfigError, message);
            });
        }

        it("rejects an address listed twice, whatever its case", () => {
            expect(() => parseAlertSubscriptions([`a@x.example=${ACME}`, `A@X.example=${BETA}`])).to.throw(ConfigError, /twice/);
        });
    });
});
