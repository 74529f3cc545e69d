/**
 * The `signalbox/` config folder as typed data: environments, systems (with subsystems, services,
 * labels and label-selector aggregates), checks and alert rules. Produced by `parseConfig`
 * (`./parse.ts`) from YAML texts; every item keeps where it was declared so later errors (e.g. a
 * cycle found by the systems graph) can point at a file and line.
 *
 * URL and host fields may hold `${NAME}` placeholders (upper-case names) resolved at run time by
 * `resolvePlaceholders` (`./placeholders.ts`); the config itself never reads the environment.
 */

/** Where something was declared: file name as given to the parser, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem in the config folder; `field` is a path such as `systems[2].subsystems[0]`. */
export interface ConfigIssue extends SourceLocation {
  readonly field: string;
  readonly message: string;
}

/** Text labels (`kind: storage`, `site: dc1`) used by selectors and copied onto alerts. */
export type Labels = Readonly<Record<string, string>>;

export const PROVIDERS = ['aws', 'azure', 'gcp', 'ibm', 'oci', 'onprem', 'local'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const ENVIRONMENT_KINDS = ['cloud', 'hci', 'local'] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];
export const TIERS = ['dev', 'staging', 'prod', 'dr'] as const;
export type Tier = (typeof TIERS)[number];

/** A place things run. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly provider: Provider;
  readonly kind: EnvironmentKind;
  readonly regions: readonly string[];
  readonly tier?: Tier;
  readonly uri?: string;
  readonly components: readonly string[];
  readonly enabled: boolean;
  readonly labels: Labels;
  /**
   * Cloud account / subscription / project ids whose costs belong to this environment (cost
   * records without an environment tag are allocated by these; see core/costs/allocation.ts).
   */
  readonly accounts?: readonly string[];
  readonly source: SourceLocation;
}

/** One requirement of a label selector; `equals` is the short form `key: value`. */
export type SelectorRequirement =
  | { readonly key: string; readonly operator: 'equals'; readonly value: string }
  | { readonly key: string; readonly operator: 'in' | 'notIn'; readonly values: readonly string[] }
  | { readonly key: string; readonly operator: 'exists' | 'doesNotExist' };

/** All requirements must hold (AND), as in Kubernetes label selectors. */
export interface LabelSelector {
  readonly requirements: readonly SelectorRequirement[];
}

/** A service a system contains, optionally only in some environments (default: all). */
export interface ServiceRef {
  readonly name: string;
  readonly environments: readonly string[];
}

/**
 * A system (Aramaki): aggregation is top down. `subsystems` names other systems, a system may be a
 * subsystem of several systems, there are no parent pointers. `selector` adds every other system
 * whose labels match (a dynamic aggregate, e.g. "every storage system in dc1").
 */
export interface SystemConfig {
  readonly name: string;
  readonly description?: string;
  readonly labels: Labels;
  readonly subsystems: readonly string[];
  readonly selector?: LabelSelector;
  readonly services: readonly ServiceRef[];
  /** Checks that belong to this system directly (not through a service). */
  readonly checks: readonly string[];
  readonly source: SourceLocation;
}

