/** The offline policy run shared by `mdetect policy` and the policy section of `npm start`. */
import { RULES } from "../../policy/rules";
import { evaluate, packConfigFromStack, blocking, type Finding } from "../../policy/lib/engine";
import type { PackConfig } from "../../policy/lib/types";
import type { RecordedResource } from "../../policy/lib/engine";

export interface PolicyResult {
    readonly findings: Finding[];
    readonly blocking: Finding[];
    readonly packConfig: PackConfig;
    readonly resourceCount: number;
}

export function checkStack(resources: readonly RecordedResource[], stack: string, stackConfig: Readonly<Record<string, unknown>>): PolicyResult {
    const packConfig = packConfigFromStack(RULES, stackConfig, stack);
    const findings = evaluate(RULES, resources, { stack, packConfig });
    return { findings, blocking: blocking(findings), packConfig, resourceCount: resources.filter((r) => r.type.startsWith("aws:")).length };
}
