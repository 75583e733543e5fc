import { expect } from "chai";
import { RecordedGroup, clientAlerts } from "../../../functions/inference/notify";

const group = (findingId: string, detectors: string[], siteIds: string[], alertCount: number): RecordedGroup => ({
    key: `findings/c1/p1/2025-03-01/10/${findingId}.csv.gz`, owner: { clientId: "c1", projectId: "p1" }, findingId,
    detectors, alertingDetectors: detectors, siteIds, rows: [], alertCount, maxScore: 0.9, severity: "alert",
    periodStart: new Date("2025-03-01T10:00:00Z"), periodEnd: new Date("2025-03-01T10:59:59Z"),
});

describe("inference: client alert wording", () => {
    it("names a single reading, detector and site in the singular", () => {
        const [alert] = clientAlerts([group("f1", ["MD-1"], ["s1"], 1)], 0.8);
        expect(alert.subject).to.equal("mDetect alert: 1 reading on MD-1");
        expect(alert.message.split("\n").slice(0, 4)).to.deep.equal([
            "mDetect's model scored 1 reading at or above the alert threshold (0.8).", "", "Detector: MD-1", "Site: s1",
        ]);
    });

    it("counts readings, detectors and sites in the plural", () => {
        const [alert] = clientAlerts([group("f1", ["MD-1"], ["s1"], 2), group("f2", ["MD-2"], ["s2"], 1)], 0.8);
        expect(alert.subject).to.equal("mDetect alert: 3 readings on 2 detectors");
        expect(alert.message.split("\n").slice(0, 4)).to.deep.equal([
            "mDetect's model scored 3 readings at or above the alert threshold (0.8).", "", "Detectors: MD-1, MD-2", "Sites: s1, s2",
        ]);
    });
});
