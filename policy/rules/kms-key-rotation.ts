import type { ResourceRule } from "../lib/types";

/** AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate. */
const ROTATABLE_SPECS = new Set([undefined, "SYMMETRIC_DEFAULT"]);

export const rule: ResourceRule = {
    kind: "resource",
    name: "kms-key-rotation",
    description: "Customer-managed symmetric KMS keys rotate their key material.",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set enableKeyRotation: true on the key.",
    types: ["aws:kms/key:Key"],
    check: (r) => {
        const spec = (r.props.customerMasterKeySpec ?? r.props.keySpec) as string | undefined;
        if (!ROTATABLE_SPECS.has(spec) || r.props.enableKeyRotation === true) return [];
        return [{ message: `key ${r.name} does not rotate (enableKeyRotation ${String(r.props.enableKeyRotation ?? false)})` }];
    },
};
