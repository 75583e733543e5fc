/** The local plan is the program: read from the mock run, and it follows config changes. */
import { expect } from "chai";
import { program } from "../../helpers/program";
import { readPlan } from "../../../scripts/lib/local/plan";

describe("local plan: read from the program's mock run", function () {
    it("has every function with its package, memory, timeout, concurrency, role policies and environment", async () => {
        const run = await program();
        const plan = readPlan(run);
        const declared = run.resources.filter((r) => r.type === "aws:lambda/function:Function");
        expect(plan.functions.map((f) => f.logicalName).sort()).to.deep.equal(declared.map((r) => r.name).sort());
        for (const fn of plan.functions) {
            const r = declared.find((d) => d.name === fn.logicalName)!;
            expect(fn.memoryMb).to.equal(r.inputs.memorySize);
            expect(fn.timeoutSeconds).to.equal(r.inputs.timeout);
            expect(fn.reservedConcurrency).to.equal(r.inputs.reservedConcurrentExecutions);
            expect(fn.environment).to.deep.equal(r.inputs.environment?.variables ?? {});
            expect(fn.role.arn).to.equal(r.inputs.role);
            expect(fn.role.policies.length, `${fn.logicalName} has its inline policy`).to.be.greaterThan(0);
            const pkg = await fn.package();
            expect(pkg.indexJs).to.include("exports.handler");
        }
    });

    it("reads the delivery stream, rules with targets and DLQs, routes with the JWT authorizer, topics, alarms", async () => {
        const plan = readPlan(await program());
        const d = plan.deliveryStreams[0];
        expect(d.sourceStreamArn).to.equal(plan.streams[0].arn);
        expect(d.processor!.functionArn).to.be.oneOf(plan.functions.map((f) => f.arn));
        expect(d.destination.compression).to.equal("GZIP");
        expect(d.destination.errorOutputPrefix).to.include("!{firehose:error-output-type}");
        expect(d.backup).to.not.equal(undefined);
        const objectRule = plan.rules.find((r) => r.eventPattern)!;
        expect(objectRule.targets[0].deadLetterArn).to.be.oneOf(plan.queues.map((q) => q.arn));
        expect(plan.rules.some((r) => r.scheduleExpression)).to.equal(true);
        expect(plan.routes.length).to.be.greaterThan(0);
        for (const r of plan.routes) {
            expect(r.functionArn).to.be.oneOf(plan.functions.map((f) => f.arn));
            expect(r.authorizer?.type, r.routeKey).to.equal("JWT");
            const fn = plan.functions.find((f) => f.arn === r.functionArn)!;
            expect(JSON.stringify(fn.resourcePolicy), `${r.routeKey} may be invoked by API Gateway`).to.include("apigateway.amazonaws.com");
        }
        expect(plan.topics.length).to.be.greaterThan(0);
        expect(plan.alarms.some((a) => a.namespace === "AWS/Firehose")).to.equal(true);
        expect(plan.deviceRoleArns).to.have.length(1);
        expect(plan.buckets.some((b) => b.eventBridge && b.kmsKeyArn)).to.equal(true);
    });

    it("changes with the program's config (buffer hints, silence window)", async () => {
        const base = readPlan(await program());
        const changed = readPlan(await program({ "mdetect:firehoseBufferSeconds": 120 }));
        expect(base.deliveryStreams[0].destination.bufferingIntervalSeconds).to.not.equal(120);
        expect(changed.deliveryStreams[0].destination.bufferingIntervalSeconds).to.equal(120);
        expect(changed.deliveryStreams[0].backup!.bufferingIntervalSeconds).to.equal(120);
    });
});
