/**
 * Who is calling: every function (and every detector, every person) of the local cloud gets
 * its own access key. A front reads the key id from the request's SigV4 credential scope,
 * finds the secret to verify the signature with and the role whose policies IAM evaluates.
 */
import { createHash, randomBytes } from "crypto";
import { PolicyDocument } from "./plan";

export interface Principal {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
    /** The role the session belongs to (from the plan). */
    readonly roleArn: string;
    /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`, what IAM sees as the caller. */
    readonly sessionArn: string;
    readonly identityPolicies: readonly { readonly name: string; readonly policy: PolicyDocument }[];
    /** Meter and log label (`mdetect-batch`, `detector MD-0001`). */
    readonly label: string;
}

export class Principals {
    private readonly byKey = new Map<string, Principal>();

    /** A session of `roleArn` for `label`; the key id is derived from the label so logs say who called. */
    issue(label: string, roleArn: string, identityPolicies: Principal["identityPolicies"]): Principal {
        // Temporary credentials start with ASIA; 16 more characters from the label's hash plus a counter.
        const digest = createHash("sha256").update(`${label}#${this.byKey.size}`).digest("hex").toUpperCase();
        const accessKeyId = `ASIA${digest.replace(/[^A-Z0-9]/g, "").slice(0, 16)}`;
        const [, , , , account, resource] = roleArn.split(":");
        const roleName = resource.replace(/^role\//, "").split("/").pop()!;
        const session = label.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
        const principal: Principal = {
            accessKeyId,
            secretAccessKey: randomBytes(30).toString("base64"),
            sessionToken: randomBytes(48).toString("base64"),
            roleArn,
            sessionArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
            identityPolicies,
            label,
        };
        this.byKey.set(accessKeyId, principal);
        return principal;
    }

    /** An AWS service acting on its own (EventBridge invoking a target): no key, no identity policies. */
    static service(service: string): Principal {
        return { accessKeyId: "", secretAccessKey: "", sessionToken: "", roleArn: "", sessionArn: service, identityPolicies: [], label: service };
    }

    find(accessKeyId: string): Principal | undefined {
        return this.byKey.get(accessKeyId);
    }
}
