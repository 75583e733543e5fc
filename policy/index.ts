/**
 * The mDetect CrossGuard pack: `pulumi preview --policy-pack policy` (after `npm ci` at the
 * repository root). The same rules run offline in `mdetect policy`.
 */
import { PolicyPack } from "@pulumi/policy";
import { RULES } from "./rules";
import { toPolicies } from "./lib/pack";

new PolicyPack("mdetect", {
    description: "mDetect pipeline: MFA, encryption at rest and in transit, lifecycle to Glacier, cost tags, budget, least privilege, exposure and reliability.",
    policies: toPolicies(RULES),
});
