/**
 * `mdetect detector provision --serial MD-0123 --model mD-3 --firmware 2.1.0 --policy NAME
 *    [--csr detector.csr.pem] [--out DIR] --url mysql://...`: registers the detector, creates its
 *   AWS IoT thing and certificate, attaches the device policy (stack output devicePolicyName) and
 *   records the certificate in the registry. Without --csr, AWS IoT makes the key pair and the
 *   private key is written to DIR/<serial>.private.pem (mode 0600) for flashing, never stored.
 * `mdetect detector revoke --serial MD-0123 --url ...`: deactivates its certificates (decommissioning).
 * The URL may also come from MDETECT_DB_URL; AWS credentials and region from the usual environment.
 */
import * as fs from "fs";
import * as path from "path";
import { IoTClient } from "@aws-sdk/client-iot";
import { parseArgs } from "../lib/args";
import { poolFromUrl } from "../../functions/registry/connect";
import { provisionDetector, revokeDetector } from "../lib/provision-detector";

export const description = "device identity: `detector provision --serial MD-...` (thing, certificate, policy, registry), `detector revoke --serial ...`";

const USAGE = "usage: mdetect detector provision --serial MD-NNNN --model M --firmware F --policy IOT_POLICY [--csr FILE] [--out DIR] --url URL\n"
    + "       mdetect detector revoke --serial MD-NNNN --url URL";

export async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { serial: "string", model: "string", firmware: "string", policy: "string", csr: "string", out: "string", url: "string" });
    const [action, ...extra] = args.positionals;
    const url = (args.url as string | undefined) ?? process.env.MDETECT_DB_URL;
    const serial = args.serial as string | undefined;
    const provisioning = action === "provision" && args.model && args.firmware && args.policy;
    if (!url || !serial || extra.length || !(provisioning || action === "revoke")) {
        console.error(USAGE);
        return 2;
    }
    const pool = poolFromUrl(url, 1);
    const iot = new IoTClient({});
    try {
        if (action === "revoke") {
            console.log(`${serial}: ${await revokeDetector(iot, pool, serial)} certificate(s) revoked`);
            return 0;
        }
        const csrPem = args.csr ? fs.readFileSync(args.csr as string, "utf8") : undefined;
        const done = await provisionDetector(iot, pool, {
            serial, model: args.model as string, firmware: args.firmware as string, policyName: args.policy as string, csrPem,
        });
        const out = (args.out as string | undefined) ?? ".";
        fs.writeFileSync(path.join(out, `${serial}.certificate.pem`), done.certificatePem);
        if (done.privateKeyPem) fs.writeFileSync(path.join(out, `${serial}.private.pem`), done.privateKeyPem, { mode: 0o600 });
        console.log(`${serial}: thing ${done.thingName}, certificate ${done.certificateId} active and registered`
            + (done.privateKeyPem ? `; private key in ${path.join(out, `${serial}.private.pem`)}: flash it, then delete it` : ""));
        return 0;
    } finally {
        iot.destroy();
        await pool.end();
    }
}
