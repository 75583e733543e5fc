/**
 * `mdetect bootstrap [--region R] [--bucket NAME] [--apply]`: the state bucket and the KMS key
 * for stack secrets that a fresh account needs before `pulumi stack init` (scripts/lib/bootstrap.ts).
 * Without --apply it only looks and says what it would create. Uses the ambient AWS credentials
 * (an administrator with MFA: docs/deployment.md).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { KMSClient } from "@aws-sdk/client-kms";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { Command, action, examples } from "../lib/cli";
import { bootstrap, nextSteps } from "../lib/bootstrap";

const DEFAULT_REGION = "ap-southeast-2";

async function run(args: { region?: string; bucket?: string; apply?: boolean }): Promise<number> {
    const region = args.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
    const identity = await new STSClient({ region }).send(new GetCallerIdentityCommand({}));
    const apply = args.apply === true;
    const result = await bootstrap(
        { region, account: identity.Account!, bucket: args.bucket, apply },
        { s3: new S3Client({ region }), kms: new KMSClient({ region }) },
    );
    console.log(`Account ${identity.Account} (${identity.Arn}), ${region}${apply ? "" : " (dry run: add --apply to create)"}\n`);
    console.log(result.actions.map((a) => `  ${a}`).join("\n"));
    console.log(`\nNext:\n${nextSteps(result, region).map((s) => `  ${s}`).join("\n")}`);
    return 0;
}

export function command(): Command {
    const cmd = new Command("bootstrap").description("create the Pulumi state bucket and secrets key in a fresh account (dry run unless --apply)")
        .option("--region <region>", `AWS region (default: $AWS_REGION, else ${DEFAULT_REGION})`)
        .option("--bucket <name>", "state bucket name (default: derived from the account id and region)")
        .option("--apply", "create what is missing (without it, only say what would be created)");
    examples(cmd, ["mdetect bootstrap", "mdetect bootstrap --region ap-southeast-2 --apply"]);
    return action(cmd, run);
}
