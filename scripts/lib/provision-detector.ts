/**
 * Provisioning one detector for staff, in one step (docs/device-identity.md): the registry row,
 * the AWS IoT thing, its certificate (from the device's CSR, so the private key never leaves the
 * detector, or a key pair made by AWS IoT), the device policy and the thing attached to the
 * certificate exclusively, then the certificate recorded in the registry. A failure after the
 * certificate exists deactivates it, so no half-provisioned certificate can get credentials.
 * Revoking is the reverse: certificate INACTIVE in AWS IoT (no new credentials) and revoked in
 * the registry (the transform stops accepting its signatures within the keyring TTL).
 */
import {
    AttachPolicyCommand, AttachThingPrincipalCommand, CreateCertificateFromCsrCommand, CreateKeysAndCertificateCommand,
    CreateThingCommand, DescribeThingCommand, IoTClient, UpdateCertificateCommand,
} from "@aws-sdk/client-iot";
import type { Pool } from "mysql2/promise";
import { createDetector } from "../../functions/registry/catalog";
import { findDetector } from "../../functions/registry/deployments";
import { registerDeviceCertificate, revokeDeviceCertificates } from "../../functions/registry/device-identity";
import { query } from "../../functions/registry/db";

/** The schema's detector_id pattern (schema/telemetry.schema.json): the serial is also the thing name. */
const SERIAL = /^MD-[0-9]{4,6}$/;

export interface ProvisionInput {
    readonly serial: string;
    readonly model: string;
    readonly firmware: string;
    /** The stack's device policy (stack output devicePolicyName). */
    readonly policyName: string;
    /** PEM certificate signing request made on the detector; absent: AWS IoT makes the key pair. */
    readonly csrPem?: string;
}

export interface Provisioned {
    readonly detectorId: string;
    readonly thingName: string;
    readonly certificateId: string;
    readonly certificateArn: string;
    readonly certificatePem: string;
    /** Only when AWS IoT made the key pair: to be written to the detector, never stored. */
    readonly privateKeyPem?: string;
}

async function ensureThing(iot: IoTClient, thingName: string, serial: string): Promise<void> {
    try {
        await iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { serial } } }));
    } catch (err) {
        // CreateThing is idempotent only for identical requests; an existing thing of this name is reused.
        if ((err as Error).name !== "ResourceAlreadyExistsException") throw err;
        await iot.send(new DescribeThingCommand({ thingName }));
    }
}

export async function provisionDetector(iot: IoTClient, pool: Pool, input: ProvisionInput): Promise<Provisioned> {
    if (!SERIAL.test(input.serial)) throw new Error(`serial ${JSON.stringify(input.serial)} does not match MD- and 4 to 6 digits`);
    const existing = await findDetector(pool, { serial: input.serial });
    if (existing?.status === "retired") throw new Error(`detector ${input.serial} is retired; give a replacement a new serial`);
    const detector = existing ?? await createDetector(pool, { serial: input.serial, model: input.model, firmware: input.firmware });
    const thingName = input.serial;
    await ensureThing(iot, thingName, input.serial);
    let created: { certificateArn?: string; certificateId?: string; certificatePem?: string };
    let privateKeyPem: string | undefined;
    if (input.csrPem) {
        created = await iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: input.csrPem, setAsActive: true }));
    } else {
        const made = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
        created = made;
        privateKeyPem = made.keyPair?.PrivateKey;
    }
    const { certificateArn, certificateId, certificatePem } = created;
    if (!certificateArn || !certificateId || !certificatePem) throw new Error("AWS IoT returned no certificate");
    try {
        await iot.send(new AttachPolicyCommand({ policyName: input.policyName, target: certificateArn }));
        // Exclusive: this certificate authenticates this thing and no other.
        await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn, thingPrincipalType: "EXCLUSIVE_THING" }));
        await registerDeviceCertificate(pool, { detectorId: detector.id, thingName, certificateId, certificatePem });
    } catch (err) {
        await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: "INACTIVE" })).catch(() => undefined);
        throw err;
    }
    return { detectorId: detector.id, thingName, certificateId, certificateArn, certificatePem, privateKeyPem };
}

/** Decommissioning: every certificate of the detector stops working, in AWS IoT and in the transform. */
export async function revokeDetector(iot: IoTClient, pool: Pool, serial: string): Promise<number> {
    const detector = await findDetector(pool, { serial });
    if (!detector) throw new Error(`no detector ${serial} in the registry`);
    const rows = await query(pool, "SELECT certificate_id FROM device_certificates WHERE detector_id = ? AND status = 'active'", [detector.id]);
    for (const row of rows) await iot.send(new UpdateCertificateCommand({ certificateId: row.certificate_id, newStatus: "INACTIVE" }));
    return revokeDeviceCertificates(pool, detector.id);
}
