/** Which runtime dependencies a Lambda zip can leave out. */
import * as fs from "fs";
import * as path from "path";

const PACKAGE_JSON = path.resolve(__dirname, "..", "..", "package.json");

/** Every runtime dependency of the project except `needed` (and what they pull in themselves). */
export function unusedPackages(needed: readonly string[]): string[] {
    const dependencies = Object.keys(JSON.parse(fs.readFileSync(PACKAGE_JSON, "utf8")).dependencies ?? {});
    const unknown = needed.filter((p) => !dependencies.includes(p));
    if (unknown.length) throw new Error(`not runtime dependencies in package.json: ${unknown.join(", ")}`);
    return dependencies.filter((p) => !needed.includes(p));
}
