import type { ResourceRule } from "../lib/types";

export const rule: ResourceRule = {
    kind: "resource",
    name: "cloudtrail-multi-region-validation",
    description: "CloudTrail trails cover every region and validate log files (tamper evidence).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set isMultiRegionTrail: true and enableLogFileValidation: true on the trail.",
    types: ["aws:cloudtrail/trail:Trail"],
    check: (r) => {
        const missing = ["isMultiRegionTrail", "enableLogFileValidation"].filter((k) => r.props[k] !== true);
        return missing.length === 0 ? [] : [{ message: `trail ${r.name} lacks ${missing.join(" and ")}` }];
    },
};
