import * as fs from "fs";
import * as path from "path";
import type { ReportSection } from "../report-sections";
import { ROOT } from "../mock-run";
import { buildDiagram, toSvg } from "../diagram";

export const OUT_SVG = path.join(ROOT, "out", "preview-architecture.svg");

export const section: ReportSection = {
    title: "Architecture diagram",
    async render(run) {
        const diagram = buildDiagram(run);
        fs.mkdirSync(path.dirname(OUT_SVG), { recursive: true });
        fs.writeFileSync(OUT_SVG, await toSvg(diagram));
        return { text: `${diagram.nodes.length} components, ${diagram.edges.length} flows: written to ${path.relative(process.cwd(), OUT_SVG)} (the README's drawing: npm run diagram)`, exitCode: 0 };
    },
};
