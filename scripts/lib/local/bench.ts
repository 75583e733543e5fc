/**
 * Benchmark of the local cloud (not a test): a fleet at the firmware's rate for some simulated
 * minutes through the whole pipeline of the plan with a model (localRunConfig: SigV4 + IAM at
 * every call, the serialized transform and inference in their own processes, the example model
 * behind the SageMaker front), against a baseline fleet a tenth of the size in the same command,
 * so machine load affects both sides.
 *   npx tsx scripts/lib/local/bench.ts [--detectors 1000] [--minutes 10] [--batch-seconds 10]
 * Prints wall time, readings/s, peak RSS and the meter as JSON (docs/benchmarks.md).
 */
import { parseArgs } from "util";
import { LocalCloud, localRunConfig } from "./cloud";
import { LocalModel, localModel } from "./model";
import { readPlan } from "./plan";
import { runProgram } from "../mock-run";

async function once(plan: ReturnType<typeof readPlan>, model: LocalModel, detectors: number, minutes: number, batchSeconds: number) {
    const cloud = new LocalCloud(plan, { model });
    await cloud.start();
    cloud.startFleet({ detectors, batchSeconds, badEvery: 100 });
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 200);
    const started = Date.now();
    await cloud.step(minutes * 60);
    await cloud.drain();
    const wallSeconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const readings = cloud.fleet!.sent.length;
    const meter = cloud.snapshotMeter();
    await cloud.stop();
    return { detectors, simulatedMinutes: minutes, readings, wallSeconds, readingsPerSecond: readings / wallSeconds, peakRssMb: Math.round(peak / 1048576), meter };
}

async function main(): Promise<void> {
    const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: {
        detectors: { type: "string", default: "1000" }, minutes: { type: "string", default: "10" }, "batch-seconds": { type: "string", default: "10" },
    } });
    const [detectors, minutes, batchSeconds] = [values.detectors, values.minutes, values["batch-seconds"]].map((v, i) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new Error(`--${["detectors", "minutes", "batch-seconds"][i]} expects a positive number, got '${v}'`);
        return n;
    });
    const model = await localModel();
    const plan = readPlan(await runProgram({ config: localRunConfig(model) }));
    const baseline = await once(plan, model, Math.max(1, Math.round(detectors / 10)), minutes, batchSeconds);
    const run = await once(plan, model, detectors, minutes, batchSeconds);
    console.log(JSON.stringify({
        model: model.kind,
        command: `npx tsx scripts/lib/local/bench.ts --detectors ${detectors} --minutes ${minutes} --batch-seconds ${batchSeconds}`,
        baseline: { ...baseline, meter: undefined },
        run,
        ratios: { wallTime: run.wallSeconds / baseline.wallSeconds, readings: run.readings / baseline.readings, readingsPerSecond: run.readingsPerSecond / baseline.readingsPerSecond },
    }, null, 2));
}

main().catch((err) => { console.error(err); process.exit(1); });
