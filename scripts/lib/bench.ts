/** The shape of a benchmark module in scripts/bench/ (run by `mdetect bench`, i.e. `npm run bench`). */
export interface BenchResult {
    /** Printable lines: the figures and how they were obtained. */
    readonly lines: string[];
    /** false when a stated target was missed (the command then exits 1). */
    readonly targetsMet: boolean;
}

export interface BenchModule {
    readonly name: string;
    run(): Promise<BenchResult>;
}
