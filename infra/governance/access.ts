/**
 * PeopleAccess: how people reach the pipeline. Three IAM groups by business use, users only
 * through groups, MFA enforced for every group, an account password policy, and no long-lived
 * credentials created by the stack (an admin sets each console password, reset required).
 *
 * The password policy is an account singleton and group names are account-wide, so this
 * component belongs to one stack per AWS account (docs/governance.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IamUserSpec, PeopleGroup, PEOPLE_GROUPS } from "../config";
import { PREFIX } from "../../functions/layout";
import { GUARDRAIL_PATH, Statement as PolicyStatement, CONFIGURATION_READS, UNSCOPED_READS, policyDocument, stackResourcePatterns } from "./iam";

/** CIS AWS Foundations asks for at least 14 characters. */
const PASSWORD_MIN_LENGTH = 14;
/** The IAM maximum: a user cannot cycle back to any of their last 24 passwords. */
const PASSWORD_REUSE_PREVENTION = 24;

/**
 * Actions a signed-in user without MFA may still attempt (each needs an Allow below): what
 * registering and using an MFA device takes, plus changing their own password, because a new
 * user's first sign-in and an expired password (max age) both force a password change before
 * any MFA can exist. AWS documents adding these two to the list for exactly that case.
 */
export const ALLOWED_WITHOUT_MFA = [
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
    "iam:ChangePassword",
    "iam:GetAccountPasswordPolicy",
];

/** Every person's IAM user (and group) lives under this path: their ARN is `user/mdetect/<name>`. */
export const PEOPLE_PATH = "/mdetect/";

/** Self-service calls whose resource is the caller's own user. */
const OWN_USER_ACTIONS = ["iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice", "iam:GetUser", "iam:ChangePassword"];

/** What enrolling or replacing an MFA device takes: never with a long-term access key alone. */
const MFA_ENROLLMENT = ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ResyncMFADevice", "iam:DeactivateMFADevice"];

/**
 * The AWS-documented self-managed-MFA policy (IAM User Guide, "IAM: Allows IAM users to
 * self-manage an MFA device", reference_policies_examples_iam_mfa-selfmanage), adapted to
 * this account and to the users' path: `${aws:username}` is the bare name, so the user ARN
 * must spell the path, or no self-service statement ever matches. Users manage only their own
 * device and password, and everything else is denied unless the session used MFA. BoolIfExists
 * also denies long-term access-key requests, where the MFA key is absent altogether; and
 * because a leaked key must not be able to enroll the thief's device, enrollment is denied
 * outright when the key is absent (`Null`): a console sign-in (key present, "false") still can.
 */
export function mfaStatements(partition: string, account: string): PolicyStatement[] {
    const ownUser = `arn:${partition}:iam::${account}:user${PEOPLE_PATH}\${aws:username}`;
    return [
        {
            Sid: "ViewAccountMfaAndPasswordRules",
            Effect: "Allow",
            // Neither action supports resource-level permissions.
            Action: ["iam:ListVirtualMFADevices", "iam:GetAccountPasswordPolicy"],
            Resource: "*",
        },
        {
            Sid: "CreateOwnVirtualMfaDevice",
            Effect: "Allow",
            Action: "iam:CreateVirtualMFADevice",
            // Device names are free-form; EnableMFADevice below ties a device to the caller only.
            Resource: `arn:${partition}:iam::${account}:mfa/*`,
        },
        {
            Sid: "ManageOwnMfaAndPassword",
            Effect: "Allow",
            Action: OWN_USER_ACTIONS,
            Resource: ownUser,
        },
        {
            Sid: "DeactivateOwnMfaOnlyWithMfa",
            Effect: "Allow",
            Action: "iam:DeactivateMFADevice",
            Resource: ownUser,
            Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        },
        {
            Sid: "BlockMostAccessUnlessSignedInWithMfa",
            Effect: "Deny",
            NotAction: ALLOWED_WITHOUT_MFA,
            Resource: "*",
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        },
        {
            // AWS's example lets a user without MFA read others' MFA devices when another policy
            // allows it (admins' iam:List*); before MFA, self-service is on one's own user only.
            Sid: "SelfServiceOnlyOnOwnUserWithoutMfa",
            Effect: "Deny",
            Action: ALLOWED_WITHOUT_MFA.filter((a) => OWN_USER_ACTIONS.includes(a)),
            NotResource: ownUser,
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        },
        {
            Sid: "NoMfaEnrollmentWithLongTermKeys",
            Effect: "Deny",
            Action: MFA_ENROLLMENT,
            Resource: "*",
            Condition: { Null: { "aws:MultiFactorAuthPresent": "true" } },
        },
    ];
}

