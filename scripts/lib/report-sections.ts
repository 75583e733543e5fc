/**
 * The sections `npm start` prints after the plan (policy report, cost summary, diagram).
 * Each is a module under scripts/lib/sections/ exporting `section: ReportSection`; listed
 * here in print order so the report reads the same every time.
 */
import type { ProgramRun } from "./mock-run";

export interface ReportSection {
    readonly title: string;
    /** Text to print, and the exit code it implies (non-zero fails `npm start`). */
    render(run: ProgramRun): Promise<{ text: string; exitCode: number }>;
}

const ORDER: string[] = ["policy", "cost", "diagram"];

export function reportSections(): ReportSection[] {
    return ORDER.map((name) => require(`./sections/${name}`).section as ReportSection);
}
