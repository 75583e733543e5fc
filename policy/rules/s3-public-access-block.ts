import type { StackRule } from "../lib/types";
import { checkBucketSetting } from "../lib/s3";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const rule: StackRule = {
    kind: "stack",
    name: "s3-public-access-block",
    description: "Every bucket has a public access block with all four settings on.",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
    check: (resources) => checkBucketSetting(resources, "publicAccessBlock", "no public access block", (settings) => {
        const off = FLAGS.filter((f) => !settings.some((s) => s.props[f] === true));
        return off.length === 0 ? undefined : `public access block leaves ${off.join(", ")} off`;
    }),
};
