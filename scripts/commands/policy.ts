/**
 * `mdetect policy [--stack dev] [--plan FILE] [--sarif FILE] [--junit FILE] [--json] [--pack-config FILE]`:
 * the CrossGuard pack run offline over the program under mocks (or a plan JSON from
 * `npm start -- --json`). Prints findings by severity; exits 1 on any unsuppressed mandatory
 * violation. `--pack-config` writes the stack's policy config for `pulumi preview --policy-pack-config`.
 */
import * as fs from "fs";
import * as path from "path";
import { runProgram, stackConfig, projectName, ROOT } from "../lib/mock-run";
import { declarationSites, fromPlan, fromProgramRun } from "../lib/policy-input";
import { checkStack } from "../lib/policy-run";
import { renderText, toJUnit, toSarif } from "../lib/policy-report";
import { RULES } from "../../policy/rules";
import type { Plan } from "../lib/plan";
import { Command, action, examples } from "../lib/cli";

interface Options {
    stack: string;
    plan?: string;
    sarif?: string;
    junit?: string;
    json?: boolean;
    packConfig?: string;
}

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
    console.error(`wrote ${file}`);
}

async function run(args: Options): Promise<number> {
    let stack = args.stack;
    let config: Record<string, unknown>;
    let resources;
    let locations;
    if (args.plan) {
        const plan = JSON.parse(fs.readFileSync(args.plan, "utf8")) as Plan;
        resources = fromPlan(plan, projectName());
        stack = plan.stack;
        config = plan.config;
        locations = declarationSites(projectName(), stack, plan.resources);
    } else {
        const programRun = await runProgram({ stack });
        resources = fromProgramRun(programRun);
        config = stackConfig(stack);
        locations = declarationSites(programRun.project, stack, programRun.resources);
    }
    const result = checkStack(resources, stack, config);
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")).version as string;
    if (args.sarif) write(args.sarif, JSON.stringify(toSarif(result.findings, RULES, version, locations), null, 2));
    if (args.junit) write(args.junit, toJUnit(result.findings, RULES));
    if (args.packConfig) write(args.packConfig, JSON.stringify(result.packConfig, null, 2));
    if (args.json) console.log(JSON.stringify({ stack, findings: result.findings, blocking: result.blocking.length }, null, 2));
    else console.log(`Policy pack 'mdetect' on stack '${stack}'${args.plan ? ` (plan ${args.plan})` : " (offline, Pulumi mock runtime)"}\n\n${renderText(result.findings, RULES, result.resourceCount)}`);
    return result.blocking.length > 0 ? 1 : 0;
}

export function command(): Command {
    const cmd = new Command("policy")
        .description("run the CrossGuard policy pack offline (SARIF, JUnit; non-zero on mandatory violations)")
        .option("--stack <name>", "stack to check under the mock runtime", "dev")
        .option("--plan <file>", "check a plan JSON (`mdetect preview --json`) instead of running the program")
        .option("--sarif <file>", "write findings as SARIF 2.1.0")
        .option("--junit <file>", "write findings as JUnit XML")
        .option("--json", "print findings as JSON")
        .option("--pack-config <file>", "write the stack's policy config for `pulumi preview --policy-pack-config`");
    examples(cmd, ["mdetect policy", "mdetect policy --stack prod --sarif out/policy.sarif --junit out/policy.xml", "mdetect preview --json out/plan.json && mdetect policy --plan out/plan.json"]);
    return action(cmd, run);
}
