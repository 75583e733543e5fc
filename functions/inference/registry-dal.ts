/** RegistryPort straight over the data-access layer (tests against MariaDB; any VPC caller). */
import type { Pool } from "mysql2/promise";
import { ownerSpans } from "../registry/owner-spans";
import { recordInference } from "../registry/records";
import { RegistryPort } from "./registry-port";

export function dalRegistry(pool: Pool): RegistryPort {
    return {
        ownerSpans: (serials, from, to) => ownerSpans(pool, serials, from, to),
        recordInference: (input) => recordInference(pool, input),
    };
}
