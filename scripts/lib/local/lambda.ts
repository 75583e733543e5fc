/**
 * Local Lambda service: one FunctionRunner per function of the plan, synchronous invocation
 * (Firehose, API Gateway, the Invoke API) and asynchronous invocation (EventBridge targets,
 * schedules) with the documented retry behaviour: on a function error Lambda retries an
 * asynchronous event twice, one minute and then two minutes later, and then sends it to the
 * function's dead-letter queue with RequestID, ErrorCode and ErrorMessage attributes.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
import { SimClock } from "./clock";
import { FunctionPlan, LocalPlan } from "./plan";
import { LocalQueues } from "./sqs";
import { FunctionRunner, InvocationResult, RunnerOptions } from "./runner";

/** Lambda's default MaximumRetryAttempts for asynchronous invocation, and the waits between attempts. */
export const ASYNC_RETRY_DELAYS_SECONDS = [60, 120];

interface AsyncEvent { readonly fn: FunctionPlan; readonly event: unknown; attempts: number; dueAt: number; readonly requestId: string }

export interface AsyncOutcome { readonly fn: FunctionPlan; readonly event: unknown; readonly attempts: number; readonly result: InvocationResult }

export class LocalLambda {
    readonly runners = new Map<string, FunctionRunner>();
    private readonly queue: AsyncEvent[] = [];
    private requests = 0;
    /** Every asynchronous attempt's outcome (tests and the progress line read it). */
    readonly asyncOutcomes: AsyncOutcome[] = [];

    constructor(plan: LocalPlan, private readonly clock: SimClock, private readonly queues: LocalQueues,
        runnerOptions: (fn: FunctionPlan) => RunnerOptions | undefined) {
        for (const fn of plan.functions) {
            const options = runnerOptions(fn);
            if (options) this.runners.set(fn.arn, new FunctionRunner(fn, options));
        }
    }

    runner(arnOrName: string): FunctionRunner {
        const unqualified = arnOrName.replace(/:\$LATEST$|:\d+$/, "");
        const runner = [...this.runners.values()].find((r) => r.fn.arn === unqualified || r.fn.name === unqualified);
        if (!runner) throw Object.assign(new Error(`Function not found: ${arnOrName}`), { name: "ResourceNotFoundException" });
        return runner;
    }

    invoke<R = unknown>(arnOrName: string, event: unknown): Promise<InvocationResult<R>> {
        return this.runner(arnOrName).invoke<R>(event);
    }

    /** InvocationType Event: accepted now, run on the next tick. */
    invokeAsync(arnOrName: string, event: unknown): string {
        const fn = this.runner(arnOrName).fn;
        const requestId = `async-${++this.requests}`;
        this.queue.push({ fn, event, attempts: 0, dueAt: this.clock.now(), requestId });
        return requestId;
    }

    /** Asynchronous events accepted and not yet finished (succeeded or dead-lettered). */
    pendingAsync(): number {
        return this.queue.length;
    }

    async tick(): Promise<void> {
        const due = this.queue.filter((e) => e.dueAt <= this.clock.now());
        for (const e of due) this.queue.splice(this.queue.indexOf(e), 1);
        await Promise.all(due.map(async (e) => {
            e.attempts += 1;
            const result = await this.runner(e.fn.arn).invoke(e.event);
            this.asyncOutcomes.push({ fn: e.fn, event: e.event, attempts: e.attempts, result });
            if (result.ok) return;
            const wait = ASYNC_RETRY_DELAYS_SECONDS[e.attempts - 1];
            if (wait !== undefined) {
                this.queue.push({ ...e, dueAt: this.clock.now() + wait * 1000 });
            } else if (e.fn.deadLetterArn) {
                this.queues.send(e.fn.deadLetterArn, JSON.stringify(e.event), {
                    RequestID: e.requestId, ErrorCode: "200", ErrorMessage: `${result.errorType}: ${result.errorMessage}`.slice(0, 1000),
                }, this.clock.now());
            }
        }));
    }

    async stop(): Promise<void> {
        await Promise.all([...this.runners.values()].map((r) => r.stop()));
    }
}
