/**
 * What monitoring and access must cover, collected as the program declares it: every
 * PipelineFunction, every SQS queue and every log group. No hand-kept list that a new function
 * could miss. Call before any component that builds these; read the lists after the last one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PipelineFunction } from "../lambda";

const PIPELINE_FUNCTION_TYPE = "mdetect:compute:PipelineFunction";
const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";
const QUEUE_TYPE = "aws:sqs/queue:Queue";

/** A PipelineFunction and its logical name (what its alarms are named after). */
export interface TrackedFunction {
    readonly name: string;
    readonly fn: PipelineFunction;
}

export interface TrackedQueue {
    readonly name: string;
    readonly queue: aws.sqs.Queue;
}

export interface Inventory {
    readonly functions: readonly TrackedFunction[];
    readonly logGroups: readonly aws.cloudwatch.LogGroup[];
    /** The pipeline has no work queues: every queue holds failed events (Lambda and EventBridge dead letters). */
    readonly deadLetterQueues: readonly TrackedQueue[];
}

export function trackInventory(): Inventory {
    const functions: TrackedFunction[] = [];
    const logGroups: aws.cloudwatch.LogGroup[] = [];
    const deadLetterQueues: TrackedQueue[] = [];
    pulumi.runtime.registerStackTransformation((args) => {
        if (args.type === PIPELINE_FUNCTION_TYPE) functions.push({ name: args.name, fn: args.resource as PipelineFunction });
        if (args.type === LOG_GROUP_TYPE) logGroups.push(args.resource as aws.cloudwatch.LogGroup);
        if (args.type === QUEUE_TYPE) deadLetterQueues.push({ name: args.name, queue: args.resource as aws.sqs.Queue });
        return undefined;
    });
    return { functions, logGroups, deadLetterQueues };
}
