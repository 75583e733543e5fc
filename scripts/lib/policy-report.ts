/**
 * Renders policy findings: text grouped by severity (rule, resource, message, how to fix),
 * SARIF 2.1.0 for GitHub code scanning, and JUnit XML for CI test views.
 */
import { createHash } from "crypto";
import { create } from "xmlbuilder2";
import type * as Sarif from "sarif";
import type { Finding } from "../../policy/lib/engine";
import type { Rule, Severity } from "../../policy/lib/types";
import type { SourceLocation } from "./mock-run";

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
/** Where stack-wide findings (no resource) point: the program that composes the stack. */
const PROGRAM = { file: "infra/index.ts", line: 1 };
/** GitHub ranks alerts by this 0-10 score (critical >= 9, high >= 7, medium >= 4). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "7.5", medium: "5.0", low: "2.0" };

function status(f: Finding): string {
    if (f.suppressed) return "suppressed";
    if (f.undetermined) return "cannot judge";
    return f.enforcementLevel === "mandatory" ? "MANDATORY" : "advisory";
}

function where(f: Finding): string {
    return f.resource ? `${f.resource.type} ${f.resource.name}` : "(stack)";
}

export function renderText(findings: readonly Finding[], rules: readonly Rule[], resourceCount: number): string {
    const lines: string[] = [];
    for (const severity of SEVERITIES) {
        const group = findings.filter((f) => f.severity === severity);
        if (group.length === 0) continue;
        lines.push(`${severity.toUpperCase()} (${group.length})`);
        for (const f of group) {
            lines.push(`  [${status(f)}] ${f.rule}  ${where(f)}`, `      ${f.message}`);
            lines.push(f.suppressed ? `      suppressed: ${f.suppressed}` : `      fix: ${f.fix}`);
        }
        lines.push("");
    }
    const blocking = findings.filter((f) => f.enforcementLevel === "mandatory" && !f.suppressed).length;
    const suppressed = findings.filter((f) => f.suppressed).length;
    lines.push(`${rules.length} rules over ${resourceCount} resources: ${blocking} mandatory violation(s), ` +
        `${findings.length - blocking - suppressed} advisory, ${suppressed} suppressed` + (blocking > 0 ? " -> FAIL" : " -> pass"));
    return lines.join("\n");
}

function level(f: Finding): Sarif.Result.level {
    if (f.undetermined) return "note";
    return f.enforcementLevel === "mandatory" ? "error" : "warning";
}

/** `rds-not-public` -> `RdsNotPublic`: GitHub shows `name` beside `id`, and wants them distinct. */
export function ruleDisplayName(id: string): string {
    return id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

/** Stable across runs and edits elsewhere: the rule and the resource's URN, nothing that moves. */
export function findingFingerprint(f: Finding): string {
    return createHash("sha256").update(`${f.rule}|${f.resource?.urn ?? "stack"}`).digest("hex").slice(0, 32);
}

/**
 * SARIF 2.1.0 as GitHub code scanning reads it ("SARIF support for code scanning"): each rule
 * with `fullDescription` and a `name` other than its `id`; each result at the file and line
 * that declare its resource (`locations`: URN -> declaring call site, from the mock run) and
 * with `partialFingerprints.primaryLocationLineHash`, so GitHub neither hashes the line itself
 * (and merges findings that share it) nor loses an alert when the code around it moves.
 */
export function toSarif(findings: readonly Finding[], rules: readonly Rule[], version: string,
    locations: ReadonlyMap<string, SourceLocation> = new Map()): Sarif.Log {
    const index = new Map(rules.map((r, i) => [r.name, i]));
    return {
        version: "2.1.0",
        $schema: SARIF_SCHEMA,
        runs: [{
            tool: {
                driver: {
                    name: "mdetect-policy",
                    version,
                    informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                    rules: rules.map((r) => ({
                        id: r.name,
                        name: ruleDisplayName(r.name),
                        shortDescription: { text: r.description },
                        fullDescription: { text: `${r.description} ${r.enforcementLevel === "mandatory" ? "Mandatory: blocks the deployment" : "Advisory"} (${r.severity}); CrossGuard policy ${r.name}, policy/rules/${r.name}.ts.` },
                        help: { text: r.fix, markdown: `**How to fix:** ${r.fix}` },
                        defaultConfiguration: { level: r.enforcementLevel === "mandatory" ? "error" : "warning" },
                        properties: { severity: r.severity, kind: r.kind, "security-severity": SECURITY_SEVERITY[r.severity], tags: ["pulumi", "crossguard", "security"] },
                    })),
                },
            },
            results: findings.map((f) => {
                const at = (f.resource && locations.get(f.resource.urn)) || PROGRAM;
                return {
                    ruleId: f.rule,
                    ruleIndex: index.get(f.rule),
                    level: level(f),
                    message: { text: `${where(f)}: ${f.message}. Fix: ${f.fix}` },
                    locations: [{
                        physicalLocation: { artifactLocation: { uri: at.file, uriBaseId: "%SRCROOT%" }, region: { startLine: at.line } },
                        logicalLocations: [{ name: f.resource?.name ?? "stack", fullyQualifiedName: f.resource?.urn ?? "stack", kind: "resource" }],
                    }],
                    partialFingerprints: { primaryLocationLineHash: findingFingerprint(f) },
                    ...(f.suppressed ? { suppressions: [{ kind: "external" as const, status: "accepted" as const, justification: f.suppressed }] } : {}),
                };
            }),
        }],
    };
}

/** One testcase per rule x resource with findings (failure, skipped when suppressed), one passing case per clean rule. */
export function toJUnit(findings: readonly Finding[], rules: readonly Rule[]): string {
    const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", { name: "mdetect-policy" });
    let tests = 0;
    let failures = 0;
    for (const rule of rules) {
        const byResource = new Map<string, Finding[]>();
        for (const f of findings.filter((x) => x.rule === rule.name)) {
            const key = f.resource?.urn ?? "stack";
            byResource.set(key, [...(byResource.get(key) ?? []), f]);
        }
        const cases = [...byResource.values()];
        const ruleFailures = cases.filter((fs) => fs.some((f) => f.enforcementLevel === "mandatory" && !f.suppressed)).length;
        // junit-10.xsd requires name, tests, failures, errors, time on every testsuite. A policy
        // run has no errors (a rule that cannot judge reports an advisory finding instead).
        const suite = root.ele("testsuite", {
            name: rule.name, tests: Math.max(cases.length, 1), failures: ruleFailures, errors: 0,
            skipped: cases.filter((fs) => fs.every((f) => f.suppressed)).length, time: 0,
        });
        if (cases.length === 0) suite.ele("testcase", { classname: rule.name, name: "all resources" });
        for (const fs of cases) {
            const tc = suite.ele("testcase", { classname: rule.name, name: fs[0].resource ? `${fs[0].resource.type} ${fs[0].resource.name}` : "stack" });
            const text = fs.map((f) => `${f.message}\nfix: ${f.fix}`).join("\n");
            if (fs.every((f) => f.suppressed)) tc.ele("skipped", { message: `suppressed: ${fs[0].suppressed}` });
            else if (fs.some((f) => f.enforcementLevel === "mandatory" && !f.suppressed)) tc.ele("failure", { message: fs[0].message, type: rule.severity }).txt(text);
            else tc.ele("system-out").txt(`advisory: ${text}`);
        }
        tests += Math.max(cases.length, 1);
        failures += ruleFailures;
    }
    root.att("tests", String(tests)).att("failures", String(failures)).att("errors", "0");
    return root.end({ prettyPrint: true });
}
