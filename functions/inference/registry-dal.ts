/** RegistryPort straight over the data-access layer (tests against MariaDB; any VPC caller). */
import type { Pool } from "mysql2/promise";
import { ownersAt } from "../registry/deployments";
import { recordDataFile, recordFinding } from "../registry/records";
import { RegistryPort } from "./registry-port";

export function dalRegistry(pool: Pool): RegistryPort {
    return {
        ownersAt: (queries) => ownersAt(pool, queries),
        recordFinding: async (input) => ({ id: (await recordFinding(pool, input)).id }),
        recordDataFile: async (input) => { await recordDataFile(pool, input); },
    };
}
