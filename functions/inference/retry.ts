/**
 * Retries with capped exponential backoff and full jitter (delay = random in [0, min(cap, base * 2^n)]),
 * so concurrent callers throttled together do not come back together.
 */
export interface RetryPolicy {
    /** Total attempts including the first. */
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
}

/**
 * Five attempts with delays drawn up to 0.2, 0.4, 0.8 and 1.6 s: a serverless endpoint scaling
 * out from cold answers within a few seconds, and five attempts bound a hopeless chunk to ~3 s
 * of waiting on average before the event fails to the dead-letter queue.
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };

export interface RetryHooks {
    readonly sleep?: (ms: number) => Promise<void>;
    readonly random?: () => number;
    readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
    return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

export async function withRetry<T>(
    action: () => Promise<T>,
    isRetryable: (error: unknown) => boolean,
    policy: RetryPolicy = DEFAULT_RETRY,
    hooks: RetryHooks = {},
): Promise<T> {
    const sleep = hooks.sleep ?? realSleep;
    const random = hooks.random ?? Math.random;
    for (let attempt = 1; ; attempt++) {
        try {
            return await action();
        } catch (error) {
            if (attempt >= policy.maxAttempts || !isRetryable(error)) throw error;
            const delay = backoffDelay(policy, attempt, random);
            hooks.onRetry?.(attempt, delay, error);
            await sleep(delay);
        }
    }
}
