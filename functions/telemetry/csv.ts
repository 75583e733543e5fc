/**
 * The curated CSV: a header line, then one row per reading with the identifying columns and the
 * model's features (schema/features.json). Papaparse decides the quoting of every text cell. A
 * number's text (digits, ".", "-", "+", "e") never needs quoting, so numeric cells skip that
 * check: unparsing whole rows spent half the conversion time deciding not to quote numbers
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
 * The text cells of a batch, quoted by papaparse. One unparse call for the whole batch, one cell
 * per line; when a quoted cell holds a line break the lines no longer match the cells and each
 * cell is unparsed on its own instead.
 */
function quoteTextCells(cells: unknown[]): string[] {
    const lines = Papa.unparse(cells.map((c) => [c]), UNPARSE).split("\n");
    return lines.length === cells.length ? lines : cells.map((c) => Papa.unparse([[c]], UNPARSE));
}

/** Many rows, each terminated by "\n" (empty string for no rows). */
export function toCsvRows(readings: readonly Reading[]): string {
    // A batch repeats a handful of detector ids on every row: quote each once. (Per call, not
    // module-wide: Pulumi cannot serialize a module-level Map into the Lambda.)
    const quotedIds = new Map<string, string>();
    const quoteId = (id: string): string => {
        let quoted = quotedIds.get(id);
        if (quoted === undefined) {
            quoted = Papa.unparse([[id]], UNPARSE);
            quotedIds.set(id, quoted);
        }
        return quoted;
    };
    const textCells: unknown[] = [];
    for (const reading of readings) {
        for (const column of COLUMNS) {
            const value = reading[column];
            if (typeof value !== "number" && column !== "detector_id") textCells.push(value);
        }
    }
    const quoted = textCells.length > 0 ? quoteTextCells(textCells) : [];
    let next = 0;
    let text = "";
    for (const reading of readings) {
        for (let i = 0; i < COLUMNS.length; i++) {
            const column = COLUMNS[i];
            const value = reading[column];
            if (i > 0) text += DELIMITER;
            if (typeof value === "number") text += String(value);
            else if (column === "detector_id") text += quoteId(value);
            else text += quoted[next++];
        }
        text += "\n";
    }
    return text;
}

/** One CSV row, without a line terminator. */
export function toCsvRow(reading: Reading): string {
    return toCsvRows([reading]).slice(0, -1);
}
