import type { ResourceRule } from "../lib/types";
import { prop, present } from "../lib/values";

export const rule: ResourceRule = {
    kind: "resource",
    name: "firehose-error-prefix",
    description: "Firehose S3 destinations write failed records under an error-output prefix, apart from the data.",
    severity: "low",
    enforcementLevel: "mandatory",
    fix: "Set extendedS3Configuration.errorOutputPrefix (e.g. \"errors/!{firehose:error-output-type}/\").",
    types: ["aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"],
    check: (r) => {
        const s3 = prop(r.props, "extendedS3Configuration");
        if (s3 === undefined) return [];
        return present(prop(s3, "errorOutputPrefix")) ? [] : [{ message: `delivery stream ${r.name} has no errorOutputPrefix` }];
    },
};
