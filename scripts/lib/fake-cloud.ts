/**
 * What the mock runtime answers in place of AWS: plausible computed attributes (ARNs, names,
 * endpoints) for each resource and the data-source calls the program makes. Only shapes, never
 * a claim that AWS would accept the inputs: that is what tests and the policy pack check.
 */
export const ACCOUNT_ID = "123456789012";

/** `aws:kinesis/stream:Stream` -> service `kinesis`, kind `stream`. */
function parseType(type: string): { service: string; kind: string } {
    const [, mod = "", kind = ""] = type.split(":");
    return { service: mod.split("/")[0], kind: kind.charAt(0).toLowerCase() + kind.slice(1) };
}

/** Lambda, RDS and SageMaker cap names; short physical names keep every service happy. */
function physicalName(name: string): string {
    return `${name.slice(0, 40)}-a1b2c3d`;
}

const ARN_SERVICE: Record<string, string> = { cloudwatch: "logs", apigatewayv2: "apigateway", cognito: "cognito-idp" };

export function fakeState(type: string, name: string, inputs: Record<string, any>, region: string): Record<string, any> {
    const { service, kind } = parseType(type);
    const physical = inputs.name ?? physicalName(name);
    const arnService = ARN_SERVICE[service] ?? service;
    const global = service === "iam" || service === "s3" || service === "budgets";
    const arn = `arn:aws:${arnService}:${global && service !== "budgets" ? "" : region}:${service === "s3" ? "" : ACCOUNT_ID}:${kind}/${physical}`;
    // An `arn` input (TopicPolicy, LogSubscription...) names another resource and stays as given.
    const state: Record<string, any> = { ...inputs, name: physical, arn: inputs.arn ?? arn, id: `${name}-id` };
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? physical.toLowerCase();
            Object.assign(state, { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com` });
            break;
        }
        case "aws:kms/key:Key":
            Object.assign(state, { keyId: `${name}-key-id`, arn: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${name}-key-id` });
            break;
        case "aws:cloudwatch/eventRule:EventRule":
            Object.assign(state, { arn: `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${physical}` });
            break;
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            // CloudWatch alarm ARNs use colons (the key policy's aws:SourceArn condition matches `alarm:*`).
            Object.assign(state, { arn: `arn:aws:cloudwatch:${region}:${ACCOUNT_ID}:alarm:${physical}` });
            break;
        case "aws:cloudwatch/logGroup:LogGroup":
            Object.assign(state, { arn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${physical}` });
            break;
        case "aws:lambda/function:Function":
            Object.assign(state, {
                arn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${physical}`,
                invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${physical}/invocations`,
            });
            break;
        case "aws:sqs/queue:Queue":
            Object.assign(state, { arn: `arn:aws:sqs:${region}:${ACCOUNT_ID}:${physical}`, url: `https://sqs.${region}.amazonaws.com/${ACCOUNT_ID}/${physical}` });
            break;
        case "aws:sns/topic:Topic":
            Object.assign(state, { arn: `arn:aws:sns:${region}:${ACCOUNT_ID}:${physical}` });
            break;
        case "aws:iam/role:Role":
            Object.assign(state, { arn: `arn:aws:iam::${ACCOUNT_ID}:role/${physical}` });
            break;
        case "aws:apigatewayv2/api:Api":
            Object.assign(state, { apiEndpoint: `https://${name}.execute-api.${region}.amazonaws.com`, executionArn: `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${name}` });
            break;
        case "aws:rds/instance:Instance":
            Object.assign(state, { address: `${physical}.rds.${region}.amazonaws.com`, endpoint: `${physical}.rds.${region}.amazonaws.com:3306`, port: inputs.port ?? 3306, resourceId: `db-${name}`, identifier: inputs.identifier ?? physical });
            if (inputs.manageMasterUserPassword) {
                state.masterUserSecrets = [{ secretArn: `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:rds!${name}-AbCdEf`, kmsKeyId: inputs.masterUserSecretKmsKeyId, secretStatus: "active" }];
            }
            break;
        case "aws:ec2/vpcEndpoint:VpcEndpoint":
            if (inputs.vpcEndpointType === "Gateway") state.prefixListId = "pl-6ca54005";
            break;
        case "aws:cognito/userPool:UserPool":
            Object.assign(state, { endpoint: `cognito-idp.${region}.amazonaws.com/${region}_${name}` });
            break;
        case "aws:iot/roleAlias:RoleAlias":
            Object.assign(state, { arn: `arn:aws:iot:${region}:${ACCOUNT_ID}:rolealias/${inputs.alias}` });
            break;
    }
    return state;
}

export function fakeCall(token: string, inputs: Record<string, any>, region: string): Record<string, any> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`, userId: "AIDAEXAMPLE", id: ACCOUNT_ID };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: ["apse2-az1", "apse2-az3", "apse2-az2"], id: region };
        case "aws:iot/getEndpoint:getEndpoint":
            return {
                endpointType: inputs.endpointType,
                endpointAddress: inputs.endpointType === "iot:CredentialProvider" ? `c1a2b3c4d5e6f7.credentials.iot.${region}.amazonaws.com` : `a1b2c3d4e5f6g7-ats.iot.${region}.amazonaws.com`,
                id: region,
            };
        default:
            return inputs;
    }
}
