/**
 * SilenceCheck: every few minutes a VPC Lambda asks the registry which actively deployed
 * detectors have sent nothing for `silenceMinutes`, and publishes the count as one metric
 * (functions/governance/silence.ts); an alarm tells ops when it is above zero. One metric and
 * one small function whatever the fleet size.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PipelineFunction } from "../lambda";
import { RegistryAccess } from "../registry";
import { METRIC_NAMESPACE, SILENT_DETECTORS_METRIC, checkSilence, checkTime, silentDetectorsQuery } from "../../functions/governance/silence";
import { activeDeploymentsWithoutDataSince } from "../../functions/registry/deployments";
import { lambdaPool } from "../../functions/registry/connect";
import { unusedPackages } from "./packages";

/** A silent detector is reported at most this long after its silence window ends; 8,640 runs a month. */
export const CHECK_EVERY_MINUTES = 5;
/**
 * The alarm looks at three runs: one late or lost run does not look like silence, while no
 * datapoint at all for 15 minutes means the check itself is dead, which counts as breaching.
 */
const ALARM_PERIOD_SECONDS = 3 * CHECK_EVERY_MINUTES * 60;
/** One query over indexed columns: well under a second; the timeout covers a cold VPC connect. */
const TIMEOUT_SECONDS = 30;
const MEMORY_MB = 256;

export interface SilenceCheckArgs {
    readonly silenceMinutes: number;
    readonly stack: string;
    /** It only reads: the read-only database user's access. */
    readonly registry: RegistryAccess;
    readonly opsTopicArn: pulumi.Input<string>;
    readonly dataKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Reserve one concurrent execution (off where the account quota has no room). */
    readonly reserveConcurrency: boolean;
}

export class SilenceCheck extends pulumi.ComponentResource {
    public readonly function: PipelineFunction;
    public readonly alarm: aws.cloudwatch.MetricAlarm;
    /** The metric, for the dashboard. */
    public readonly metric: { namespace: string; name: string; dimensions: Record<string, string> };

    constructor(name: string, args: SilenceCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mdetect:governance:SilenceCheck", name, {}, opts);
        this.metric = { namespace: METRIC_NAMESPACE, name: SILENT_DETECTORS_METRIC, dimensions: { Stack: args.stack } };

        this.function = new PipelineFunction(name, {
            description: `Reports actively deployed detectors silent for ${args.silenceMinutes} minutes`,
            callback: async (event: { time?: unknown }) => checkSilence({
                findSilent: (cutoff) => activeDeploymentsWithoutDataSince(lambdaPool(), cutoff),
                now: checkTime(event),
                silenceMinutes: Number(process.env.SILENCE_MINUTES),
                stack: process.env.STACK_NAME!,
                // Straight to stdout: with JSON log format, console.* would wrap the EMF record.
                write: (line) => { process.stdout.write(`${line}\n`); },
            }),
            statements: args.registry.connectStatements,
            memorySizeMb: MEMORY_MB,
            timeoutSeconds: TIMEOUT_SECONDS,
            logRetentionDays: args.logRetentionDays,
            environment: { ...args.registry.environment, SILENCE_MINUTES: String(args.silenceMinutes), STACK_NAME: args.stack },
            vpc: args.registry.vpc,
            deadLetterKeyArn: args.dataKeyArn,
            // Only one check at a time: a slow run must not pile connections onto a micro instance.
            reservedConcurrency: args.reserveConcurrency ? 1 : undefined,
            excludePackages: unusedPackages(["mysql2", "@aws-sdk/rds-signer"]),
        }, { parent: this });

        const schedule = new aws.cloudwatch.EventRule(name, {
            description: "Runs the detector silence check",
            scheduleExpression: `rate(${CHECK_EVERY_MINUTES} minutes)`,
        }, { parent: this });
        new aws.cloudwatch.EventTarget(name, { rule: schedule.name, arn: this.function.function.arn }, { parent: this });
        new aws.lambda.Permission(name, {
            action: "lambda:InvokeFunction",
            function: this.function.function.name,
            principal: "events.amazonaws.com",
            sourceArn: schedule.arn,
        }, { parent: this });

        this.alarm = new aws.cloudwatch.MetricAlarm(`${name}-silent-detectors`, {
            alarmDescription: pulumi.interpolate`Actively deployed detectors have sent no data for ${args.silenceMinutes} minutes (or the check stopped running). \
List them with CloudWatch Logs Insights on log group ${this.function.logGroup.name}: ${silentDetectorsQuery()}`,
            namespace: METRIC_NAMESPACE,
            metricName: SILENT_DETECTORS_METRIC,
            dimensions: this.metric.dimensions,
            statistic: "Maximum",
            period: ALARM_PERIOD_SECONDS,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            treatMissingData: "breaching",
            alarmActions: [args.opsTopicArn],
            okActions: [args.opsTopicArn],
        }, { parent: this });

        this.registerOutputs({ alarmArn: this.alarm.arn });
    }
}
