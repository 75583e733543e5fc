/** Reads schema/migrations/*.sql from disk (CLI, tests, and the Pulumi program at deploy time). */
import * as fs from "fs";
import * as path from "path";
import { Migration, parseMigrations } from "./migrate";

export const MIGRATIONS_DIR = path.resolve(__dirname, "..", "..", "schema", "migrations");

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sql"));
    return parseMigrations(Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")])));
}
