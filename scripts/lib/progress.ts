/**
 * A one-line progress display for long conversions on a terminal: rewritten in place with "\r",
 * at most every UPDATE_MS, and cleared at the end so the summary line follows cleanly.
 */
import type { Progress } from "../../functions/telemetry/stream";

/** Redrawing more often than this costs time and is unreadable anyway. */
const UPDATE_MS = 250;
/** Before this much time the rate is noise, so no rate or ETA is shown. */
const MIN_RATE_MS = 500;
const CLEAR_LINE = "\r\x1b[K";

export function formatBytes(n: number): string {
    if (n < 1024) return `${n} B`;
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let v = n / 1024;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function formatDuration(seconds: number): string {
    const s = Math.round(seconds);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** The progress text: "<name>: 12 MiB of 48 MiB (25%), 120000 readings, 8.0 MiB/s, ETA 5s". */
export function progressText(name: string, p: Progress, totalBytes: number | undefined, elapsedMs: number): string {
    const parts = [totalBytes ? `${formatBytes(p.bytesIn)} of ${formatBytes(totalBytes)} (${Math.floor((100 * p.bytesIn) / totalBytes)}%)` : formatBytes(p.bytesIn), `${p.rowsIn} readings`];
    if (elapsedMs >= MIN_RATE_MS && p.bytesIn > 0) {
        const rate = p.bytesIn / (elapsedMs / 1000);
        parts.push(`${formatBytes(Math.round(rate))}/s`);
        if (totalBytes) parts.push(`ETA ${formatDuration(Math.max(0, totalBytes - p.bytesIn) / rate)}`);
    }
    return `${name}: ${parts.join(", ")}`;
}

export class ProgressLine {
    private readonly started = Date.now();
    private last = -Infinity;
    private shown = false;

    constructor(private readonly out: NodeJS.WriteStream, private readonly name: string, private readonly totalBytes?: number) {}

    update(p: Progress): void {
        const now = Date.now();
        if (now - this.last < UPDATE_MS) return;
        this.last = now;
        const text = progressText(this.name, p, this.totalBytes, now - this.started);
        const width = this.out.columns || 80;
        this.out.write(`${CLEAR_LINE}${text.length >= width ? `${text.slice(0, width - 2)}…` : text}`);
        this.shown = true;
    }

    clear(): void {
        if (this.shown) this.out.write(CLEAR_LINE);
    }
}
