/** Curated CSV for inference tests: rows, gzip objects, the sample model's expected scores. */
import { expect } from "chai";
import { gzipSync } from "zlib";
import { Readable } from "stream";
import { CuratedRow } from "../../../functions/inference/curated";
import { ID_COLUMNS, FEATURES } from "../../../functions/inference/contract";
import { loadSampleModel, sampleScore } from "../../../scripts/lib/sample-model";

export const HEADER = [...ID_COLUMNS, ...FEATURES].join(",");
const model = loadSampleModel();

/** Typical readings score ~0.18 with the sample model; a burst of coincidences scores ~0.95. */
export function features(alert: boolean, i = 0): string {
    const coincidences = alert ? 60 : 5;
    return [100 + (i % 7), coincidences, 1, 10, (i * 13) % 360, 1013.25, 20.5, 100].join(",");
}

export function row(detectorId: string, at: Date, seq: number, alert = false): CuratedRow {
    return { detectorId, timestamp: at.toISOString(), seq: String(seq), features: features(alert, seq) };
}

export function line(r: CuratedRow): string {
    return `${r.detectorId},${r.timestamp},${r.seq},${r.features}`;
}

export function expectedScore(r: CuratedRow): number {
    return sampleScore(model, r.features.split(",").map(Number));
}

/** A curated object as the batch converter writes it: one header, then rows. */
export function batchObject(rows: CuratedRow[]): Buffer {
    return gzipSync(`${HEADER}\n${rows.map(line).join("\n")}\n`);
}

/** A Firehose object: gzip members concatenated, each record's lines without a header. */
export function realtimeObject(records: CuratedRow[][]): Buffer {
    return Buffer.concat(records.map((rs) => gzipSync(rs.map((r) => `${line(r)}\n`).join(""))));
}

/** `count` rows of one detector whose feature lines (plus "\n" each) total exactly `bytes`. */
export function rowsTotalling(bytes: number, count: number): CuratedRow[] {
    const base = features(false);
    const rows = Array.from({ length: count }, (_, i) => row("MD-0001", new Date(Date.UTC(2025, 0, 1) + i * 1000), i));
    const plain = rows.length * (Buffer.byteLength(base) + 1);
    let spare = bytes - plain;
    expect(spare, "room to pad").to.be.at.least(0);
    // Pad the last feature (depth_m = 100) with fractional zeros: same number, more bytes.
    const padded = rows.map((r) => {
        const pad = Math.min(spare, 200);
        spare -= pad;
        return { ...r, features: pad === 0 ? base : `${base}.${"0".repeat(pad - 1)}` };
    });
    expect(spare, "all padding placed").to.equal(0);
    return padded;
}

export async function* asyncRows(rows: CuratedRow[]): AsyncGenerator<CuratedRow> {
    yield* rows;
}

export const stream = (b: Buffer) => Readable.from([b]);

export { rejection } from "../../helpers/rejection";
