import { expect } from "chai";
import { program } from "../helpers/program";
import { TAGGABLE_TYPES, UNTAGGABLE_TYPES, isAwsResourceType } from "../../policy/lib/taggable";

describe("infra: cost-allocation tags", () => {
    it("classifies every AWS resource type the program declares as taggable or not", async () => {
        const run = await program();
        const unclassified = [...new Set(run.resources.map((r) => r.type))]
            .filter((t) => isAwsResourceType(t) && !TAGGABLE_TYPES.has(t) && !UNTAGGABLE_TYPES.has(t));
        expect(unclassified, "add these to policy/lib/taggable.ts").to.deep.equal([]);
    });

    it("puts every required tag, non-empty, on every taggable resource", async () => {
        const run = await program();
        const required = run.config["mdetect:requiredTags"] as string[];
        const taggable = run.resources.filter((r) => TAGGABLE_TYPES.has(r.type));
        expect(taggable.length).to.be.greaterThan(0);
        for (const r of taggable) {
            for (const key of required) {
                expect(r.inputs.tags?.[key], `${r.type} ${r.name} tag ${key}`).to.be.a("string").and.not.equal("");
            }
        }
    });

    it("takes tag values from config and the stack name", async () => {
        const run = await program({ "mdetect:costCenter": "cc-4711" });
        const key = run.resources.find((r) => r.type === "aws:kms/key:Key")!;
        expect(key.inputs.tags).to.include({ "cost-center": "cc-4711", environment: "dev", project: "mdetect" });
    });
});
