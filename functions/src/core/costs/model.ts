/**
 * Cost records (issue 5): money spent per day, from AWS Cost Explorer pulls and FinOps FOCUS 1.x
 * imports, in one shape so the cost page can stack providers, environments and services.
 */

/** The environment of costs that carry no environment tag and belong to no mapped account. */
export const UNALLOCATED = 'unallocated';

/** The source name of Cost Explorer pulls (one source for the whole payer/linked account view). */
export const COST_EXPLORER_SOURCE = 'aws-cost-explorer';

/** One aggregated daily cost row. Amounts are in `currency`, never converted. */
export interface CostRow {
  /** UTC day, `YYYY-MM-DD`. */
  readonly date: string;
  /** `aws`, `azure`, `gcp`, `oci`, `ibm`, ... (normalised, lower case). */
  readonly provider: string;
  /** An environment name of the config, a tag value, or `unallocated`. */
  readonly environment: string;
  /** The provider's service name (`Amazon Elastic Compute Cloud - Compute`, `Virtual Machines`). */
  readonly service: string;
  /** Account / subscription / project id the charge belongs to; empty when the source does not say. */
  readonly account: string;
  /** Region id; empty for global charges or when the source does not say. */
  readonly region: string;
  /** ISO 4217 code. */
  readonly currency: string;
  /** What is invoiced (FOCUS BilledCost, Cost Explorer UnblendedCost). */
  readonly billed: number;
  /** Amortized cost (FOCUS EffectiveCost, Cost Explorer AmortizedCost). */
  readonly effective: number;
  /** Which import replaced this day (see `CostDay`). */
  readonly source: string;
}

/** Every row of one source for one day: the unit that an import replaces as a whole. */
export interface CostDay {
  readonly source: string;
  readonly date: string;
  readonly rows: readonly CostRow[];
  /** When this version of the day was written, and by which import. */
  readonly importedAt: string;
  readonly importId: string;
}

/** What the store keeps about a day without its rows (for "which days do I already have?"). */
export interface CostDayMarker {
  readonly source: string;
  readonly date: string;
  readonly importedAt: string;
  readonly importId: string;
  readonly rowCount: number;
}

/** One problem of an import: where (file, 1-based line, field) and what. */
export interface ImportProblem {
  readonly file: string;
  readonly line: number | null;
  readonly field: string | null;
  readonly message: string;
}

/** The history entry of one import attempt (FOCUS file or Cost Explorer pull). */
export interface CostImportRecord {
  readonly id: string;
  readonly kind: 'focus' | 'cost-explorer';
  /** File name (FOCUS) or `aws-cost-explorer`. */
  readonly name: string;
  /** Where it came from: `upload`, `folder`, `s3://bucket/key`, `schedule`. */
  readonly origin: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** `imported`: every day written; `rejected`: nothing written (see problems); `failed`: a dependency failed. */
  readonly status: 'imported' | 'rejected' | 'failed';
  readonly rowsRead: number;
  /** Days replaced, `source@date`, in order. */
  readonly days: readonly string[];
  /** The problems found, at most `MAX_REPORTED_PROBLEMS`; `problemCount` is the real number. */
  readonly problems: readonly ImportProblem[];
  readonly problemCount: number;
  /** Cost Explorer only: API calls made (each is billed). */
  readonly apiCalls?: number;
  readonly by: string;
}

export const MAX_REPORTED_PROBLEMS = 50;

/** AWS's own view of the month: the Cost Explorer forecast and anomalies, as last fetched. */
export interface AwsCostInsights {
  readonly fetchedAt: string;
  readonly forecast: {
    readonly currency: string;
    /** Forecast total from `start` to `end` (exclusive). */
    readonly total: number;
    readonly start: string;
    readonly end: string;
    readonly days: readonly ForecastPoint[];
  } | null;
  /** Why there is no forecast (e.g. Cost Explorer has too little history). */
  readonly forecastUnavailable?: string;
  readonly anomalies: readonly CostAnomaly[];
}

export interface ForecastPoint {
  readonly date: string;
  readonly mean: number;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** An unusual day: from AWS Cost Anomaly Detection, or our own statistical flag on FOCUS data. */
export interface CostAnomaly {
  readonly id: string;
  readonly origin: 'aws' | 'signalbox';
  readonly provider: string;
  /** First and last day of the anomaly (equal for a one-day flag). */
  readonly start: string;
  readonly end: string;
  /** Service or dimension it is about (AWS root cause service, or the provider for ours). */
  readonly subject: string;
  readonly actual: number;
  readonly expected: number;
  /** `actual - expected`. */
  readonly impact: number;
  readonly currency: string;
  readonly description: string;
}
