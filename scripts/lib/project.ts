/**
 * Loads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does, and refuses what it
 * refuses, in its words, so an offline run fails where `pulumi stack init / preview / up` would:
 *
 * 1. `ValidateProject` (pulumi/pulumi sdk/go/common/workspace/project.go): a non-empty string
 *    `name`, then Pulumi's project JSON schema (vendored: schema/external/pulumi-project.schema.json).
 * 2. `tokens.ValidateProjectName`: alphanumerics, hyphens, underscores and periods, at most 100.
 * 3. `RewriteShorthandConfigValues` then `Project.Validate`: a key belongs to the project when it
 *    has no namespace or starts with `<name>:`; only such keys may declare a `type` or `default`,
 *    an array type needs `items`, a default must be of its declared type; any other key needs `value`.
 * 4. At `pulumi up` (`mergeConfig` / `validateStackConfigValue`, workspace/config.go): project
 *    keys without a default must be set, typed values must be of their type, secret keys encrypted.
 *
 * One rule is ours, not the CLI's: a stack file setting a key in the project's namespace that
 * Pulumi.yaml does not declare (a misspelling the program would silently never read) is an error
 * naming the closest declared key.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { distance } from "fastest-levenshtein";
import * as YAML from "yaml";

export const PROJECT_SCHEMA_FILE = path.resolve(__dirname, "..", "..", "schema", "external", "pulumi-project.schema.json");

/** A Pulumi.yaml or stack file the CLI would refuse; the message is one line naming the key. */
export class ProjectError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProjectError";
    }
}

export interface ItemsType {
    readonly type: string;
    readonly items?: ItemsType;
}

export interface ConfigDeclaration {
    readonly type?: string;
    readonly items?: ItemsType;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
    readonly description?: string;
}

export interface Project {
    readonly name: string;
    readonly dir: string;
    /** Config declarations after the CLI's shorthand rewrite, keys as written in Pulumi.yaml. */
    readonly config: Readonly<Record<string, ConfigDeclaration>>;
}

/** `maxValidationAttributeDistance`: how far a misspelt attribute may be from the one suggested. */
const MAX_ATTRIBUTE_DISTANCE = 2;

let schemaValidator: ReturnType<Ajv2020["compile"]> | undefined;

