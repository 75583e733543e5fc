/**
 * The price table (policy/lib/cost/prices.json): each price with its unit, region and source.
 */
import table from "./prices.json";

export type PriceId = keyof typeof table.prices;

export interface Price {
    readonly usd: number;
    readonly unit: string;
    readonly region: string;
    readonly source: string;
}

export const PRICES: Readonly<Record<PriceId, Price>> = table.prices;
export const PRICE_TABLE_NOTE = `${table.note} Gathered ${table.gathered}.`;

export function price(id: PriceId): number {
    return PRICES[id].usd;
}

/** Instance-hour price for an RDS or SageMaker instance class; a clear error if the table lacks it. */
export function instanceHour(service: "rds" | "sagemaker", instanceClass: string): number {
    const id = `${service}.instanceHour.${instanceClass}`;
    if (!(id in PRICES)) {
        throw new Error(`no price for ${service} instance class ${instanceClass}: add ${id} to policy/lib/cost/prices.json`);
    }
    return PRICES[id as PriceId].usd;
}
