/**
 * A detector's serial is what its telemetry carries as `detector_id`, so the registry accepts only
 * serials the telemetry contract accepts (schema/telemetry.md): a detector registered as `md-42`
 * would have every reading it sends quarantined as bad-format.
 */
import { TELEMETRY_SCHEMA } from "../telemetry/contract";
import { InvalidArgumentError } from "./errors";
import { requireText } from "./db";

export const SERIAL_PATTERN = TELEMETRY_SCHEMA.properties.detector_id.pattern!;
const SERIAL = new RegExp(SERIAL_PATTERN);

export function requireSerial(value: unknown): string {
    const serial = requireText(value, "serial");
    if (!SERIAL.test(serial)) {
        throw new InvalidArgumentError(`serial '${serial.slice(0, 64)}' does not match the telemetry contract's detector_id pattern ${SERIAL_PATTERN} (e.g. MD-0042): its readings would all be quarantined`);
    }
    return serial;
}
