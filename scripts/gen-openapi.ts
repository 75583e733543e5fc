/**
 * Writes the OpenAPI document (functions/api/openapi.ts) to docs/openapi.json, so clients can
 * generate an SDK from the repository without a token, and a review shows every contract change
 * as a diff. `npx tsx scripts/gen-openapi.ts` rewrites it; tests/functions/api/openapi.test.ts
 * fails when the file is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { openApiDocument } from "../functions/api/openapi";

export const OPENAPI_JSON = path.join(path.resolve(__dirname, ".."), "docs", "openapi.json");

/** The published text: the document the contract function serves, indented for diffs. */
export function openApiText(): string {
    return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

if (require.main === module) {
    const before = fs.existsSync(OPENAPI_JSON) ? fs.readFileSync(OPENAPI_JSON, "utf8") : undefined;
    const text = openApiText();
    fs.writeFileSync(OPENAPI_JSON, text);
    console.log(text === before ? "docs/openapi.json is current" : "docs/openapi.json updated");
}
