import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { program, ofType } from "../helpers/program";
import { ROOT } from "../../scripts/lib/mock-run";
import type { ProgramRun } from "../../scripts/lib/mock-run";

/**
 * Lambda lets an account reserve at most its unreserved concurrency minus 100 (kept for functions
 * without a reservation: "Configuring reserved concurrency", AWS Lambda developer guide); new
 * accounts often have a quota of 10, so any reservation fails there.
 */
const UNRESERVED_MINIMUM = 100;

function reservations(run: ProgramRun): Record<string, number> {
    return Object.fromEntries(ofType(run, "aws:lambda/function:Function")
        .filter((f) => f.inputs.reservedConcurrentExecutions !== undefined)
        .map((f) => [f.name, f.inputs.reservedConcurrentExecutions as number]));
}

describe("infra: reserved Lambda concurrency", () => {
    it("dev reserves none, so a fresh account with a quota of 10 can deploy it", async () => {
        expect(reservations(await program())).to.deep.equal({});
    });

    it("with mdetect:reservedConcurrency the registry's functions are limited, and docs/deployment.md names the quota they need", async () => {
        const reserved = reservations(await program({ "mdetect:reservedConcurrency": true }));
        expect(reserved).to.deep.equal({
            "mdetect-registry-access": 10, "mdetect-registry-migrator": 1, "mdetect-registry-migrate-launcher": 1, "mdetect-silence": 1,
        });
        const needed = Object.values(reserved).reduce((a, b) => a + b, 0) + UNRESERVED_MINIMUM;
        const guide = fs.readFileSync(path.join(ROOT, "docs", "deployment.md"), "utf8");
        expect(guide).to.include("aws lambda get-account-settings");
        expect(guide).to.match(new RegExp(`UnreservedConcurrentExecutions[^\\n]*\\b${needed}\\b`));
    });

    it("prod keeps the reservations (the Pulumi.yaml default)", async () => {
        const prod = await program({}, "prod");
        expect(prod.config["mdetect:reservedConcurrency"]).to.equal(true);
        expect(Object.keys(reservations(prod))).to.have.length(4);
    });
});
