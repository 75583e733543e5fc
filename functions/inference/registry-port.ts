/**
 * What inference needs from the registry: two calls per curated object whatever the fleet size.
 * The Lambda runs outside the VPC (it calls SageMaker, S3 and SNS, and the VPC has no NAT), so
 * in AWS the port is the registry access Lambda; tests use the data-access layer against MariaDB.
 */
import type { InferenceRecordInput, OwnerSpan } from "../registry/types";

export interface RegistryPort {
    /** Deployments of these detectors overlapping [from, to] (at most MAX_SPAN_SERIALS serials per call). */
    ownerSpans(serials: string[], from: Date, to: Date): Promise<OwnerSpan[]>;
    /** Idempotent: a replay returns the same finding ids (aligned with input.findings) and changes nothing. */
    recordInference(input: InferenceRecordInput): Promise<{ findingIds: string[]; unknownDetectors: string[] }>;
}