export interface PeopleAccessArgs {
    readonly users: readonly IamUserSpec[];
    readonly passwordMaxAgeDays: number;
    readonly dataLakeBucketArn: pulumi.Input<string>;
    readonly dataKeyArn: pulumi.Input<string>;
    /** Kinesis streams and Firehose delivery streams data engineers may inspect. */
    readonly streamArns?: pulumi.Input<string>[];
    readonly deliveryStreamArns?: pulumi.Input<string>[];
    /** The stack's log groups, readable by data engineers (Logs Insights included). */
    readonly logGroupArns?: pulumi.Input<string>[];
}

function objectArns(bucketArn: pulumi.Input<string>, prefixes: readonly string[]): pulumi.Output<string>[] {
    return prefixes.map((p) => pulumi.interpolate`${bucketArn}/${p}*`);
}

/** Listing the bucket, limited to the given prefixes. */
function listUnder(bucketArn: pulumi.Input<string>, prefixes: readonly string[]): PolicyStatement {
    return {
        Sid: "ListOwnPrefixes",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": prefixes.flatMap((p) => [p, `${p}*`]) } },
    };
}

/** The data key, only as S3 uses it on the caller's behalf. */
function keyViaS3(keyArn: pulumi.Input<string>, region: pulumi.Input<string>, actions: string[]): PolicyStatement {
    return {
        Sid: "DataKeyThroughS3",
        Effect: "Allow",
        Action: actions,
        Resource: keyArn,
        Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` } },
    };
}

/** Least-privilege statements per group, scoped to this stack's ARNs. */
export function groupStatements(args: PeopleAccessArgs, partition: pulumi.Input<string>, region: pulumi.Input<string>, account: pulumi.Input<string>): Record<PeopleGroup, PolicyStatement[]> {
    const readable = [PREFIX.curated, PREFIX.findings];
    const everyPrefix = Object.values(PREFIX);
    const logs = args.logGroupArns ?? [];
    // One pattern per group covers the group (with or without the ":*" form) and its streams,
    // keeping the group's inline policies under IAM's 5,120-character limit.
    const logPatterns = logs.map((arn) => pulumi.interpolate`${arn}*`);
    const analysts: PolicyStatement[] = [
        listUnder(args.dataLakeBucketArn, readable),
        { Sid: "ReadCuratedAndFindings", Effect: "Allow", Action: "s3:GetObject", Resource: objectArns(args.dataLakeBucketArn, readable) },
        keyViaS3(args.dataKeyArn, region, ["kms:Decrypt"]),
    ];
    const engineers: PolicyStatement[] = [
        listUnder(args.dataLakeBucketArn, everyPrefix),
        {
            Sid: "ReadWriteDataLake",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:RestoreObject"],
            Resource: objectArns(args.dataLakeBucketArn, everyPrefix),
        },
        keyViaS3(args.dataKeyArn, region, ["kms:Decrypt", "kms:GenerateDataKey"]),
    ];
    if (args.streamArns?.length) {
        engineers.push({ Sid: "InspectStreams", Effect: "Allow", Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"], Resource: args.streamArns });
    }
    if (args.deliveryStreamArns?.length) {
        engineers.push({ Sid: "InspectDeliveryStreams", Effect: "Allow", Action: "firehose:DescribeDeliveryStream", Resource: args.deliveryStreamArns });
    }
    if (logs.length) {
        engineers.push(
            { Sid: "ReadPipelineLogs", Effect: "Allow", Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"], Resource: logPatterns },
            // Neither supports resource-level permissions; both only list or fetch what StartQuery allowed.
            { Sid: "ListLogGroupsAndQueryResults", Effect: "Allow", Action: ["logs:DescribeLogGroups", "logs:GetQueryResults"], Resource: "*" },
        );
    }
    // Admins operate the platform: they read every configuration, logs and metrics, silence
    // alarms, and look after people (console passwords, a lost MFA device). They do not deploy:
    // changes reach AWS only through a reviewed pull request and the CI deploy role, so no admin
    // can pass a role, edit a policy, change function code or read the registry's master secret.
    const people = pulumi.interpolate`arn:${partition}:iam::${account}:user${PEOPLE_PATH}*`;
    const admins: PolicyStatement[] = [
        { Sid: "ReadStackConfiguration", Effect: "Allow", Action: CONFIGURATION_READS, Resource: stackResourcePatterns(partition, region, account) },
        { Sid: "ConsoleReads", Effect: "Allow", Action: UNSCOPED_READS, Resource: "*" },
        { Sid: "SilenceAlarms", Effect: "Allow", Action: ["cloudwatch:SetAlarmState", "cloudwatch:DisableAlarmActions", "cloudwatch:EnableAlarmActions"], Resource: pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        {
            Sid: "LookAfterPeople",
            Effect: "Allow",
            Action: ["iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:DeactivateMFADevice"],
            Resource: people,
        },
    ];
    if (logs.length) admins.push({ Sid: "ReadPipelineLogs", Effect: "Allow", Action: ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"], Resource: logPatterns });
    return { admins, "data-engineers": engineers, analysts };
}

export class PeopleAccess extends pulumi.ComponentResource {
    public readonly groups: Record<PeopleGroup, aws.iam.Group>;
    public readonly mfaPolicy: aws.iam.Policy;

    constructor(name: string, args: PeopleAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:PeopleAccess", name, {}, opts);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;

        new aws.iam.AccountPasswordPolicy(`${name}-passwords`, {
            minimumPasswordLength: PASSWORD_MIN_LENGTH,
            requireLowercaseCharacters: true,
            requireUppercaseCharacters: true,
            requireNumbers: true,
            requireSymbols: true,
            allowUsersToChangePassword: true,
            passwordReusePrevention: PASSWORD_REUSE_PREVENTION,
            maxPasswordAge: args.passwordMaxAgeDays,
        }, { parent: this });

        this.mfaPolicy = new aws.iam.Policy(`${name}-require-mfa`, {
            // Under the guardrail path: no deploy may edit or detach it.
            path: GUARDRAIL_PATH,
            description: "Deny everything without MFA except setting up one's own MFA device and password",
            policy: pulumi.all([partition, account]).apply(([p, a]) => JSON.stringify({ Version: "2012-10-17", Statement: mfaStatements(p, a) })),
        }, { parent: this });

        const statements = groupStatements(args, partition, region, account);
        const groups = {} as Record<PeopleGroup, aws.iam.Group>;
        for (const group of PEOPLE_GROUPS) {
            groups[group] = new aws.iam.Group(group, { name: group, path: PEOPLE_PATH }, { parent: this });
            new aws.iam.GroupPolicyAttachment(`${group}-require-mfa`, { group: groups[group].name, policyArn: this.mfaPolicy.arn }, { parent: this });
            new aws.iam.GroupPolicy(`${group}-access`, {
                group: groups[group].name,
                policy: policyDocument(statements[group]),
            }, { parent: this });
        }
        this.groups = groups;

        for (const user of args.users) {
            const iamUser = new aws.iam.User(`user-${user.name}`, { name: user.name, path: PEOPLE_PATH, forceDestroy: false }, { parent: this });
            new aws.iam.UserGroupMembership(`user-${user.name}-groups`, {
                user: iamUser.name,
                groups: user.groups.map((g) => groups[g].name),
            }, { parent: this });
        }

        this.registerOutputs({ groups: PEOPLE_GROUPS.map((g) => groups[g].arn) });
    }
}
