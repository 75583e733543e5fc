import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { program } from "../helpers/program";
import { renderPlan, toPlan } from "../../scripts/lib/plan";
import { DEFAULT_WIDTH, TRUNCATED, fitWidth, outputWidth } from "../../scripts/lib/width";

const exec = promisify(execFile);
const BIN = path.join(__dirname, "..", "..", "bin", "mdetect.js");

function expectShape(plan: any): void {
    expect(plan).to.have.all.keys("stack", "config", "resources", "outputs");
    expect(plan.stack).to.equal("dev");
    expect(plan.config["aws:region"]).to.equal("ap-southeast-2");
    expect(plan.resources.length).to.be.greaterThan(100);
    for (const r of plan.resources) {
        // source: the declaring `new X(` in infra/, for SARIF locations of `mdetect policy --plan`.
        expect(r).to.have.all.keys("type", "name", "parent", "inputs", "source");
        expect(r.source.file).to.match(/^infra\/.+\.ts$/);
        expect(r.type).to.be.a("string");
    }
    // Lambda code is summarised, not dumped.
    const fn = plan.resources.find((r: any) => r.type === "aws:lambda/function:Function");
    expect(fn.inputs.code).to.deep.equal({ archive: "AssetArchive (serialized Lambda code)" });
}

describe("mdetect preview: the offline plan (npm start)", () => {
    it("writes the plan as JSON of the documented shape to a file, and to stdout with `-`", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-plan-")), "plan.json");
        const written = await exec(process.execPath, [BIN, "preview", "--json", file], { maxBuffer: 64 * 1024 * 1024 });
        expect(written.stderr).to.match(/plan written to .*plan\.json \(\d+ resources\)/);
        expectShape(JSON.parse(fs.readFileSync(file, "utf8")));
        const printed = await exec(process.execPath, [BIN, "preview", "--json", "-"], { maxBuffer: 64 * 1024 * 1024 });
        expectShape(JSON.parse(printed.stdout));
    });

    it("groups every resource under its component and lists the stack outputs", async () => {
        const text = renderPlan(toPlan(await program()));
        for (const component of ["mdetect:security:DataKey", "DataLake", "AuditStore", "BatchIngest", "RealtimeIngest", "PrivateNetwork", "Registry",
            "Notifications", "ClientIdentity", "ClientApi", "PeopleAccess", "CiDeploy", "AuditTrail", "Monitoring", "SilenceCheck", "CostBudget"]) {
            expect(text, component).to.match(new RegExp(`\\[mdetect:[a-z]+:${component.split(":").pop()}\\]`));
        }
        // What the issues' acceptance asks the plan to show.
        for (const shown of [
            /aws:kinesis\/stream:Stream .*\n.*shardCount=1/, /aws:iot\/roleAlias:RoleAlias/, /aws:kinesis\/firehoseDeliveryStream:FirehoseDeliveryStream/,
            /s3BackupMode/, /aws:rds\/instance:Instance/, /aws:lambda\/invocation:Invocation/, /aws:cognito\/userPool:UserPool .*\n.*mfaConfiguration=ON/,
            /aws:apigatewayv2\/authorizer:Authorizer/, /aws:apigatewayv2\/route:Route/, /aws:iam\/accountPasswordPolicy:AccountPasswordPolicy/,
            /aws:iam\/openIdConnectProvider:OpenIdConnectProvider/, /aws:cloudtrail\/trail:Trail/, /aws:cloudwatch\/dashboard:Dashboard/,
            /aws:cloudwatch\/metricAlarm:MetricAlarm/, /aws:budgets\/budget:Budget/, /aws:sns\/topicSubscription|aws:sns\/topic:Topic/,
        ]) {
            expect(text).to.match(shown);
        }
        expect(text, "no NAT gateway").to.not.match(/natGateway/i);
        expect(text).to.match(/Outputs:\n(.*\n)*\s+telemetryStreamName: /);
        expect(text).to.match(/\s+apiUrl: https:\/\//);
    });

    it("shows the model, serverless endpoint configuration and inference trigger once a model is configured", async () => {
        const text = renderPlan(toPlan(await program({ "mdetect:modelArtifact": "s3://mdetect-models/sample/model.tar.gz" })));
        expect(text).to.match(/aws:sagemaker\/model:Model/);
        expect(text).to.match(/aws:sagemaker\/endpointConfiguration:EndpointConfiguration .*\n.*serverlessConfig/);
        expect(text).to.match(/\[mdetect:[a-z]+:Inference\](\n.*)*aws:cloudwatch\/eventRule:EventRule/);
    });

    it("refuses an unknown option with a clear message", async () => {
        const err = await exec(process.execPath, [BIN, "preview", "--jsn"]).then(() => undefined, (e) => e);
        expect(err?.code).to.equal(2);
        expect(err.stderr).to.match(/unknown option '--jsn'/).and.match(/Did you mean --json\?/);
    });

    it("npm start's output fits the terminal: no line wider than $COLUMNS when not a TTY (the plan used to print 1,000+ character lines)", async () => {
        const r = await exec(process.execPath, [BIN, "preview"], { env: { ...process.env, COLUMNS: "80" }, maxBuffer: 64 * 1024 * 1024 }).catch((e) => e);
        const lines = String(r.stdout).split("\n");
        expect(lines.length).to.be.greaterThan(200);
        expect(lines.filter((l) => l.length > 80)).to.deep.equal([]);
        expect(r.stdout).to.include("Policy pack").and.include("Cost");
    });

    it("the width: the terminal's, else $COLUMNS, else 100; long settings wrap at their separators, an over-wide value is cut with a marker", () => {
        expect(outputWidth({ isTTY: true, columns: 132 }, { COLUMNS: "80" })).to.equal(132);
        expect(outputWidth({ isTTY: false }, { COLUMNS: "80" })).to.equal(80);
        expect(outputWidth({ isTTY: false }, {})).to.equal(DEFAULT_WIDTH);
        const line = `    - aws:s3/bucket:Bucket data\n        ${Array.from({ length: 12 }, (_, i) => `setting${i}=value ${i}`).join("  ")}  long=${"x".repeat(200)}`;
        const fitted = fitWidth(line, 60).split("\n");
        expect(fitted.every((l) => l.length <= 60)).to.equal(true);
        expect(fitted.filter((l) => l.includes("setting")).join(" ")).to.include("setting0=value 0").and.include("setting11=value 11");
        expect(fitted.at(-1)).to.match(new RegExp(`^ {10}long=x+${TRUNCATED}$`));
    });

    it("--verbose shows every input in full: tags and whole policy documents, untruncated", async () => {
        const plan = toPlan(await program());
        const short = renderPlan(plan);
        const full = renderPlan(plan, { full: true });
        expect(short).to.include("<policy: ").and.not.include("cost-center=");
        expect(full).to.not.include("<policy: ").and.not.include("…");
        expect(full).to.match(/tags\.cost-center=muon-imaging/);
        const policy = plan.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!.inputs.policy as string;
        expect(full).to.include(`policy=${policy}`);
    });
});
