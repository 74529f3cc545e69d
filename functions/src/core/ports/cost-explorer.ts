import type { CostAnomaly, ForecastPoint } from '../costs/model';

/** The second dimension of a Cost Explorer pull (the first is always SERVICE). */
export type CostExplorerGrouping = { readonly kind: 'tag'; readonly key: string } | { readonly kind: 'account' };

/** One DAILY group of GetCostAndUsage: a service on a day, split by the second dimension. */
export interface CostExplorerGroup {
  readonly date: string;
  readonly service: string;
  /** The tag value (empty: untagged) or the linked account id. */
  readonly key: string;
  readonly unblended: number;
  readonly amortized: number;
  readonly currency: string;
}

/** The result of one operation and how many billed API calls it took (paging included). */
export interface Billed<T> {
  readonly value: T;
  readonly calls: number;
}

/**
 * AWS Cost Explorer (every request is billed: $0.01 each, pages included). Dates are UTC days
 * `YYYY-MM-DD`; `end` is exclusive as in the API.
 */
export interface CostExplorer {
  /** DAILY UnblendedCost and AmortizedCost grouped by SERVICE and `grouping`, all pages. */
  dailyCosts(input: { start: string; end: string; grouping: CostExplorerGrouping }): Promise<Billed<CostExplorerGroup[]>>;
  /**
   * DAILY forecast of the unblended cost from `start` (today) to `end`; `value` null with a reason when
   * Cost Explorer has too little history to forecast.
   */
  forecast(input: { start: string; end: string }): Promise<Billed<{ currency: string; total: number; days: ForecastPoint[] } | { unavailable: string }>>;
  /** Cost Anomaly Detection's anomalies whose interval touches `[start, end]`, all pages. */
  anomalies(input: { start: string; end: string }): Promise<Billed<CostAnomaly[]>>;
}