function projectSchema(): ReturnType<Ajv2020["compile"]> {
    schemaValidator ??= new Ajv2020({ allErrors: true, strict: false, verbose: true })
        .compile(JSON.parse(fs.readFileSync(PROJECT_SCHEMA_FILE, "utf8")));
    return schemaValidator;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function present(value: unknown): boolean {
    return value !== undefined && value !== null;
}

/** `configKeyIsNamespacedByProject`. */
export function isProjectKey(projectName: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** `parseConfigKey`: project keys without a namespace live in the project's. */
export function qualify(projectName: string, key: string): string {
    return key.includes(":") ? key : `${projectName}:${key}`;
}

/** `InferFullTypeName`: `array<string>` for an array of strings. */
export function fullTypeName(type: string, items?: ItemsType): string {
    return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** `ValidateConfigValue`, for YAML values (Pulumi.yaml defaults) and stack values alike. */
export function valueHasType(type: string, items: ItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string": return typeof value === "string";
        // strconv.Atoi: optional sign, decimal digits.
        case "integer": return Number.isInteger(value) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean": return typeof value === "boolean" || value === "true" || value === "false";
        case "object": return isPlainObject(value);
        default: return Array.isArray(value) && items !== undefined && value.every((v) => valueHasType(items.type, items.items, v));
    }
}

function readYaml(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ProjectError((err as Error).message.split("\n")[0]);
    }
}

/** `ValidateProject`: the name checks, then the JSON schema ("#/path: message"). */
function validateAgainstSchema(raw: unknown): Record<string, unknown> {
    if (!isPlainObject(raw)) throw new ProjectError(`expected project to be an object, was '${Array.isArray(raw) ? "array" : typeof raw}'`);
    if (!("name" in raw)) throw new ProjectError("project is missing a 'name' attribute");
    if (typeof raw.name !== "string" || raw.name === "") throw new ProjectError("project is missing a non-empty string 'name' attribute");
    const validate = projectSchema();
    if (!validate(raw)) {
        const errors = validate.errors ?? [];
        // As the CLI words it: "'typ' not allowed; did you mean 'type'?" (within 2 edits).
        const notAllowed = errors.filter((e) => e.keyword === "additionalProperties").map((e) => {
            const attribute = (e.params as { additionalProperty: string }).additionalProperty;
            const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
            const closest = closestKey(attribute, known);
            const hint = closest && distance(attribute.toLowerCase(), closest.toLowerCase()) <= MAX_ATTRIBUTE_DISTANCE ? `; did you mean '${closest}'?` : "";
            return `#${e.instancePath}: additionalProperties '${attribute}' not allowed${hint}`;
        });
        const other = errors.filter((e) => e.keyword !== "oneOf" && e.keyword !== "if").map((e) => `#${e.instancePath}: ${e.message}`);
        throw new ProjectError([...new Set(notAllowed.length > 0 ? notAllowed : other)].join("; "));
    }
    return raw;
}

/** `tokens.ValidateProjectName`. */
function validateProjectName(name: string): void {
    if (name.length > 100) throw new ProjectError("project names are limited to 100 characters");
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ProjectError("project names may only contain alphanumerics, hyphens, underscores, and periods");
}

/** `RewriteShorthandConfigValues`: `key: 5` is a default for project keys, a value for others. */
function rewriteShorthand(name: string, config: Record<string, unknown>): Record<string, ConfigDeclaration> {
    return Object.fromEntries(Object.entries(config).map(([key, spec]) => {
        if (isPlainObject(spec)) return [key, spec as ConfigDeclaration];
        return [key, isProjectKey(name, key) ? { default: spec } : { value: spec }];
    }));
}

/** `Project.Validate`, one key at a time in file order (the CLI's map order is random). */
export function validateDeclarations(name: string, config: Readonly<Record<string, ConfigDeclaration>>): void {
    for (const [key, spec] of Object.entries(config)) {
        if (present(spec.default) && present(spec.value)) {
            throw new ProjectError(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
        }
        if (isProjectKey(name, key)) {
            if (spec.type === "array" && spec.items === undefined) {
                throw new ProjectError(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
            }
            if (spec.type !== undefined && present(spec.default) && !valueHasType(spec.type, spec.items, spec.default)) {
                throw new ProjectError(`The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(spec.type, spec.items)}'`);
            }
        } else {
            if (spec.type !== undefined) throw new ProjectError(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
            if (present(spec.default)) {
                throw new ProjectError(`Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`);
            }
            if (!present(spec.value)) throw new ProjectError(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
        }
    }
}

/** Parses and validates `dir/Pulumi.yaml` as the CLI's LoadProject does. Throws ProjectError. */
export function loadProject(dir: string): Project {
    return loadProjectFile(path.join(dir, "Pulumi.yaml"));
}

/** Same, for a project file under another name (test fixtures); stack files sit beside it. */
export function loadProjectFile(file: string): Project {
    if (!fs.existsSync(file)) throw new ProjectError(`no Pulumi.yaml project file found at ${file}`);
    try {
        const raw = validateAgainstSchema(readYaml(file));
        const name = raw.name as string;
        validateProjectName(name);
        const config = rewriteShorthand(name, isPlainObject(raw.config) ? raw.config : {});
        validateDeclarations(name, config);
        return { name, dir: path.dirname(file), config };
    } catch (err) {
        if (err instanceof ProjectError) throw new ProjectError(`${path.basename(file)}: ${err.message}`);
        throw err;
    }
}

function isSecure(value: unknown): boolean {
    return isPlainObject(value) && Object.keys(value).length === 1 && "secure" in value;
}

/**
 * A stack value as `validateStackConfigValue` sees it: scalars are stored as their text
 * (`detectorCount: 50` is "50"), lists and maps as JSON objects.
 */
function asStoredValue(value: unknown): unknown {
    return Array.isArray(value) || isPlainObject(value) ? value : String(value);
}

function closestKey(key: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of [...candidates].sort()) {
        const d = distance(key.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) { best = candidate; bestDistance = d; }
    }
    return best;
}

/** `formatMissingKeys`: 'a', 'b' and 'c'. */
function formatKeys(keys: string[]): string {
    const quoted = [...keys].sort().map((k) => `'${k}'`);
    return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/**
 * The stack's config as `pulumi up` gives it to the program: Pulumi.<stack>.yaml's values
 * (then `overrides`, as `pulumi config set` would add) over the project's defaults and values,
 * each validated against its declaration. Keys are fully qualified. Throws ProjectError.
 */
export function loadStackConfig(project: Project, stack: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const file = path.join(project.dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new ProjectError(`no stack file Pulumi.${stack}.yaml (run \`pulumi stack init ${stack}\`)`);
    let raw: unknown;
    try { raw = readYaml(file) ?? {}; } catch (err) { throw new ProjectError(`${path.basename(file)}: ${(err as Error).message}`); }
    const stackConfig = isPlainObject(raw) && isPlainObject(raw.config) ? raw.config : {};
    const values: Record<string, unknown> = { ...stackConfig, ...overrides };

    const declared = new Map(Object.entries(project.config).map(([key, spec]) => [qualify(project.name, key), { key, spec }]));
    for (const key of Object.keys(values)) {
        if (!key.includes(":")) {
            throw new ProjectError(`could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
        }
        if (key.startsWith(`${project.name}:`) && !declared.has(key)) {
            const closest = closestKey(key, [...declared.keys()]);
            throw new ProjectError(`Stack '${stack}' sets configuration key '${key}' that Pulumi.yaml does not declare${closest ? `; did you mean '${closest}'?` : ""}`);
        }
    }

    const config: Record<string, unknown> = {};
    const missing: string[] = [];
    const keys = [...declared.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [qualified, { key, spec }] of keys) {
        if (qualified in values) config[qualified] = values[qualified];
        else if (present(spec.value) || present(spec.default)) config[qualified] = present(spec.default) ? spec.default : spec.value;
        else if (qualified.startsWith(`${project.name}:`)) missing.push(key);
    }
    if (missing.length > 0) throw new ProjectError(`Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${formatKeys(missing)}`);
    for (const [qualified, { key, spec }] of keys) {
        if (!(qualified in values)) continue;
        const value = values[qualified];
        if (spec.secret && !isSecure(value)) throw new ProjectError(`Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`);
        if (spec.type !== undefined && !isSecure(value) && !valueHasType(spec.type, spec.items, asStoredValue(value))) {
            throw new ProjectError(`Stack '${stack}' with configuration key '${key}' must be of type '${fullTypeName(spec.type, spec.items)}'`);
        }
    }
    // Keys of other namespaces (aws:region) that the project does not declare.
    for (const [key, value] of Object.entries(values)) if (!(key in config)) config[key] = value;
    return config;
}
