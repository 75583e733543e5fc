/**
 * Staff-only routes that maintain the registry: list, create and update sites, detectors and
 * deployments. Bodies are checked against a per-route field list (unknown fields refused, types
 * checked, ISO dates parsed); the registry then enforces its own rules (overlaps, references,
 * ranges) and its domain errors become 400/404/409 problems in the router.
 */
import type { Pool } from "mysql2/promise";
import { createDetector, createSite, updateDetector, updateSite } from "../registry/catalog";
import { createDeployment, updateDeployment } from "../registry/deployments";
import { listAllDeployments, listAllDetectors, listAllSites } from "../registry/staff-catalog";
import { ApiEvent, PROBLEMS, badRequest, json, notFound } from "./http";
import { requireStaff } from "./identity";
import { Operation, Routes } from "./router";
import { CLIENT_DEPLOYMENT, DEPLOYMENT, DETECTOR as DETECTOR_SCHEMA, FIELD, JsonSchema, SITE as SITE_SCHEMA, bodySchema, list } from "./schemas";
import { ID_PATTERN, jsonBody, onlyFields, pathId } from "./validate";

export interface AdminDeps {
    readonly pool: Pool;
}

type FieldType = "text" | "number" | "id" | "date" | "optionalDate";
type Fields = Readonly<Record<string, FieldType>>;

function convert(name: string, type: FieldType, value: unknown): unknown {
    if (type === "optionalDate" && value === null) return null;
    if (type === "date" || type === "optionalDate") {
        const date = typeof value === "string" ? new Date(value) : undefined;
        if (!date || Number.isNaN(date.getTime())) throw badRequest(`${name} must be an ISO 8601 date-time string${type === "optionalDate" ? " or null" : ""}.`);
        return date;
    }
    if (type === "number" && (typeof value !== "number" || !Number.isFinite(value))) throw badRequest(`${name} must be a number.`);
    if (type === "text" && typeof value !== "string") throw badRequest(`${name} must be a string.`);
    if (type === "id" && (typeof value !== "string" || !ID_PATTERN.test(value))) throw badRequest(`${name} must be a lowercase UUID.`);
    return value;
}

/** The body with only `fields`, each of its declared type. Missing required fields are the registry's to report. */
function parseBody(event: ApiEvent, fields: Fields): Record<string, unknown> {
    const body = jsonBody(event);
    onlyFields(body, Object.keys(fields));
    return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, convert(name, fields[name], value)]));
}

const SITE: Fields = { name: "text", kind: "text", latitude: "number", longitude: "number", depthM: "number" };
const DETECTOR: Fields = { serial: "text", model: "text", firmware: "text", status: "text", commissionedAt: "optionalDate" };
const DEPLOYMENT_FIELDS: Fields = {
    detectorId: "id", siteId: "id", projectId: "id", startsAt: "date", endsAt: "optionalDate",
    zenithDeg: "number", azimuthDeg: "number", status: "text",
};
/** What an update may not change: a detector's serial is its identity, a deployment's detector defines it. */
const without = (fields: Fields, fixed: string): Fields => Object.fromEntries(Object.entries(fields).filter(([k]) => k !== fixed));

/** The request body schema of `fields`: the same table parseBody checks against. */
/** What a 409 from these routes means (the registry's duplicate and overlap rules). */
const REGISTRY_CONFLICT = { [PROBLEMS.conflict.status]: "Conflicts with the registry: a duplicate name or serial, or an overlapping deployment; code says which." };

const schemaOf = (fields: Fields, required: readonly string[] = []): JsonSchema =>
    bodySchema(Object.fromEntries(Object.entries(fields).map(([name, type]) => [name, FIELD[type]])), required);

function create(what: string, fields: Fields, required: readonly string[], result: JsonSchema, save: (pool: Pool, input: any) => Promise<unknown>): Operation<AdminDeps> {
    return {
        summary: `Create a ${what} (staff).`, access: "staff", body: schemaOf(fields, required), problems: REGISTRY_CONFLICT,
        responses: [{ status: 201, description: `The new ${what}.`, schema: result }],
        handle: async ({ event, caller, deps }) => {
            requireStaff(caller);
            return json(201, await save(deps.pool, parseBody(event, fields)));
        },
    };
}

function update(what: string, fields: Fields, result: JsonSchema, save: (pool: Pool, id: string, patch: any) => Promise<unknown>): Operation<AdminDeps> {
    return {
        summary: `Change fields of a ${what} (staff); fields left out keep their value.`, access: "staff", body: schemaOf(fields), problems: REGISTRY_CONFLICT,
        responses: [{ status: 200, description: `The ${what} after the change.`, schema: result }],
        handle: async ({ event, caller, deps }) => {
            requireStaff(caller);
            const id = pathId(event);
            if (id === undefined) throw notFound(what);
            return json(200, await save(deps.pool, id, parseBody(event, fields)));
        },
    };
}

/** The whole catalog, for staff (the client lists of the same things are scoped to the caller's client). */
function listAll(what: string, item: JsonSchema, load: (pool: Pool) => Promise<unknown[]>): Operation<AdminDeps> {
    return {
        summary: `Every ${what} in the registry (staff).`, access: "staff",
        responses: [{ status: 200, description: "Every item, in a stable order (no paging).", schema: list(item) }],
        handle: async ({ caller, deps }) => {
            requireStaff(caller);
            return json(200, { items: await load(deps.pool) });
        },
    };
}

export const ADMIN_ROUTES: Routes<AdminDeps> = {
    "GET /v1/registry/sites": listAll("site, by name", SITE_SCHEMA, listAllSites),
    "GET /v1/registry/detectors": listAll("detector, by serial", DETECTOR_SCHEMA, listAllDetectors),
    "GET /v1/registry/deployments": listAll("deployment with its site's name, newest start first", CLIENT_DEPLOYMENT, listAllDeployments),
    "POST /v1/sites": create("site", SITE, ["name", "kind", "latitude", "longitude"], SITE_SCHEMA, createSite),
    "PATCH /v1/sites/{id}": update("site", SITE, SITE_SCHEMA, updateSite),
    "POST /v1/detectors": create("detector", DETECTOR, ["serial", "model", "firmware"], DETECTOR_SCHEMA, createDetector),
    "PATCH /v1/detectors/{id}": update("detector", without(DETECTOR, "serial"), DETECTOR_SCHEMA, updateDetector),
    "POST /v1/deployments": create("deployment", DEPLOYMENT_FIELDS, ["detectorId", "siteId", "projectId", "startsAt"], DEPLOYMENT, createDeployment),
    "PATCH /v1/deployments/{id}": update("deployment", without(DEPLOYMENT_FIELDS, "detectorId"), DEPLOYMENT, updateDeployment),
};
