/**
 * Keeps report text inside the terminal: long lines are wrapped at their separators with the same
 * indent (plus two), and a single item still too wide is cut with TRUNCATED. The width is the
 * terminal's; when stdout is not a terminal, $COLUMNS or DEFAULT_WIDTH.
 */
export const TRUNCATED = "…";
/** A readable width for logs and CI, where no terminal says how wide it is. */
export const DEFAULT_WIDTH = 100;
/** Below this, wrapping makes more noise than it removes. */
const MIN_WIDTH = 40;

export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
    const width = stream.isTTY && stream.columns ? stream.columns : Number(env.COLUMNS) || DEFAULT_WIDTH;
    return Math.max(MIN_WIDTH, Math.floor(width));
}

function cut(text: string, width: number): string {
    return text.length > width ? `${text.slice(0, width - TRUNCATED.length)}${TRUNCATED}` : text;
}

function fitLine(line: string, width: number): string[] {
    if (line.length <= width) return [line];
    const indent = /^\s*/.exec(line)![0];
    const body = line.slice(indent.length);
    // Settings are separated by two spaces; prose by one.
    const separator = /\S {2,}\S/.test(body) ? "  " : " ";
    const items = body.split(separator === "  " ? / {2,}/ : / /).filter((s) => s !== "");
    const continuation = `${indent}  `;
    const lines: string[] = [];
    const prefix = (): string => (lines.length === 0 ? indent : continuation);
    let current = "";
    for (const item of items) {
        if (current === "") {
            current = item;
        } else if (`${prefix()}${current}${separator}${item}`.length <= width) {
            current += `${separator}${item}`;
        } else {
            lines.push(cut(`${prefix()}${current}`, width));
            current = item;
        }
    }
    if (current !== "") lines.push(cut(`${prefix()}${current}`, width));
    return lines;
}

/** Every line of text at most `width` characters. */
export function fitWidth(text: string, width: number): string {
    return text.split("\n").flatMap((line) => fitLine(line, width)).join("\n");
}
