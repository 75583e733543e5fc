import type { ResourceRule } from "../lib/types";
import { prop, present } from "../lib/values";

/**
 * With a Kinesis stream as source, Firehose cannot encrypt the delivery stream itself (the
 * stream's own KMS covers that leg), so the S3 output must name the KMS key. Direct-PUT streams
 * must turn on server-side encryption of the delivery stream as well.
 */
export const rule: ResourceRule = {
    kind: "resource",
    name: "firehose-encrypted",
    description: "Firehose delivery streams encrypt what they write to S3 with KMS (and encrypt the stream itself when it is not fed by Kinesis).",
    severity: "high",
    enforcementLevel: "mandatory",
    fix: "Set extendedS3Configuration.kmsKeyArn to the DataKey ARN; for DirectPut sources also set serverSideEncryption: { enabled: true, keyType: \"CUSTOMER_MANAGED_CMK\", keyArn }.",
    types: ["aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"],
    check: (r) => {
        const problems: string[] = [];
        const s3 = prop(r.props, "extendedS3Configuration") ?? prop(r.props, "s3Configuration");
        if (s3 !== undefined && !present(prop(s3, "kmsKeyArn"))) problems.push("its S3 output has no kmsKeyArn");
        const fromKinesis = prop(r.props, "kinesisSourceConfiguration") !== undefined;
        if (!fromKinesis && prop(r.props, "serverSideEncryption.enabled") !== true) problems.push("it is not fed by Kinesis and has no serverSideEncryption");
        return problems.map((p) => ({ message: `delivery stream ${r.name}: ${p}` }));
    },
};
