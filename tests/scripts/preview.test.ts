import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { program } from "../helpers/program";
import { renderPlan, toPlan } from "../../scripts/lib/plan";

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
        expect(err?.code).to.equal(1);
        expect(err.stderr).to.match(/--jsn/);
    });
});
