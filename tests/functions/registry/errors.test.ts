import { expect } from "chai";
import fc from "fast-check";
import {
    ConstraintViolationError, InUseError, InvalidArgumentError, isRegistryError, isRetryable, NotFoundError,
    OverlappingDeploymentError, RegistryError, RegistryUnavailableError, toDomainError,
} from "../../../functions/registry/errors";

/** A mysql2 driver error as it arrives: errno, and the server's text in both message and sqlMessage. */
const driver = (errno: number, text: string): Error => Object.assign(new Error(text), { errno, sqlMessage: text });

/** What a caller of the API gets to see of a mapped error. */
const seen = (err: unknown) => {
    const d = toDomainError(err);
    return { code: d.code, message: d.message };
};

// Server texts below are copied from MariaDB 10/11 answers to the matching bad INSERTs.
describe("registry errors: driver error -> domain error", () => {
    it("maps each duplicate key to what already exists, with or without the MySQL 8 table prefix", () => {
        const table: [string, { code: string; message: string }][] = [
            ["uq_detectors_serial", { code: "duplicate_serial", message: "a detector with this serial already exists" }],
            ["uq_clients_name", { code: "duplicate", message: "a client with this name already exists" }],
            ["clients.uq_clients_name", { code: "duplicate", message: "a client with this name already exists" }],
            ["detectors.uq_detectors_serial", { code: "duplicate_serial", message: "a detector with this serial already exists" }],
            ["PRIMARY", { code: "duplicate", message: "a record with this id already exists" }],
            ["uq_something_new", { code: "duplicate", message: "this record already exists" }],
        ];
        for (const [key, expected] of table) {
            expect(seen(driver(1062, `Duplicate entry 'x' for key '${key}'`)), key).to.deep.equal(expected);
        }
        // A duplicate whose text names no key at all still answers, generically.
        expect(seen(driver(1062, "Duplicate entry"))).to.deep.equal({ code: "duplicate", message: "this record already exists" });
    });

    it("reads the server text from sqlMessage first, and from message when the driver gave no sqlMessage", () => {
        const both = Object.assign(new Error("Query failed: see log"), { errno: 1062, sqlMessage: "Duplicate entry 'x' for key 'uq_sites_name'" });
        expect(seen(both).message).to.equal("a site with this name already exists");
        const messageOnly = { errno: 1062, message: "Duplicate entry 'x' for key 'uq_sites_name'" };
        expect(seen(messageOnly).message).to.equal("a site with this name already exists");
    });

    it("names the missing parent of a foreign key, or 'reference' for an unlisted constraint", () => {
        const fk = (name: string) => driver(1452, "Cannot add or update a child row: a foreign key constraint fails "
            + `(\`db\`.\`deployments\`, CONSTRAINT \`${name}\` FOREIGN KEY (\`site_id\`) REFERENCES \`sites\` (\`id\`))`);
        expect(seen(fk("fk_deployments_site"))).to.deep.equal({ code: "unknown_reference", message: "unknown site" });
        expect(seen(fk("fk_findings_project"))).to.deep.equal({ code: "unknown_reference", message: "unknown project (for this client)" });
        expect(seen(fk("fk_other"))).to.deep.equal({ code: "unknown_reference", message: "unknown reference" });
        expect(seen(driver(1452, "a foreign key constraint fails"))).to.deep.equal({ code: "unknown_reference", message: "unknown reference" });
    });

    it("refuses removing a referenced row as in_use", () => {
        const err = driver(1451, "Cannot delete or update a parent row: a foreign key constraint fails");
        expect(seen(err)).to.deep.equal({ code: "in_use", message: "the record is still referenced and cannot be removed" });
    });

    it("turns only the overlap SIGNAL into overlapping_deployment; any other SIGNAL is unavailable", () => {
        expect(seen(driver(1644, "mdetect:overlapping_deployment"))).to.deep.equal({
            code: "overlapping_deployment", message: "the detector already has a deployment overlapping this period",
        });
        expect(seen(driver(1644, "mdetect:something_else")).code).to.equal("unavailable");
    });

    it("names the CHECK rule that failed, or 'unknown' when the text names none", () => {
        expect(seen(driver(4025, "CONSTRAINT `ck_sites_latitude` failed for `db`.`sites`"))).to.deep.equal({
            code: "constraint_violation", message: "value violates rule ck_sites_latitude",
        });
        expect(seen(driver(4025, "")).message).to.equal("value violates rule unknown");
    });

    it("answers invalid_argument naming the column for too long, null, out of range and wrong values", () => {
        const table: [number, string, string][] = [
            [1406, "Data too long for column 'serial' at row 1", "value too long for serial"],
            [1406, "Data too long", "value too long for a field"],
            [1048, "Column 'model' cannot be null", "model is required"],
            [1048, "cannot be null", "a required field is required"],
            [1264, "Out of range value for column 'depth_m' at row 1", "invalid value for depth_m"],
            [1264, "Out of range value", "invalid value for a field"],
            // These two name the column qualified by database and table: the column is the last part.
            [1292, "Incorrect datetime value: 'zz' for column `db`.`deployments`.`starts_at` at row 1", "invalid value for starts_at"],
            [1366, "Incorrect integer value: 'q' for column `db`.`sites`.`depth_m` at row 1", "invalid value for depth_m"],
        ];
        for (const [errno, text, message] of table) {
            expect(seen(driver(errno, text)), text).to.deep.equal({ code: "invalid_argument", message });
        }
    });

    it("hides anything unrecognised behind unavailable, keeping the driver error only as cause", () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.string(), (errno, text) => {
            fc.pre(![1062, 1451, 1452, 1644, 4025, 1406, 1048, 1292, 1366, 1264].includes(errno));
            const err = driver(errno, text);
            const d = toDomainError(err);
            expect({ code: d.code, message: d.message }).to.deep.equal({ code: "unavailable", message: "the registry is temporarily unavailable" });
            expect(d.cause).to.equal(err);
        }));
        expect("cause" in new RegistryUnavailableError(), "no cause given, none recorded").to.equal(false);
    });

    it("passes a registry error through unchanged", () => {
        const err = new NotFoundError("site");
        expect(toDomainError(err)).to.equal(err);
        expect(err.message).to.equal("site not found");
        expect(err.code).to.equal("not_found");
    });
});