export const CHECK_TYPES = ['http', 'tcp', 'jsonrpc', 'evm', 'firefly', 'cacti', 'ccip'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/**
 * A warning and/or critical bound for one metric. `direction: 'above'` means a value above the
 * bound is bad (latency), `'below'` that a value below it is bad (peers, TLS days left). The parser
 * checks that warning comes before critical in that direction.
 */
export interface Threshold {
  readonly direction: 'above' | 'below';
  readonly warning?: number;
  readonly critical?: number;
}

interface CheckBase {
  readonly name: string;
  readonly description?: string;
  /** Seconds between runs (default 60). */
  readonly intervalSeconds: number;
  /** Seconds before a run gives up with `unknown`/`critical` (default 10, at most the interval). */
  readonly timeoutSeconds: number;
  /** The service this check observes, if any; its status then rolls up into that service. */
  readonly service?: string;
  readonly environment?: string;
  /**
   * The `signalbox-agent` that runs this check inside a private network and pushes its results
   * (`POST /api/observations`); the server's own check loop skips it. Absent: the server runs it.
   */
  readonly agent?: string;
  readonly labels: Labels;
  readonly source: SourceLocation;
}

export interface HttpCheckConfig extends CheckBase {
  readonly type: 'http';
  readonly url: string;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Acceptable status codes (absent: any 2xx or 3xx, as the check evaluator defaults). */
  readonly expectStatus?: readonly number[];
  /** The body must contain this text. */
  readonly bodyContains?: string;
  /** The body must match this regular expression (source text, validated). */
  readonly bodyMatches?: string;
  readonly thresholds: {
    readonly latencyMs?: Threshold;
    /** Days until the TLS certificate expires (`below`). */
    readonly tlsDaysLeft?: Threshold;
  };
}

export interface TcpCheckConfig extends CheckBase {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
  readonly thresholds: { readonly latencyMs?: Threshold };
}

export interface JsonRpcCheckConfig extends CheckBase {
  readonly type: 'jsonrpc';
  readonly url: string;
  readonly method: string;
  readonly params: readonly unknown[];
  readonly headers: Readonly<Record<string, string>>;
  /** When present, the call's `result` must deep-equal this value. */
  readonly expectResult?: unknown;
  readonly hasExpectResult: boolean;
  readonly thresholds: { readonly latencyMs?: Threshold };
}

export interface EvmCheckConfig extends CheckBase {
  readonly type: 'evm';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** When present, `eth_chainId` must equal it (critical otherwise). */
  readonly chainId?: number;
  /**
   * The head is "stalled" when the block number has not moved for this long (seconds, `above`);
   * YAML `stalledAfter: 2m` (critical only) or `{warning: 30s, critical: 2m}`. Absent: the
   * evaluator's default.
   */
  readonly stalledAfterSeconds?: Threshold;
  readonly thresholds: {
    readonly latencyMs?: Threshold;
    /** Connected peers (`below`). */
    readonly peers?: Threshold;
  };
}

/** A Hyperledger FireFly node (`url` is the API base, e.g. `http://firefly:5000`). */
export interface FireflyCheckConfig extends CheckBase {
  readonly type: 'firefly';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Namespaces that must exist and answer (others the node lists are probed too). */
  readonly namespaces: readonly string[];
  /** Plugin kinds that must be configured (`blockchain`, `database`, `dataExchange`, ...). */
  readonly plugins: readonly string[];
  readonly thresholds: {
    readonly latencyMs?: Threshold;
    /** Number of namespaces (`below`). */
    readonly namespaces?: Threshold;
  };
}

/** A Hyperledger Cacti API server (`url` is its base, e.g. `http://cacti:4000`). */
export interface CactiCheckConfig extends CheckBase {
  readonly type: 'cacti';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Plugin packages whose web services must answer (`@hyperledger/cactus-plugin-ledger-connector-besu`). */
  readonly connectors: readonly string[];
  readonly thresholds: {
    readonly latencyMs?: Threshold;
    /** MiB (`above`). */
    readonly heapUsedMb?: Threshold;
    /** MiB (`above`). */
    readonly rssMb?: Threshold;
  };
}

/** One ramp of a CCIP lane: its chain's JSON-RPC `url` and the contract `address` (both may hold placeholders). */
export interface CcipRampConfig {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly address: string;
  readonly startBlock?: number;
}

/** A Chainlink CCIP lane: the on-ramp on the source chain, the off-ramp (and router) on the destination chain. */
export interface CcipCheckConfig extends CheckBase {
  readonly type: 'ccip';
  readonly onRamp: CcipRampConfig;
  /** `url` defaults to the on-ramp's (both ramps on one chain, as in the local demo). */
  readonly offRamp: CcipRampConfig & { readonly router?: string };
  readonly blockRange?: number;
  readonly maxRangesPerRun?: number;
  /** Age of the oldest pending message, seconds (`above`; at the limit is bad); YAML `pendingAge: 30m` or `{warning, critical}`. */
  readonly pendingAgeSeconds?: Threshold;
  readonly thresholds: {
    readonly latencyMs?: Threshold;
    /** Messages whose last execution failed (`above`). */
    readonly failedMessages?: Threshold;
  };
}

export type CheckConfig = HttpCheckConfig | TcpCheckConfig | JsonRpcCheckConfig | EvmCheckConfig | FireflyCheckConfig | CactiCheckConfig | CcipCheckConfig;

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** What makes an alert rule fire. */
export type AlertCondition =
  /** The check's status is `status` or worse (critical is worse than warning). */
  | { readonly kind: 'check'; readonly check: string; readonly status: 'warning' | 'critical' | 'unknown' }
  /** A metric of a check compared with a value. */
  | { readonly kind: 'metric'; readonly check: string; readonly metric: string; readonly op: Comparison; readonly value: number }
  /** An event of one of these CDEvents types arrives (`*` at the end matches a prefix). */
  | { readonly kind: 'event'; readonly types: readonly string[]; readonly match: Readonly<Record<string, string>> };

export interface AlertRuleConfig {
  readonly name: string;
  readonly severity: Severity;
  readonly condition: AlertCondition;
  /** The condition must hold this long before firing (check/metric conditions only; default 0). */
  readonly forSeconds: number;
  /** Event conditions only: the alert resolves by itself this long after the last matching event. */
  readonly resolveAfterSeconds?: number;
  /** Labels of the alert (its fingerprint is computed from them); `alertname` is added. */
  readonly labels: Labels;
  readonly summary?: string;
  readonly description?: string;
  /** The system this alert belongs to (used for inhibition when a parent system is down). */
  readonly system?: string;
  readonly source: SourceLocation;
}

/** The whole config folder, merged over files. */
export interface SignalboxConfig {
  readonly environments: readonly EnvironmentConfig[];
  readonly systems: readonly SystemConfig[];
  readonly checks: readonly CheckConfig[];
  readonly alerts: readonly AlertRuleConfig[];
  /** Where alert notifications go (`notifications:` section); absent: nothing is sent. */
  readonly notifications?: NotificationsConfig;
}

export const RECEIVER_TYPES = ['webhook', 'slack', 'sns'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/** A way out for notifications. `url` may hold `${NAME}` placeholders (resolved at run time). */
export interface ReceiverConfig {
  readonly name: string;
  readonly type: ReceiverType;
  /** webhook and slack: where to POST. */
  readonly url?: string;
  /** webhook: the name of the HMAC signing secret (a file locally, a stored secret in AWS). */
  readonly secret?: string;
  /** sns: the topic (may hold placeholders, e.g. `${ALERTS_TOPIC_ARN}`). */
  readonly topicArn?: string;
  readonly source: SourceLocation;
}

/** A label matcher of a route (same syntax and semantics as silence matchers). */
export interface RouteMatcherConfig {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/**
 * One node of the notification routing tree (Alertmanager's `route`). Unset fields are inherited
 * from the parent when the tree is resolved (`core/alerts/routing.ts`); the root needs a receiver.
 */
export interface RouteConfig {
  readonly receiver?: string;
  /** Label names to group by; `'...'` groups by every label (one group per alert). */
  readonly groupBy?: readonly string[] | '...';
  readonly groupWaitSeconds?: number;
  readonly groupIntervalSeconds?: number;
  readonly repeatIntervalSeconds?: number;
  /** All must match (the root has none: it matches every alert). */
  readonly matchers: readonly RouteMatcherConfig[];
  /** Keep looking at the following sibling routes after this one matched. */
  readonly continue: boolean;
  readonly routes: readonly RouteConfig[];
  readonly source: SourceLocation;
}

export interface NotificationsConfig {
  readonly receivers: readonly ReceiverConfig[];
  /** Absent: no notification is sent (receivers alone route nothing). */
  readonly route?: RouteConfig;
}

/** Input to the parser: the file's name (relative path is best) and its text. */
export interface ConfigFile {
  readonly name: string;
  readonly text: string;
}

/**
 * Metric names each check type reports (`CheckResult.metrics` of `core/monitoring`), the names
 * metric alert rules may use; rules are validated against these.
 */
export const CHECK_METRICS: Readonly<Record<CheckType, readonly string[]>> = {
  http: ['status_code', 'latency_ms', 'body_bytes', 'tls_days_left'],
  tcp: ['latency_ms'],
  jsonrpc: ['latency_ms'],
  evm: ['block_height', 'head_age_seconds', 'blocks_advanced', 'latency_ms', 'peer_count', 'chain_id', 'pending_transactions', 'gas_price_gwei', 'syncing', 'sync_blocks_behind'],
  firefly: ['namespaces', 'namespaces_ok', 'namespaces_failing', 'plugins', 'multiparty', 'node_registered', 'org_registered', 'latency_ms'],
  cacti: ['health_success', 'heap_used_mb', 'heap_total_mb', 'rss_mb', 'external_mb', 'connectors_expected', 'connectors_up', 'latency_ms'],
  ccip: [
    'messages_sent',
    'messages_success',
    'messages_failed',
    'messages_in_progress',
    'messages_pending',
    'oldest_pending_age_seconds',
    'execution_failures',
    'router_executed',
    'new_messages',
    'source_head',
    'destination_head',
    'source_blocks_behind',
    'destination_blocks_behind',
    'latency_ms',
  ],
};
