/**
 * Local SQS dead-letter queues of the plan: what EventBridge (undeliverable events) and Lambda
 * (asynchronous invocations that failed every attempt) put there stays until received and
 * deleted, as `mdetect local` and the replay tests do. Retention follows the queue (14 days
 * here), far beyond any local run, so messages are never expired.
 */
import { randomUUID } from "crypto";
import { QueuePlan } from "./plan";

export interface QueueMessage {
    readonly messageId: string;
    readonly body: string;
    readonly attributes: Readonly<Record<string, string>>;
    readonly sentAt: number;
}

export class LocalQueues {
    private readonly messages = new Map<string, QueueMessage[]>();

    constructor(readonly queues: readonly QueuePlan[]) {
        for (const q of queues) this.messages.set(q.arn, []);
    }

    send(queueArn: string, body: string, attributes: Record<string, string>, now: number): QueueMessage {
        const list = this.messages.get(queueArn);
        if (!list) throw Object.assign(new Error(`The specified queue does not exist: ${queueArn}`), { name: "QueueDoesNotExist" });
        const message = { messageId: randomUUID(), body, attributes, sentAt: now };
        list.push(message);
        return message;
    }

    /** Messages waiting in the queue (ApproximateNumberOfMessagesVisible). */
    visible(queueArn: string): readonly QueueMessage[] {
        return this.messages.get(queueArn) ?? [];
    }

    /** Receive and delete everything (a replay drains the queue). */
    drain(queueArn: string): QueueMessage[] {
        const list = this.messages.get(queueArn) ?? [];
        return list.splice(0);
    }
}
