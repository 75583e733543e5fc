import type { ResourceRule } from "../lib/types";
import { isRecord, list, prop, present } from "../lib/values";

/**
 * KmsKeyId encrypts "the storage volume attached to the ML compute instance" (CreateEndpointConfig).
 * Two exemptions: Nitro instances with local NVMe storage (families with a "d", e.g. ml.m5d,
 * ml.g4dn) encrypt it in hardware and CreateEndpointConfig refuses a key for them; serverless
 * variants have no instance volume to encrypt (infra/inference.ts sets no key for them either).
 */
const LOCAL_STORAGE_INSTANCE = /^ml\.[a-z]+\d+[a-z]*d[a-z]*\./;

export const rule: ResourceRule = {
    kind: "resource",
    name: "sagemaker-endpoint-kms",
    description: "SageMaker endpoint configurations with instance variants name a KMS key for the instance volume (not needed for local-NVMe or serverless variants).",
    severity: "medium",
    enforcementLevel: "mandatory",
    fix: "Set kmsKeyArn on the endpoint configuration to the DataKey ARN.",
    types: ["aws:sagemaker/endpointConfiguration:EndpointConfiguration"],
    check: (r) => {
        if (present(r.props.kmsKeyArn)) return [];
        const variants = list(r.props.productionVariants);
        const localStorage = variants.some((v) => LOCAL_STORAGE_INSTANCE.test(String(prop(v, "instanceType"))));
        const serverlessOnly = variants.length > 0 && variants.every((v) => isRecord(prop(v, "serverlessConfig")));
        return localStorage || serverlessOnly ? [] : [{ message: `endpoint configuration ${r.name} has no kmsKeyArn` }];
    },
};
