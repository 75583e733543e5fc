import type { ResourceRule } from "../lib/types";

/** Long-lived keys leak; people sign in with MFA, CI and devices use short-lived role credentials. */
export const rule: ResourceRule = {
    kind: "resource",
    name: "iam-no-access-keys",
    description: "The stack creates no IAM access keys (long-lived credentials).",
    severity: "critical",
    enforcementLevel: "mandatory",
    fix: "Remove the aws.iam.AccessKey; use a role (OIDC for CI, IoT credentials provider for devices, SSO/MFA for people).",
    types: ["aws:iam/accessKey:AccessKey"],
    check: (r) => [{ message: `access key ${r.name} creates long-lived credentials` }],
};
