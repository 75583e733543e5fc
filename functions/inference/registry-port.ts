/**
 * What inference needs from the registry. The Lambda runs outside the VPC (it calls SageMaker,
 * S3 and SNS, and the VPC has no NAT), so in AWS the port is the registry access Lambda; tests
 * use the data-access layer directly against MariaDB.
 */
import type { DataFileInput, FindingInput, Owner } from "../registry/types";
import type { OwnerQuery } from "../registry/deployments";

export interface RegistryPort {
    /** Owners aligned with the queries (at most MAX_OWNER_BATCH per call). */
    ownersAt(queries: OwnerQuery[]): Promise<(Owner | undefined)[]>;
    /** Idempotent on (s3Key, detector, periodStart): a retry returns the existing finding's id. */
    recordFinding(input: FindingInput): Promise<{ id: string }>;
    /** Idempotent on (s3Key, detector). */
    recordDataFile(input: DataFileInput): Promise<void>;
}
