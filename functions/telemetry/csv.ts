/**
 * The curated CSV: a header line, then one row per reading with the identifying columns and the
 * model's features (schema/features.json). Papaparse decides the quoting of every text cell that
 * could need it. A number's text (digits, ".", "-", "+", "e") never needs quoting, nor does text
 * of letters, digits and ".:_+-" (every validated id and timestamp), so those cells skip that
 * check: unparsing whole rows spent half the conversion time deciding not to quote them
 * (docs/benchmarks.md). Tests prove the output identical to Papa.unparse of whole rows.
 */
import Papa from "papaparse";
import { CSV_COLUMNS, Reading } from "./contract";

const UNPARSE: Papa.UnparseConfig = { newline: "\n", header: false };
const COLUMNS = [...CSV_COLUMNS];
const DELIMITER = ",";

/** The header line, without a line terminator. */
export const CSV_HEADER = Papa.unparse([COLUMNS], UNPARSE);

/**
 * Whether papaparse leaves `text` as it is: true only for non-empty text made of letters, digits
 * and ".:_+-", none of which papaparse quotes (it quotes the delimiter, quotes, CR, LF, the BOM
 * and a leading or trailing space). Validated ids and timestamps always pass (their schema
 * patterns allow nothing else), so the hot loop needs no papaparse call; anything else is handed
 * to papaparse. A straight-line scan: a regex or a per-cell unparse costs more than the row.
 */
function isPlainText(text: string): boolean {
    if (text.length === 0) return false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        // 0-9 : | A-Z | a-z | + - . | _
        if (!((c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 45 || c === 46 || c === 95)) return false;
    }
    return true;
}

/** Many rows, each terminated by "\n" (empty string for no rows). */
export function toCsvRows(readings: readonly Reading[]): string {
    const columns = COLUMNS.length;
    let text = "";
    for (let r = 0; r < readings.length; r++) {
        const reading = readings[r];
        for (let i = 0; i < columns; i++) {
            const value = reading[COLUMNS[i]];
            if (i > 0) text += DELIMITER;
            if (typeof value === "number") text += String(value);
            else if (typeof value === "string" && isPlainText(value)) text += value;
            else text += Papa.unparse([[value]], UNPARSE);
        }
        text += "\n";
    }
    return text;
}

/** One CSV row, without a line terminator. */
export function toCsvRow(reading: Reading): string {
    return toCsvRows([reading]).slice(0, -1);
}
