/** One governance configuration shared by these tests, so the program runs once for all of them. */
export const GOVERNANCE = {
    "mdetect:iamUsers": ["alice=admins+analysts", "bob=data-engineers", "carol.oneil=analysts"],
    "mdetect:githubRepository": "mdetect/pipeline",
    "mdetect:githubDeployEnvironment": "production",
    "mdetect:pulumiStateBucket": "mdetect-pulumi-state",
    "mdetect:pulumiSecretsKeyArn": "arn:aws:kms:ap-southeast-2:123456789012:key/pulumi-secrets",
    "mdetect:passwordMaxAgeDays": 60,
    "mdetect:silenceMinutes": 45,
    "mdetect:budgetMonthlyUsd": 220,
    "mdetect:opsEmails": ["ops@mdetect.com.au", "cfo@mdetect.com.au"],
    "mdetect:firehoseBufferSeconds": 300,
};
