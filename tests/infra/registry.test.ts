import { expect } from "chai";
import { program, ofType, one, childrenOf, policyDoc, loadSerializedHandler } from "../helpers/program";
import { ProgramRun, PlannedResource } from "../../scripts/lib/mock-run";
import { loadMigrations } from "../../functions/registry/load-migrations";
import { migrationsHash } from "../../functions/registry/migrate";

const RDS = "aws:rds/instance:Instance";
const FN = "aws:lambda/function:Function";

function registryFunctions(run: ProgramRun): PlannedResource[] {
    return childrenOf(run, "mdetect:registry:Registry::mdetect-registry").filter((r) => r.type === FN);
}

function statementsOf(run: ProgramRun, fn: PlannedResource): any[] {
    const roleName = fn.inputs.role.split("/").pop();
    const role = ofType(run, "aws:iam/role:Role").find((r) => r.state.name === roleName)!;
    const policy = ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.inputs.role === role.state.id)!;
    return policyDoc(policy.inputs.policy).Statement;
}

describe("infra: registry (RDS MariaDB in a private network)", () => {
    it("runs MariaDB 10.11 encrypted, private, IAM-authenticated, on gp3 with an autoscaling cap and >= 7 days of backups", async () => {
        const run = await program();
        const db = one(run, RDS).inputs;
        const key = one(run, "aws:kms/key:Key").state.arn;
        expect(db).to.include({
            engine: "mariadb", engineVersion: "10.11", instanceClass: run.config["mdetect:dbInstanceClass"], storageType: "gp3",
            storageEncrypted: true, kmsKeyId: key, iamDatabaseAuthenticationEnabled: true, publiclyAccessible: false,
            manageMasterUserPassword: true, masterUserSecretKmsKeyId: key,
        });
        expect(db.maxAllocatedStorage).to.be.greaterThan(db.allocatedStorage);
        expect(db.backupRetentionPeriod).to.be.at.least(7);
        expect(db).to.not.have.property("password");
    });

    it("trades durability for cost only on dev: single AZ, no deletion protection, no final snapshot", async () => {
        const dev = one(await program(), RDS).inputs;
        expect(dev).to.include({ multiAz: false, deletionProtection: false, skipFinalSnapshot: true });
        const prod = one(await program({}, "prod"), RDS).inputs;
        expect(prod).to.include({ multiAz: true, deletionProtection: true, skipFinalSnapshot: false });
        expect(prod.finalSnapshotIdentifier).to.be.a("string").and.not.equal("");
    });

    it("uses a mariadb10.11 parameter group that requires TLS and lets the master user create triggers", async () => {
        const run = await program();
        const group = one(run, "aws:rds/parameterGroup:ParameterGroup");
        expect(group.inputs.family).to.equal("mariadb10.11");
        const params = Object.fromEntries(group.inputs.parameters.map((p: any) => [p.name, p.value]));
        expect(params).to.include({ require_secure_transport: "1", log_bin_trust_function_creators: "1" });
        expect(one(run, RDS).inputs.parameterGroupName).to.equal(group.state.name);
    });

    it("builds a private isolated network: two AZs, no internet or NAT gateway, no default route, a free S3 gateway endpoint", async () => {
        const run = await program();
        const types = new Set(run.resources.map((r) => r.type));
        for (const t of ["aws:ec2/natGateway:NatGateway", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/eip:Eip", "aws:ec2/route:Route"]) {
            expect(types.has(t), t).to.equal(false);
        }
        for (const table of ofType(run, "aws:ec2/routeTable:RouteTable")) {
            expect(table.inputs.routes ?? [], table.name).to.deep.equal([]);
        }
        const subnets = ofType(run, "aws:ec2/subnet:Subnet");
        expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).to.equal(2);
        expect(subnets.every((s) => !s.inputs.mapPublicIpOnLaunch)).to.equal(true);
        const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint");
        expect(endpoints.map((e) => [e.inputs.vpcEndpointType, e.inputs.serviceName])).to.deep.equal([["Gateway", "com.amazonaws.ap-southeast-2.s3"]]);
        const group = one(run, "aws:rds/subnetGroup:SubnetGroup");
        expect(group.inputs.subnetIds).to.have.members(subnets.map((s) => s.state.id));
    });

    it("opens 3306 on the database only from the Lambda security group, and nothing to the internet", async () => {
        const run = await program();
        const dbSg = one(run, "aws:ec2/securityGroup:SecurityGroup", "-db");
        const lambdaSg = one(run, "aws:ec2/securityGroup:SecurityGroup", "-lambda");
        expect(one(run, RDS).inputs.vpcSecurityGroupIds).to.deep.equal([dbSg.state.id]);
        const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter((r) => [dbSg.state.id, lambdaSg.state.id].includes(r.inputs.securityGroupId));
        expect(ingress.map((r) => [r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.ipProtocol]))
            .to.deep.equal([[dbSg.state.id, lambdaSg.state.id, 3306, 3306, "tcp"]]);
        for (const sg of ofType(run, "aws:ec2/securityGroup:SecurityGroup")) {
            expect(sg.inputs.ingress ?? [], sg.name).to.deep.equal([]);
            expect(sg.inputs.egress ?? [], sg.name).to.deep.equal([]);
        }
        const rules = [...ingress, ...ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")];
        for (const r of rules) {
            expect(r.inputs.cidrIpv4, r.name).to.equal(undefined);
            expect(r.inputs.cidrIpv6, r.name).to.equal(undefined);
            expect(r.inputs.ipProtocol, r.name).to.not.equal("-1");
        }
    });

    it("keeps the master secret out of every input and every Lambda's code", async () => {
        const run = await program();
        // Anything that looks like a password or credentials blob would be a leak.
        const leak = /"(password|masterPassword|masterUserPassword)"\s*:|SecretString|BEGIN (RSA )?PRIVATE KEY/i;
        for (const r of run.resources) {
            expect(JSON.stringify(r.inputs), `${r.type} ${r.name}`).to.not.match(leak);
        }
        for (const fn of registryFunctions(run)) {
            const text: string = await (await fn.inputs.code.assets)["__index.js"].text;
            expect(text, fn.name).to.not.match(/secretsmanager:[^"]*:secret:rds!/);
            expect(text, fn.name).to.not.match(/password\s*[:=]\s*["'][^"']+["']/i);
        }
    });

    it("applies migrations at deploy: an Invocation keyed on the migration files' hash and the instance", async () => {
        const run = await program();
        const invocation = one(run, "aws:lambda/invocation:Invocation", "registry");
        expect(invocation.inputs.triggers.migrations).to.equal(migrationsHash(loadMigrations()));
        expect(invocation.inputs.triggers.instance).to.equal(one(run, RDS).state.resourceId);
        expect(JSON.parse(invocation.inputs.input)).to.deep.equal({ action: "migrate" });
        const launcher = one(run, FN, "migrate-launcher");
        expect(invocation.inputs.functionName).to.equal(launcher.state.name);
    });

    it("scopes each registry Lambda's permissions to its own resources", async () => {
        const run = await program();
        const migrator = one(run, FN, "registry-migrator");
        const launcher = one(run, FN, "migrate-launcher");
        const access = one(run, FN, "registry-access");
        const secretArn = one(run, RDS).state.masterUserSecrets[0].secretArn;
        const byAction = (fn: PlannedResource) => Object.fromEntries(statementsOf(run, fn).filter((s) => s.Sid !== "WriteOwnLogs" && s.Sid !== "AttachToVpc")
            .map((s) => [[s.Action].flat().join(","), s.Resource]));
        expect(byAction(migrator)).to.deep.equal({});
        expect(byAction(launcher)).to.include({ "secretsmanager:GetSecretValue": secretArn, "lambda:InvokeFunction": migrator.state.arn });
        expect(byAction(access)["rds-db:connect"]).to.match(/^arn:aws:rds-db:ap-southeast-2:123456789012:dbuser:db-mdetect-registry\/mdetect_app$/);
        // The migrator and the access function live in the VPC; the launcher must not (it calls AWS APIs).
        expect(migrator.inputs.vpcConfig.subnetIds).to.have.length(2);
        expect(access.inputs.vpcConfig.securityGroupIds).to.have.length(1);
        expect(launcher.inputs.vpcConfig).to.equal(undefined);
    });

    it("serializes the migrator with the SQL inside it: it runs from a bare directory and reports its input errors", async () => {
        const run = await program();
        const migrator = await loadSerializedHandler(one(run, FN, "registry-migrator"));
        const err = await migrator({}).catch((e: Error) => e);
        expect(String(err)).to.include("migrator expects { username, password }");
        const text: string = await (await one(run, FN, "registry-migrator").inputs.code.assets)["__index.js"].text;
        expect(text).to.include("trg_deployments_no_overlap_insert");
    });

    it("serializes the launcher without the database driver it does not need", async () => {
        const run = await program();
        const launcher = one(run, FN, "migrate-launcher");
        const assets = Object.keys(await launcher.inputs.code.assets);
        expect(assets.some((k) => k.startsWith("node_modules/mysql2/"))).to.equal(false);
        expect(await loadSerializedHandler(launcher)).to.be.a("function");
    });

    it("serializes the access Lambda self-contained; it validates before connecting", async () => {
        const run = await program();
        const access = await loadSerializedHandler(one(run, FN, "registry-access"));
        const res = await access({ op: "dropTables", args: {} });
        expect(res).to.deep.equal({ ok: false, error: { code: "invalid_argument", message: "unknown op; allowed: ownersAt, ownerSpans, recordInference, recordDataFile, recordFinding, deviceKeys, siteDeployments" } });
    });
});
