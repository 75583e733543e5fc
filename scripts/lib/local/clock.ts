/**
 * The local cloud's simulated clock: buffering intervals, schedules and the silence window
 * follow it, so a test covers minutes without waiting them. Signatures and Lambda timeouts
 * stay on the wall clock (the SDK signs with it; a timeout is the process's real time).
 */
export class SimClock {
    constructor(private ms: number = Date.UTC(2026, 0, 5, 8, 0, 0)) {}

    now(): number {
        return this.ms;
    }

    advance(seconds: number): void {
        if (!(seconds >= 0)) throw new Error(`clock: cannot advance by ${seconds} s`);
        this.ms += seconds * 1000;
    }
}
