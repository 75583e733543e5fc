import { expect } from "chai";
import * as fs from "fs";
import * as YAML from "yaml";
import { MARKERS, PULUMI_YAML, README, renderConfigTable, withConfigTable } from "../../scripts/gen-config-doc";

describe("scripts: gen-config-doc", () => {
    it("keeps the README's configuration reference in step with Pulumi.yaml", () => {
        const readme = fs.readFileSync(README, "utf8");
        const expected = withConfigTable(readme, renderConfigTable(fs.readFileSync(PULUMI_YAML, "utf8")));
        expect(readme === expected, "README.md is stale: run `npx tsx scripts/gen-config-doc.ts`").to.equal(true);
    });

    it("lists every key of Pulumi.yaml with its type, default and description", () => {
        const text = fs.readFileSync(PULUMI_YAML, "utf8");
        const table = renderConfigTable(text);
        const keys = Object.keys(YAML.parse(text).config);
        expect(table.split("\n")).to.have.length(keys.length + 2);
        expect(table).to.include("| `mdetect:rawToGlacierDays` | integer | `30` |");
        expect(table).to.include("| `mdetect:requiredTags` | array of string | `[\"project\",\"environment\",\"cost-center\",\"owner\"]` |");
        for (const key of keys) expect(table).to.include(`| \`${key}\` |`);
    });

    it("escapes table syntax and marks keys without a default as required", () => {
        const table = renderConfigTable(`config:\n  a:b:\n    type: string\n    description: "x | y\\nz"\n`);
        expect(table.split("\n")[2]).to.equal("| `a:b` | string | (required) | x \\| y z |");
    });

    it("replaces only the marked block and refuses a README without markers", () => {
        const readme = `intro\n${MARKERS.start}\nold\n${MARKERS.end}\noutro\n`;
        expect(withConfigTable(readme, "NEW")).to.equal(`intro\n${MARKERS.start}\nNEW\n${MARKERS.end}\noutro\n`);
        expect(() => withConfigTable("no markers here", "NEW")).to.throw(/no config-reference markers/);
    });
});
