/**
 * PrivateNetwork: where the registry database and the Lambdas that talk to it live. Two
 * private isolated subnets in two AZs (RDS wants a subnet group spanning two AZs even for a
 * single-AZ instance), one route table with only the local route and the S3 gateway endpoint:
 * no internet gateway, no NAT gateway (about $45 a month per AZ), no interface endpoints.
 * Inside, only the database and S3 are reachable; Lambdas that call other AWS APIs run outside
 * the VPC and reach the registry through the registry access Lambda.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const DB_PORT = 3306;
const HTTPS_PORT = 443;
/** A /16 leaves room for more subnets later; the /20 subnets hold 4,091 Lambda ENIs each. */
const VPC_CIDR = "10.40.0.0/16";
const SUBNET_CIDRS = ["10.40.0.0/20", "10.40.16.0/20"];

export interface PrivateNetworkArgs {
    readonly region: string;
}

export class PrivateNetwork extends pulumi.ComponentResource {
    public readonly vpc: aws.ec2.Vpc;
    public readonly subnetIds: pulumi.Output<string>[];
    /** Attach to every Lambda that talks to the database. */
    public readonly lambdaSecurityGroup: aws.ec2.SecurityGroup;
    /** The database's: 3306 from the Lambda group only. */
    public readonly dbSecurityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:network:PrivateNetwork", name, {}, opts);
        const parent = { parent: this };

        this.vpc = new aws.ec2.Vpc(name, {
            cidrBlock: VPC_CIDR,
            // RDS endpoints are DNS names resolved inside the VPC.
            enableDnsSupport: true,
            enableDnsHostnames: true,
        }, parent);

        const zones = aws.getAvailabilityZonesOutput({ state: "available" }, parent).names;
        const routes = new aws.ec2.RouteTable(`${name}-private`, { vpcId: this.vpc.id }, parent);
        this.subnetIds = SUBNET_CIDRS.map((cidrBlock, i) => {
            const subnet = new aws.ec2.Subnet(`${name}-private-${i}`, {
                vpcId: this.vpc.id,
                cidrBlock,
                availabilityZone: zones[i],
                mapPublicIpOnLaunch: false,
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, parent);
            return subnet.id;
        });

        // Gateway endpoints cost nothing: S3 traffic stays private and needs no NAT.
        const s3 = new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: this.vpc.id,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: [routes.id],
        }, parent);

        this.lambdaSecurityGroup = new aws.ec2.SecurityGroup(`${name}-lambda`, {
            vpcId: this.vpc.id,
            description: "Lambdas that use the registry: out to the database and S3 only",
        }, parent);
        this.dbSecurityGroup = new aws.ec2.SecurityGroup(`${name}-db`, {
            vpcId: this.vpc.id,
            description: "Registry database: MariaDB from the registry Lambdas only",
        }, parent);

        new aws.vpc.SecurityGroupIngressRule(`${name}-db-from-lambda`, {
            securityGroupId: this.dbSecurityGroup.id,
            referencedSecurityGroupId: this.lambdaSecurityGroup.id,
            ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT,
            description: "MariaDB from the registry Lambdas",
        }, parent);
        new aws.vpc.SecurityGroupEgressRule(`${name}-lambda-to-db`, {
            securityGroupId: this.lambdaSecurityGroup.id,
            referencedSecurityGroupId: this.dbSecurityGroup.id,
            ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT,
            description: "MariaDB",
        }, parent);
        new aws.vpc.SecurityGroupEgressRule(`${name}-lambda-to-s3`, {
            securityGroupId: this.lambdaSecurityGroup.id,
            prefixListId: s3.prefixListId,
            ipProtocol: "tcp", fromPort: HTTPS_PORT, toPort: HTTPS_PORT,
            description: "S3 through the gateway endpoint",
        }, parent);

        this.registerOutputs({ vpcId: this.vpc.id, subnetIds: this.subnetIds });
    }
}
