/**
 * The published rules the policy reports must meet: the OASIS SARIF 2.1.0 schema and the
 * JUnit junit-10.xsd (vendored in schema/external/), plus what GitHub code scanning requires
 * on top of the SARIF schema ("SARIF support for code scanning", GitHub docs).
 */
import * as fs from "fs";
import * as path from "path";
import AjvDraft04 from "ajv-draft-04";
import Ajv from "ajv";
import { validateXML } from "xmllint-wasm";
import type * as Sarif from "sarif";
import { ROOT } from "../../scripts/lib/mock-run";

const EXTERNAL = path.join(ROOT, "schema", "external");

// The SARIF schema is draft-04; its `uri`/`date-time` formats are not checked (no ajv-formats).
const sarifSchema = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false })
    .compile(JSON.parse(fs.readFileSync(path.join(EXTERNAL, "sarif-schema-2.1.0.json"), "utf8")));

/** GitHub's additions: rule fullDescription and help, result location with a line, fingerprint. */
const GITHUB_CODE_SCANNING = {
    type: "object",
    required: ["runs"],
    properties: {
        runs: {
            type: "array", minItems: 1,
            items: {
                type: "object", required: ["tool", "results"],
                properties: {
                    tool: { type: "object", required: ["driver"], properties: { driver: { type: "object", required: ["name", "rules"], properties: {
                        rules: { type: "array", items: { type: "object", required: ["id", "name", "shortDescription", "fullDescription", "help"], properties: {
                            shortDescription: { type: "object", required: ["text"], properties: { text: { type: "string", minLength: 1, maxLength: 1024 } } },
                            fullDescription: { type: "object", required: ["text"], properties: { text: { type: "string", minLength: 1 } } },
                            properties: { type: "object", properties: { "security-severity": { type: "string", pattern: "^\\d+(\\.\\d+)?$" } } },
                        } } },
                    } } } },
                    results: { type: "array", items: { type: "object", required: ["ruleId", "message", "locations", "partialFingerprints"], properties: {
                        message: { type: "object", required: ["text"] },
                        locations: { type: "array", minItems: 1, maxItems: 1, items: { type: "object", required: ["physicalLocation"], properties: {
                            physicalLocation: { type: "object", required: ["artifactLocation", "region"], properties: {
                                // A path relative to the repository root, as the upload resolves it.
                                artifactLocation: { type: "object", required: ["uri"], properties: { uri: { type: "string", pattern: "^(?![a-z]+:)(?!/)[^\\\\]+$" } } },
                                region: { type: "object", required: ["startLine"], properties: { startLine: { type: "integer", minimum: 1 } } },
                            } },
                        } } },
                        partialFingerprints: { type: "object", required: ["primaryLocationLineHash"], properties: { primaryLocationLineHash: { type: "string", minLength: 1 } } },
                    } } },
                },
            },
        },
    },
};
const githubSchema = new Ajv({ allErrors: true, strict: false }).compile(GITHUB_CODE_SCANNING);

/** Every reason the log fails the 2.1.0 schema or GitHub code scanning; empty when it passes both. */
export function sarifProblems(log: Sarif.Log): string[] {
    const problems: string[] = [];
    if (!sarifSchema(log)) problems.push(...(sarifSchema.errors ?? []).map((e) => `sarif-2.1.0 ${e.instancePath}: ${e.message}`));
    if (!githubSchema(log)) problems.push(...(githubSchema.errors ?? []).map((e) => `github ${e.instancePath}: ${e.message}`));
    for (const rule of log.runs.flatMap((r) => r.tool.driver.rules ?? [])) {
        if (rule.name === rule.id) problems.push(`github: rule ${rule.id} has a name equal to its id`);
    }
    return problems;
}

/** libxml2's verdict (xmllint --schema junit-10.xsd); empty when the document is valid. */
export async function junitProblems(xml: string): Promise<string[]> {
    const result = await validateXML({ xml: [{ fileName: "policy-junit.xml", contents: xml }], schema: [fs.readFileSync(path.join(EXTERNAL, "junit-10.xsd"), "utf8")] });
    return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
