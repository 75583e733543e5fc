import type { ResourceRule } from "../lib/types";

export const rule: ResourceRule = {
    kind: "resource",
    name: "cognito-mfa-required",
    description: "Cognito user pools require MFA for every user (mfaConfiguration ON).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set mfaConfiguration: \"ON\" with softwareTokenMfaConfiguration: { enabled: true } on the user pool.",
    types: ["aws:cognito/userPool:UserPool"],
    check: (r) => r.props.mfaConfiguration === "ON" ? []
        : [{ message: `user pool ${r.name} has mfaConfiguration ${String(r.props.mfaConfiguration ?? "OFF")}, MFA is not required` }],
};
