/** Which runtime dependencies a Lambda zip can leave out. */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

function manifest(dir: string): { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
}

/**
 * `needed` and every package they require, transitively, as npm installed them (a package's
 * own node_modules first, then the project's). Excluding one of these from a zip breaks the
 * package that requires it at load time: `@aws-sdk/client-s3` requires `@smithy/node-http-handler`,
 * which is also a top-level dependency of ours, so excluding it as "unused" shipped a download
 * function whose first require failed ("Cannot find module '@smithy/node-http-handler'").
 */
export function dependencyClosure(needed: readonly string[], root = ROOT): Set<string> {
    const names = new Set<string>();
    const visited = new Set<string>();
    const visit = (name: string, from: string): void => {
        const dir = [path.join(from, "node_modules", name), path.join(root, "node_modules", name)].find((d) => fs.existsSync(path.join(d, "package.json")));
        if (!dir || visited.has(dir)) return;
        visited.add(dir);
        names.add(name);
        const m = manifest(dir);
        for (const dep of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) visit(dep, dir);
    };
    for (const name of needed) visit(name, root);
    return names;
}

/** Every runtime dependency of the project that neither `needed` nor anything they pull in requires. */
export function unusedPackages(needed: readonly string[], root = ROOT): string[] {
    const dependencies = Object.keys(manifest(root).dependencies ?? {});
    const unknown = needed.filter((p) => !dependencies.includes(p));
    if (unknown.length) throw new Error(`not runtime dependencies in package.json: ${unknown.join(", ")}`);
    const kept = dependencyClosure(needed, root);
    return dependencies.filter((p) => !kept.has(p));
}
