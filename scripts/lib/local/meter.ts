/**
 * Counts what a local run uses, where the billing would happen (the fronts, the runner, the
 * emulators), and writes it in the shared Meter format (policy/lib/cost/meter.ts).
 */
import { Meter } from "../../../policy/lib/cost/meter";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class MeterRecorder {
    private readonly calls: Record<string, number> = {};
    private readonly bytesIn: Record<string, number> = {};
    private readonly bytesOut: Record<string, number> = {};
    private readonly objects: Record<string, { count: number; bytes: number }> = {};
    private readonly lambda: Record<string, { invocations: number; billedMs: number; memoryMb: number }> = {};
    private readonly firehose = { records: 0, bytes: 0, billedBytes: 0 };
    private readonly endpoint = { requests: 0, rows: 0, bytes: 0 };
    private readonly registry = { queries: 0 };

    call(service: string, operation: string, bytesIn: number, bytesOut: number): void {
        const key = `${service}:${operation}`;
        this.calls[key] = (this.calls[key] ?? 0) + 1;
        this.bytesIn[service] = (this.bytesIn[service] ?? 0) + bytesIn;
        this.bytesOut[service] = (this.bytesOut[service] ?? 0) + bytesOut;
    }

    /** An object written: counted under its top-level data-lake prefix (`curated/`). */
    object(key: string, bytes: number): void {
        const prefix = key.includes("/") ? `${key.split("/")[0]}/` : "";
        const tally = (this.objects[prefix] ??= { count: 0, bytes: 0 });
        tally.count += 1;
        tally.bytes += bytes;
    }

    invocation(functionName: string, memoryMb: number, billedMs: number): void {
        const tally = (this.lambda[functionName] ??= { invocations: 0, billedMs: 0, memoryMb });
        tally.invocations += 1;
        tally.billedMs += billedMs;
    }

    firehoseRecords(records: number, bytes: number, billedBytes: number): void {
        this.firehose.records += records;
        this.firehose.bytes += bytes;
        this.firehose.billedBytes += billedBytes;
    }

    endpointRequest(rows: number, bytes: number): void {
        this.endpoint.requests += 1;
        this.endpoint.rows += rows;
        this.endpoint.bytes += bytes;
    }

    /** Statements sent to the registry (the RDS front counts them on the wire). */
    registryQueries(count: number): void {
        this.registry.queries += count;
    }

    snapshot(simulatedSeconds: number, detectors: number): Meter {
        const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));
        const meter: Mutable<Meter> = {
            simulatedSeconds, detectors,
            calls: copy(this.calls), bytesIn: copy(this.bytesIn), bytesOut: copy(this.bytesOut),
            objects: copy(this.objects), lambda: copy(this.lambda),
            firehose: copy(this.firehose), endpoint: copy(this.endpoint), registry: copy(this.registry),
        };
        return meter;
    }
}
