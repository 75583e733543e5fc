import type { ResourceRule, ResourceView } from "../lib/types";
import { TAGGABLE_TYPES } from "../lib/taggable";
import { isRecord, isUnknown, nonEmptyString } from "../lib/values";

interface Config { requiredTags: string[]; tagValues: Record<string, string> }

function missingTags(r: ResourceView, required: readonly string[]): string[] | "unknown" {
    const tags = r.props.tags;
    if (isUnknown(tags)) return "unknown";
    const own = isRecord(tags) ? tags : {};
    if (required.some((k) => isUnknown(own[k]))) return "unknown";
    return required.filter((k) => !nonEmptyString(own[k]));
}

export const rule: ResourceRule<Config> = {
    kind: "resource",
    name: "cost-tags",
    description: "Every taggable resource carries the required cost-allocation tags with non-empty values.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Declare the resource type in policy/lib/taggable.ts TAGGABLE_TYPES (infra/tagging.ts then tags it), or set the tags; set this rule to \"remediate\" to add missing tags from tagValues.",
    configSchema: {
        properties: {
            requiredTags: { type: "array", items: { type: "string" }, default: ["project", "environment", "cost-center", "owner"], description: "Tag keys every taggable resource must carry (mdetect:requiredTags)." },
            tagValues: { type: "object", additionalProperties: { type: "string" }, default: {}, description: "Values the remediation fills in for missing tags." },
        },
    },
    configFromStack: (c, stack) => ({
        requiredTags: c["mdetect:requiredTags"] as string[] | undefined,
        tagValues: { project: "mdetect", environment: stack, "cost-center": String(c["mdetect:costCenter"] ?? ""), owner: String(c["mdetect:owner"] ?? "") },
    }),
    types: [...TAGGABLE_TYPES],
    check: (r, { config }) => {
        const missing = missingTags(r, config.requiredTags);
        if (missing === "unknown") return [{ undetermined: true, message: `${r.name}: tags not known until deploy, cannot judge` }];
        return missing.length === 0 ? [] : [{ message: `${r.type.split(":")[2]} ${r.name} lacks cost tag(s) ${missing.join(", ")}` }];
    },
    remediate: (r, { config }) => {
        const missing = missingTags(r, config.requiredTags);
        if (missing === "unknown" || missing.length === 0 || !missing.every((k) => nonEmptyString(config.tagValues[k]))) return undefined;
        const tags = isRecord(r.props.tags) ? r.props.tags : {};
        return { ...r.props, tags: { ...tags, ...Object.fromEntries(missing.map((k) => [k, config.tagValues[k]])) } };
    },
};
