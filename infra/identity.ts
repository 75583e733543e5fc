/**
 * ClientIdentity: the Cognito user pool for client users and mDetect staff.
 *
 * - Nobody signs themselves up: staff create users (AdminCreateUser) and set `custom:client_id`,
 *   which is immutable afterwards and not writable by the app client, so a user can never move
 *   themselves to another client. Staff are members of the `staff` group.
 * - MFA is required, TOTP only (no SMS: it costs per message and can be SIM-swapped).
 * - Lite feature plan: TOTP, groups and custom attributes are all in it, at the lowest per-MAU
 *   price. Threat protection ("advanced security") needs the Plus plan, billed per MAU with no
 *   free tier; for a few dozen known users behind MFA it is not worth it.
 * - One public app client (no secret: a CLI cannot keep one) for the AWS CLI and SDKs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLIENT_ID_CLAIM, STAFF_GROUP } from "../functions/api/identity";

/** NIST 800-63B favours length over rotation: 14 characters plus every character class. */
export const PASSWORD_MIN_LENGTH = 14;
/** Staff hand over temporary passwords out of band; three days to first sign-in. */
const TEMPORARY_PASSWORD_DAYS = 3;
/** ID and access tokens last an hour: a stolen token is short-lived, a CLI session a working hour. */
export const ID_TOKEN_MINUTES = 60;
export const ACCESS_TOKEN_MINUTES = 60;
/** Refresh tokens: a working week before signing in (with TOTP) again. */
export const REFRESH_TOKEN_DAYS = 7;
/** Minutes to answer the MFA challenge after the password (Cognito allows 3-15). */
const AUTH_SESSION_MINUTES = 3;
/** Registry ids are UUIDs: exactly 36 characters. */
const CLIENT_ID_LENGTH = "36";
const CLIENT_ATTRIBUTE = CLIENT_ID_CLAIM.replace(/^custom:/, "");

export interface ClientIdentityArgs {
    /** Deletion protection on (every stack but dev). */
    readonly protect: boolean;
}

export class ClientIdentity extends pulumi.ComponentResource {
    public readonly userPool: aws.cognito.UserPool;
    public readonly appClient: aws.cognito.UserPoolClient;
    public readonly staffGroup: aws.cognito.UserGroup;
    public readonly userPoolId: pulumi.Output<string>;
    public readonly appClientId: pulumi.Output<string>;
    /** The `iss` of the pool's tokens, what the API's JWT authorizer trusts. */
    public readonly issuer: pulumi.Output<string>;

    constructor(name: string, args: ClientIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:access:ClientIdentity", name, {}, opts);

        this.userPool = new aws.cognito.UserPool(name, {
            userPoolTier: "LITE",
            deletionProtection: args.protect ? "ACTIVE" : "INACTIVE",
            usernameAttributes: ["email"],
            autoVerifiedAttributes: ["email"],
            adminCreateUserConfig: { allowAdminCreateUserOnly: true },
            mfaConfiguration: "ON",
            softwareTokenMfaConfiguration: { enabled: true },
            passwordPolicy: {
                minimumLength: PASSWORD_MIN_LENGTH,
                requireLowercase: true,
                requireUppercase: true,
                requireNumbers: true,
                requireSymbols: true,
                temporaryPasswordValidityDays: TEMPORARY_PASSWORD_DAYS,
            },
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
            schemas: [{
                name: CLIENT_ATTRIBUTE,
                attributeDataType: "String",
                mutable: false,
                required: false, // Cognito does not allow required custom attributes; staff users have none.
                stringAttributeConstraints: { minLength: CLIENT_ID_LENGTH, maxLength: CLIENT_ID_LENGTH },
            }],
        }, { parent: this });

        this.staffGroup = new aws.cognito.UserGroup(`${name}-staff`, {
            userPoolId: this.userPool.id,
            name: STAFF_GROUP,
            description: "mDetect staff: maintain the registry and request upload URLs",
        }, { parent: this });

        this.appClient = new aws.cognito.UserPoolClient(`${name}-cli`, {
            userPoolId: this.userPool.id,
            generateSecret: false,
            // SRP for SDKs; USER_PASSWORD_AUTH because the AWS CLI cannot compute SRP (README session).
            // Either way the TOTP challenge follows.
            explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            preventUserExistenceErrors: "ENABLED",
            enableTokenRevocation: true,
            authSessionValidity: AUTH_SESSION_MINUTES,
            idTokenValidity: ID_TOKEN_MINUTES,
            accessTokenValidity: ACCESS_TOKEN_MINUTES,
            refreshTokenValidity: REFRESH_TOKEN_DAYS,
            tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
            readAttributes: ["email", "email_verified", "name", CLIENT_ID_CLAIM],
            // Not the client id: only staff set it, through the admin API, at creation.
            writeAttributes: ["name"],
        }, { parent: this });

        this.userPoolId = this.userPool.id;
        this.appClientId = this.appClient.id;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        this.issuer = pulumi.interpolate`https://cognito-idp.${region}.amazonaws.com/${this.userPool.id}`;
        this.registerOutputs({ userPoolId: this.userPoolId, appClientId: this.appClientId, issuer: this.issuer });
    }
}
