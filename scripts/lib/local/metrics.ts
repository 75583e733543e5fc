/**
 * CloudWatch metrics of the local cloud, from what functions print: a line that is an
 * Embedded Metric Format document (`_aws.CloudWatchMetrics`) becomes data points, as the
 * Lambda log pipeline turns them into metrics. Alarms of the plan are evaluated over them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { AlarmPlan } from "./plan";

export interface DataPoint { readonly namespace: string; readonly name: string; readonly dimensions: Record<string, string>; readonly value: number; readonly time: number }

export class LocalMetrics {
    readonly points: DataPoint[] = [];

    /** Parses one log line; returns the data points it held (none for an ordinary line). */
    fromLogLine(line: string, now: number): DataPoint[] {
        let doc: any;
        try { doc = JSON.parse(line); } catch { return []; }
        const spec = doc?._aws?.CloudWatchMetrics;
        if (!Array.isArray(spec)) return [];
        const time = typeof doc._aws.Timestamp === "number" ? doc._aws.Timestamp : now;
        const out: DataPoint[] = [];
        for (const directive of spec) {
            for (const dimensionSet of directive.Dimensions ?? [[]]) {
                const dimensions = Object.fromEntries((dimensionSet as string[]).map((d) => [d, String(doc[d])]));
                for (const metric of directive.Metrics ?? []) {
                    const raw = doc[metric.Name];
                    for (const value of Array.isArray(raw) ? raw : [raw]) {
                        if (typeof value === "number") out.push({ namespace: directive.Namespace, name: metric.Name, dimensions, value, time });
                    }
                }
            }
        }
        this.points.push(...out);
        return out;
    }

    /** The alarm's state at `now` over its last evaluation periods (missing data per treatMissingData). */
    alarmState(alarm: AlarmPlan, now: number): "OK" | "ALARM" | "INSUFFICIENT_DATA" {
        let breaching = 0;
        for (let i = 0; i < alarm.evaluationPeriods; i++) {
            const end = now - i * alarm.periodSeconds * 1000;
            const start = end - alarm.periodSeconds * 1000;
            const values = this.points.filter((p) => p.namespace === alarm.namespace && p.name === alarm.metricName && p.time > start && p.time <= end
                && Object.entries(alarm.dimensions).every(([k, v]) => p.dimensions[k] === v)).map((p) => p.value);
            if (values.length === 0) {
                if (alarm.treatMissingData === "breaching") breaching++;
                else if (alarm.treatMissingData === "missing" || alarm.treatMissingData === "ignore") return "INSUFFICIENT_DATA";
                continue;
            }
            const stat = alarm.statistic === "Maximum" ? Math.max(...values) : alarm.statistic === "Minimum" ? Math.min(...values)
                : alarm.statistic === "Sum" ? values.reduce((a, b) => a + b, 0) : alarm.statistic === "SampleCount" ? values.length
                    : values.reduce((a, b) => a + b, 0) / values.length;
            const t = alarm.threshold;
            const breach = alarm.comparison === "GreaterThanThreshold" ? stat > t : alarm.comparison === "GreaterThanOrEqualToThreshold" ? stat >= t
                : alarm.comparison === "LessThanThreshold" ? stat < t : alarm.comparison === "LessThanOrEqualToThreshold" ? stat <= t : false;
            if (breach) breaching++;
        }
        return breaching >= alarm.evaluationPeriods ? "ALARM" : "OK";
    }
}
