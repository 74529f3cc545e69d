/**
 * The shapes the read API returns. The portal's `web/lib/` imports these types (type-only) and
 * reshapes them into view types; the OpenAPI document describes the same shapes.
 */

/** One violation of the CDEvents schema selected by `context.type`. */
export interface Violation {
  /** JSONPath of the offending value, e.g. `$.context.timestamp` or `$.subject.content.artifactId`. */
  path: string;
  message: string;
}

/** A field-level error, as in every 4xx body. */
export interface ErrorBody {
  code: string;
  field: string | null;
  message: string;
}

/** Result for one event of a `POST /api/events` request, in request order. */
export interface IngestResult {
  status: 'stored' | 'duplicate' | 'rejected';
  /** Address of the stored event (`GET /api/events/{key}`); absent when rejected. */
  key?: string;
  /** Schema violations; an event with violations is still stored (lenient ingest). */
  violations: Violation[];
  /** Why it was rejected; absent otherwise. */
  error?: ErrorBody;
}

/** An event as listed in the timeline. */
export interface EventSummary {
  key: string;
  id: string;
  source: string;
  type: string;
  /** `service`, `pipelinerun`, ... or `<tool>-<subject>` for custom events. */
  subject: string;
  predicate: string;
  /** `context.timestamp` exactly as sent (may have up to 9 fractional digits). */
  timestamp: string;
  subjectId: string;
  service: string | null;
  environment: string | null;
  artifactId: string | null;
  version: string | null;
  outcome: string | null;
  valid: boolean;
  violationCount: number;
  ingestedAt: string;
  /** `context.specversion` (or `context.version` for 0.4 and older). */
  specVersion: string | null;
}

/** One event in full. */
export interface EventDetail extends EventSummary {
  /** The event exactly as received (the CloudEvents envelope too, when it came in one). */
  raw: unknown;
  /** The CDEvent extracted from the envelope, with safe normalisations applied. */
  normalised: unknown;
  violations: Violation[];
  /** `bare`, `structured`, `binary`, `batch`, `eventbridge`. */
  receivedAs: string;
  chainId: string | null;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** One cell of the versions × environments matrix. */
export interface InventoryCell {
  service: string;
  environment: string;
  artifactId: string | null;
  version: string | null;
  /** When this version started running here (timestamp of the deploying event). */
  since: string;
  state: 'running' | 'removed';
  lastEventKey: string;
  lastEventType: string;
  lastEventAt: string;
}

export interface Inventory {
  services: string[];
  environments: string[];
  cells: InventoryCell[];
  generatedAt: string;
}

export interface EnvironmentSummary {
  name: string;
  provider: string | null;
  kind: string | null;
  region: string | null;
  url: string | null;
  serviceCount: number;
  firstSeen: string;
  lastEventAt: string;
  deleted: boolean;
}

export interface DeploymentRecord {
  key: string;
  environment: string;
  artifactId: string | null;
  version: string | null;
  /** `deployed`, `upgraded`, `rolledback`, `removed`, `published`. */
  action: string;
  timestamp: string;
  source: string;
}

export interface ServiceDetail {
  name: string;
  environments: InventoryCell[];
  history: DeploymentRecord[];
  historyNext: string | null;
}

export interface DeadLetter {
  id: string;
  eventKey: string | null;
  consumer: string;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  /** The bus event that failed, as delivered. */
  payload: unknown;
  state: 'pending' | 'replayed';
}
