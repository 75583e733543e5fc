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
import { Command, action, examples } from "../lib/cli";
import { poolFromUrl } from "../../functions/registry/connect";
import { provisionDetector, revokeDetector } from "../lib/provision-detector";

const URL_HELP = "registry database, mysql://user[:password]@host[:port]/database (default: $MDETECT_DB_URL)";

interface DeviceOptions { serial: string; url?: string }
interface ProvisionOptions extends DeviceOptions { model: string; firmware: string; policy: string; csr?: string; out: string }

/** The registry pool and an IoT client for one command; both closed afterwards. */
async function withRegistryAndIot<T>(url: string | undefined, work: (iot: IoTClient, pool: ReturnType<typeof poolFromUrl>) => Promise<T>): Promise<T> {
    const dbUrl = url || process.env.MDETECT_DB_URL;
    if (!dbUrl) throw new Error("no database URL: pass --url mysql://user[:password]@host[:port]/database or set MDETECT_DB_URL");
    const pool = poolFromUrl(dbUrl, 1);
    const iot = new IoTClient({});
    try {
        return await work(iot, pool);
    } finally {
        iot.destroy();
        await pool.end();
    }
}

async function provision(opts: ProvisionOptions): Promise<number> {
    const csrPem = opts.csr ? fs.readFileSync(opts.csr, "utf8") : undefined;
    const done = await withRegistryAndIot(opts.url, (iot, pool) => provisionDetector(iot, pool, {
        serial: opts.serial, model: opts.model, firmware: opts.firmware, policyName: opts.policy, csrPem,
    }));
    const keyFile = path.join(opts.out, `${opts.serial}.private.pem`);
    fs.writeFileSync(path.join(opts.out, `${opts.serial}.certificate.pem`), done.certificatePem);
    if (done.privateKeyPem) fs.writeFileSync(keyFile, done.privateKeyPem, { mode: 0o600 });
    console.log(`${opts.serial}: thing ${done.thingName}, certificate ${done.certificateId} active and registered`
        + (done.privateKeyPem ? `; private key in ${keyFile}: flash it, then delete it` : ""));
    return 0;
}

async function revoke(opts: DeviceOptions): Promise<number> {
    const revoked = await withRegistryAndIot(opts.url, (iot, pool) => revokeDetector(iot, pool, opts.serial));
    console.log(`${opts.serial}: ${revoked} certificate(s) revoked`);
    return 0;
}

export function command(): Command {
    const detector = new Command("detector").description("device identity: provision a detector (thing, certificate, policy, registry row) or revoke it");
    const provisionCmd = new Command("provision").description("register a detector, create its AWS IoT thing and certificate, attach the device policy")
        .requiredOption("--serial <MD-NNNN>", "the detector's serial (its detector_id)")
        .requiredOption("--model <model>", "detector model")
        .requiredOption("--firmware <version>", "firmware version")
        .requiredOption("--policy <name>", "the AWS IoT device policy (stack output devicePolicyName)")
        .option("--csr <file>", "the detector's certificate signing request (PEM), so its private key never leaves it")
        .option("--out <dir>", "where to write the certificate (and, without --csr, the private key)", ".")
        .option("--url <url>", URL_HELP);
    examples(provisionCmd, ['mdetect detector provision --serial MD-0123 --model mD-3 --firmware 2.1.0 --policy "$(pulumi stack output devicePolicyName)" --csr MD-0123.csr.pem']);
    const revokeCmd = new Command("revoke").description("deactivate a detector's certificates (decommissioning)")
        .requiredOption("--serial <MD-NNNN>", "the detector's serial")
        .option("--url <url>", URL_HELP);
    examples(revokeCmd, ["mdetect detector revoke --serial MD-0123"]);
    detector.addCommand(action(provisionCmd, provision)).addCommand(action(revokeCmd, revoke));
    examples(detector, ["mdetect detector provision --serial MD-0123 --model mD-3 --firmware 2.1.0 --policy NAME --csr MD-0123.csr.pem", "mdetect detector revoke --serial MD-0123"]);
    return detector;
}
