/**
 * The prebuilt SageMaker scikit-learn inference image for a region. AWS publishes one ECR
 * registry account per region for `sagemaker-scikit-learn` (SageMaker "Docker Registry Paths"
 * pages; the same table is the SageMaker Python SDK's image_uri_config/sklearn.json, whose
 * "inference" -> "1.2-1" registries each account below was checked against). Only the
 * regions we might deploy to are listed; any other fails with a clear error rather than a guess.
 * The image serves code/inference.py from the artifact (model/inference.py, schema/model-contract.md).
 */
export const SKLEARN_REPOSITORY = "sagemaker-scikit-learn";
/** Framework version of the serving image; the model artifact must be pickled with the same scikit-learn. */
export const SKLEARN_VERSION = "1.2-1";

export const SKLEARN_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
    "ap-southeast-2": "783357654285",
    "ap-southeast-1": "121021644041",
    "ap-southeast-4": "106583098589",
    "ap-northeast-1": "354813040037",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-2": "246618743249",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-central-1": "492215442770",
};

export function sklearnImageUri(region: string, version = SKLEARN_VERSION): string {
    const account = SKLEARN_REGISTRY_ACCOUNTS[region];
    if (!account) {
        throw new Error(`no scikit-learn inference image registry known for region ${region}; add it to SKLEARN_REGISTRY_ACCOUNTS from the SageMaker Docker registry paths page`);
    }
    return `${account}.dkr.ecr.${region}.amazonaws.com/${SKLEARN_REPOSITORY}:${version}-cpu-py3`;
}