describe("registry errors: classes and predicates", () => {
    it("isRegistryError is true only for objects carrying registryError === true", () => {
        expect(isRegistryError(new InUseError("x"))).to.equal(true);
        expect(isRegistryError({ registryError: true, code: "x", message: "m" })).to.equal(true);
        for (const other of [null, undefined, 0, "registryError", { registryError: "true" }, new Error("x"),
            Object.assign(() => undefined, { registryError: true })]) {
            expect(isRegistryError(other), String(other)).to.equal(false);
        }
    });

    it("isRetryable is true exactly for deadlock (1213) and lock wait timeout (1205)", () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), (errno) => {
            expect(isRetryable({ errno })).to.equal(errno === 1213 || errno === 1205);
        }));
        expect(isRetryable({ errno: 1213 })).to.equal(true);
        expect(isRetryable({ errno: 1205 })).to.equal(true);
        expect(isRetryable({})).to.equal(false);
    });

    it("sets the overlap clash only when one is named", () => {
        expect("clash" in new OverlappingDeploymentError(), "generic refusal has no clash").to.equal(false);
        const clash = { deploymentId: "d-1", serial: "MD-1", siteName: "Mine", startsAt: new Date("2025-01-01T00:00:00Z"), endsAt: null };
        const err = new OverlappingDeploymentError(clash);
        expect(err.clash).to.equal(clash);
        expect(err.message).to.equal("detector MD-1 is already deployed at site 'Mine' from 2025-01-01T00:00:00.000Z with no end (deployment d-1); choose a period that does not overlap it");
    });

    it("every class keeps its code and message as own fields", () => {
        const cases: [RegistryError, string, string][] = [
            [new InvalidArgumentError("bad"), "invalid_argument", "bad"],
            [new ConstraintViolationError("ck_x"), "constraint_violation", "value violates rule ck_x"],
            [new InUseError("the site"), "in_use", "the site is still referenced and cannot be removed"],
        ];
        for (const [err, code, message] of cases) expect({ code: err.code, message: err.message, is: isRegistryError(err) }).to.deep.equal({ code, message, is: true });
    });
});
