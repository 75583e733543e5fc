/**
 * A meter: what a run of the pipeline used, counted where the billing happens. The local cloud
 * (`mdetect local`) writes one; the cost model prices one and predicts one for a workload, so the
 * two can be compared line by line (calibration). Pure data: no Pulumi, no AWS SDK.
 *
 * Keys of the per-API and per-function records are free-form but stable:
 * `calls["kinesis:PutRecord"]`, `objects["curated/"]`, `lambda["mdetect-realtime-transform"]`.
 */
export interface ObjectTally {
    /** Objects written (PUTs that created an object, including multipart completions). */
    readonly count: number;
    /** Bytes stored by those objects. */
    readonly bytes: number;
}

export interface FunctionTally {
    readonly invocations: number;
    /** Sum of billed durations in milliseconds (each invocation rounded up to 1 ms). */
    readonly billedMs: number;
    /** Configured memory in MB, from the plan. */
    readonly memoryMb: number;
}

export interface Meter {
    /** Simulated seconds the run covered. */
    readonly simulatedSeconds: number;
    /** Detectors that sent telemetry during the run. */
    readonly detectors: number;
    /** Requests per service and API, `service:Operation` (for example `s3:PutObject`). */
    readonly calls: Readonly<Record<string, number>>;
    /** Request and response payload bytes per service (`kinesis`, `firehose`, `s3`, `sagemaker`...). */
    readonly bytesIn: Readonly<Record<string, number>>;
    readonly bytesOut: Readonly<Record<string, number>>;
    /** Objects written per data-lake prefix (`raw/`, `curated/`, `quarantine/`, `findings/`, `incoming/`). */
    readonly objects: Readonly<Record<string, ObjectTally>>;
    /** Lambda invocations and billed time per function (logical name from the plan). */
    readonly lambda: Readonly<Record<string, FunctionTally>>;
    /** Firehose: records ingested and bytes as billed (each record rounded up to 5 KB). */
    readonly firehose: { readonly records: number; readonly bytes: number; readonly billedBytes: number };
    /** SageMaker endpoint: InvokeEndpoint requests, rows scored, request bytes. */
    readonly endpoint: { readonly requests: number; readonly rows: number; readonly bytes: number };
    /** Registry: SQL statements sent to the database. */
    readonly registry: { readonly queries: number };
}

/** GB-seconds a function tally bills (Lambda's duration dimension). */
export function gbSeconds(tally: FunctionTally): number {
    return (tally.billedMs / 1000) * (tally.memoryMb / 1024);
}

/** Relative difference |a - b| / max(|a|, |b|), 0 when both are 0: the calibration measure. */
export function relativeDifference(a: number, b: number): number {
    const scale = Math.max(Math.abs(a), Math.abs(b));
    return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

type Counts = Readonly<Record<string, number>>;

/** Field by field a - b (every field of a; b's missing fields count as 0). */
function minus<T extends object>(a: T, b: Partial<T>): T {
    const old = b as Record<string, number | undefined>;
    return Object.fromEntries((Object.entries(a) as [string, number][]).map(([k, v]) => [k, v - (old[k] ?? 0)])) as T;
}

/** Per-key a - b, keeping only keys that changed (free-form records: calls, objects, functions). */
function changed<T>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>, diff: (x: T, y: T | undefined) => T, moved: (d: T) => boolean): Record<string, T> {
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, diff(v, b[k])] as const).filter(([, d]) => moved(d)));
}

/**
 * What `after` counted since `before` (two snapshots of one meter, `before` taken first), so one
 * local cloud can meter several workloads in turn. `detectors` is `after`'s.
 */
export function meterSince(after: Meter, before: Meter): Meter {
    const numbers = (a: Counts, b: Counts) => changed(a, b, (x, y) => x - (y ?? 0), (d) => d !== 0);
    return {
        simulatedSeconds: after.simulatedSeconds - before.simulatedSeconds,
        detectors: after.detectors,
        calls: numbers(after.calls, before.calls),
        bytesIn: numbers(after.bytesIn, before.bytesIn),
        bytesOut: numbers(after.bytesOut, before.bytesOut),
        objects: changed(after.objects, before.objects, (x, y) => minus(x, y ?? {}), (d) => d.count !== 0),
        // A function's memory is its configuration, not a count.
        lambda: changed(after.lambda, before.lambda, (x, y) => ({ ...minus(x, y ?? {}), memoryMb: x.memoryMb }), (d) => d.invocations !== 0),
        firehose: minus(after.firehose, before.firehose),
        endpoint: minus(after.endpoint, before.endpoint),
        registry: minus(after.registry, before.registry),
    };
}
