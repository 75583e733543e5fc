/** The registry's data-access layer: every operation takes a mysql2 pool (see connect.ts). */
export * from "./types";
export * from "./errors";
export { createClient, updateClient, createProject, updateProject, createSite, updateSite, createDetector, updateDetector, getDetector } from "./catalog";
export type { ClientInput, ProjectInput, SiteInput, DetectorInput } from "./catalog";
export {
    createDeployment, updateDeployment, endDeployment, getDeployment, ownerAt, ownersAt, findDetector,
    listDetectors, listDeployments, activeDeploymentsWithoutDataSince, MAX_OWNER_BATCH,
} from "./deployments";
export type { DeploymentInput, OwnerQuery } from "./deployments";
export { recordDataFile, recordFinding, recordCalibration, listFindings, getFinding, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./records";
export { poolFromUrl, poolFromLambdaEnv, lambdaPool } from "./connect";
export type { Pool } from "./connect";
