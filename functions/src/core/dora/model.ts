/**
 * DORA metrics: what the projection keeps per service and day, and what the report returns. Types
 * only, so the portal can import them (type-only) without pulling in code.
 *
 * Times (`at`) are the events' sortable UTC form (`2026-11-23T09:00:00.123000000Z`), so they
 * compare as strings and parse as dates once cut to milliseconds.
 */

/** A deploying event of a service in an environment (any environment; "production" is chosen when reading). */
export interface DoraDeploymentEntry {
  type: 'deployment';
  /** The event's storage key: an event counts once however often it is delivered. */
  key: string;
  environment: string;
  at: string;
  /** `service.rolledback` (true) or `service.deployed` / `service.upgraded` (false). */
  rollback: boolean;
  artifactId: string | null;
}

/** A `change.merged` attributed to the service (see `serviceOfChange`). */
export interface DoraChangeEntry {
  type: 'change';
  key: string;
  at: string;
  /** The change's subject id (e.g. `acme/payments/pull/42`), for display. */
  ref: string;
}

/** One side of an incident of the service in an environment. */
export interface DoraIncidentEntry {
  type: 'incident';
  key: string;
  environment: string;
  at: string;
  /** The incident's subject id; detected and resolved events of one incident share it. */
  incident: string;
  phase: 'detected' | 'resolved';
}

export type DoraEntry = DoraDeploymentEntry | DoraChangeEntry | DoraIncidentEntry;

/** One per-day aggregate item: everything DORA needs about one service on one UTC day. */
export interface DoraDay {
  service: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  entries: DoraEntry[];
}

/** What one stored event adds to the aggregates (at most one entry in one day item). */
export interface DoraUpdate {
  service: string;
  day: string;
  entry: DoraEntry;
}

export type DoraLevel = 'elite' | 'high' | 'medium' | 'low';

/** A performance level and the dated threshold table it was read from. */
export interface DoraLevelBadge {
  level: DoraLevel;
  /** Name of the threshold table, e.g. `DORA 2023`. */
  table: string;
  /** When that table was published, `YYYY-MM`. */
  publishedAt: string;
  /** The table's wording of this level for this metric. */
  band: string;
}

export interface DoraDeploymentFrequency {
  /** Deployment days: UTC days in the window with at least one production deployment. */
  value: number;
  unit: 'days';
  /** Deployment days per week (value / windowDays × 7); what the level is read from. */
  perWeek: number;
  /** Production deployments in the window (rollbacks not counted). */
  deployments: number;
  level: DoraLevelBadge | null;
}

export interface DoraLeadTime {
  /** Median hours from change merged to its first production deployment; null without samples. */
  value: number | null;
  unit: 'hours';
  /** Changes whose first production deployment is in the window. */
  changes: number;
  level: DoraLevelBadge | null;
}

export interface DoraChangeFailureRate {
  /** failed / deployments (0..1); null without deployments. */
  value: number | null;
  unit: 'ratio';
  failed: number;
  deployments: number;
  level: DoraLevelBadge | null;
}

export interface DoraRecoveryTime {
  /** Median hours to recover a failed production deployment; null without samples. */
  value: number | null;
  unit: 'hours';
  /** Recoveries completed in the window. */
  recoveries: number;
  /** Failed deployments in the window not recovered by `until`. */
  open: number;
  level: DoraLevelBadge | null;
}

/** One UTC day of the window, oldest first: what trend charts draw. */
export interface DoraSeriesPoint {
  date: string;
  deployments: number;
  failedDeployments: number;
  /** Changes whose first production deployment happened this day, and their median lead time. */
  changes: number;
  leadTimeHours: number | null;
  /** Recoveries completed this day, and their median duration. */
  recoveries: number;
  recoveryHours: number | null;
}

/** `GET /api/dora`. */
export interface DoraReport {
  scope: {
    service: string | null;
    environment: string | null;
    /** The environments counted (production ones unless `environment` was given), sorted. */
    environments: string[];
    /** How production environments were chosen, in words. */
    production: string;
    windowDays: number;
    /** Start of the window (00:00 UTC of its first day) and its end, RFC 3339 UTC. */
    from: string;
    until: string;
    /** Rules that link events, in words (shown under the cards). */
    rules: string[];
  };
  thresholds: { name: string; publishedAt: string; source: string };
  metrics: {
    deploymentFrequency: DoraDeploymentFrequency;
    leadTime: DoraLeadTime;
    changeFailureRate: DoraChangeFailureRate;
    recoveryTime: DoraRecoveryTime;
  };
  series: DoraSeriesPoint[];
  generatedAt: string;
}
