import { expect } from "chai";
import { program } from "../helpers/program";
import { runProgram } from "../../scripts/lib/mock-run";

describe("infra: configuration", () => {
    it("runs the dev stack in ap-southeast-2", async () => {
        const run = await program();
        expect(run.config["aws:region"]).to.equal("ap-southeast-2");
        expect(run.outputs.region).to.equal("ap-southeast-2");
    });

    // Each bad value must stop the program with a message naming the key.
    const bad: [string, unknown, RegExp][] = [
        ["mdetect:detectorCount", 0, /detectorCount/],
        ["mdetect:rawToDeepArchiveDays", 60, /rawToDeepArchiveDays/],
        ["mdetect:curatedToInfrequentAccessDays", 10, /curatedToInfrequentAccessDays/],
        ["mdetect:logRetentionDays", 45, /logRetentionDays/],
        ["mdetect:presignExpirySeconds", 7200, /presignExpirySeconds/],
        ["mdetect:streamMode", "SHARDED", /streamMode/],
        ["mdetect:serverlessMemoryMb", 1500, /serverlessMemoryMb/],
        ["mdetect:alertThreshold", "1.5", /alertThreshold/],
        ["mdetect:opsEmails", ["ops-at-mdetect"], /mdetect:opsEmails: "ops-at-mdetect" is not an e-mail address/],
        ["mdetect:opsEmails", ["ops@mdetect.com.au", "OPS@mdetect.com.au"], /mdetect:opsEmails lists ops@mdetect.com.au twice/],
    ];
    for (const [key, value, message] of bad) {
        it(`refuses ${key}=${JSON.stringify(value)}`, async () => {
            let error: unknown;
            try { await runProgram({ config: { [key]: value } }); } catch (e) { error = e; }
            expect(String(error)).to.match(message);
        });
    }
});
