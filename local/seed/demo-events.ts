/**
 * The demo history `npm start` seeds through the public ingest path: environments on six
 * providers, a mix of application and blockchain services, 30 days of CI, deployments, tests,
 * failed upgrades with rollbacks and incidents, from several producers in CDEvents 0.5.x and a
 * legacy producer in 0.4.1. Pure and deterministic: the same `now` and seed give the same events.
 */

/** One full CDEvent as JSON (`context`, `subject`, optional `customData`). */
export type DemoEvent = Record<string, unknown>;

/** Where things run, with the metadata Signalbox reads from `customData.signalbox.environment`. */
export interface DemoEnvironment {
  readonly name: string;
  readonly provider: 'aws' | 'azure' | 'gcp' | 'ibm' | 'oci' | 'onprem';
  readonly kind: 'cloud' | 'hci';
  readonly region: string;
  /** Promotion order: dev → staging → prod → dr. */
  readonly tier: 'dev' | 'staging' | 'prod' | 'dr';
  readonly uri: string;
}

/** Something deployable, with its placement and release habits in the demo. */
export interface DemoService {
  readonly name: string;
  readonly description: string;
  readonly category: 'application' | 'blockchain';
  /** Where its sources live (GitHub for most, the legacy Bitbucket for Jenkins-built services). */
  readonly repository: string;
  /** `github`: GitHub Actions, CDEvents 0.5.1; `jenkins`: legacy Jenkins, CDEvents 0.4.1. */
  readonly ci: 'github' | 'jenkins';
  /** Environments the service runs in by the end of the demo. */
  readonly environments: readonly string[];
  /** Environments first deployed during the window, `days` after its start (`service.deployed` then). */
  readonly lateEnvironments?: Readonly<Record<string, number>>;
  /** Version running everywhere at the start of the window. */
  readonly firstVersion: string;
  /** Days between releases, min and max. */
  readonly cadenceDays: readonly [number, number];
}

/** The demo's environments, one per provider and more (both kinds, every tier). */
export const DEMO_ENVIRONMENTS: readonly DemoEnvironment[] = [
  { name: 'dev-aws-eu-central-1', provider: 'aws', kind: 'cloud', region: 'eu-central-1', tier: 'dev', uri: 'https://k8s.dev-aws-eu-central-1.acme.example' },
  { name: 'staging-gcp-europe-west4', provider: 'gcp', kind: 'cloud', region: 'europe-west4', tier: 'staging', uri: 'https://k8s.staging-gcp-europe-west4.acme.example' },
  { name: 'prod-aws-eu-west-1', provider: 'aws', kind: 'cloud', region: 'eu-west-1', tier: 'prod', uri: 'https://k8s.prod-aws-eu-west-1.acme.example' },
  { name: 'prod-azure-westeurope', provider: 'azure', kind: 'cloud', region: 'westeurope', tier: 'prod', uri: 'https://k8s.prod-azure-westeurope.acme.example' },
  { name: 'prod-oci-eu-frankfurt-1', provider: 'oci', kind: 'cloud', region: 'eu-frankfurt-1', tier: 'prod', uri: 'https://k8s.prod-oci-eu-frankfurt-1.acme.example' },
  { name: 'onprem-dc1-hci', provider: 'onprem', kind: 'hci', region: 'dc1', tier: 'prod', uri: 'https://hci.dc1.acme.example' },
  { name: 'onprem-dc2', provider: 'onprem', kind: 'hci', region: 'dc2', tier: 'prod', uri: 'https://vcenter.dc2.acme.example' },
  { name: 'dr-ibm-eu-de', provider: 'ibm', kind: 'cloud', region: 'eu-de', tier: 'dr', uri: 'https://k8s.dr-ibm-eu-de.acme.example' },
];

const DEV = 'dev-aws-eu-central-1';
const STG = 'staging-gcp-europe-west4';
const AWS = 'prod-aws-eu-west-1';
const AZ = 'prod-azure-westeurope';
const OCI = 'prod-oci-eu-frankfurt-1';
const DC1 = 'onprem-dc1-hci';
const DC2 = 'onprem-dc2';
const DR = 'dr-ibm-eu-de';

const gh = (name: string) => `https://github.com/acme/${name}`;
const bb = (name: string) => `https://bitbucket.acme.example/projects/FIN/repos/${name}`;

/** The demo's services: typical application services plus Hyperledger Besu, FireFly, Cacti and a Chainlink CCIP router. */
export const DEMO_SERVICES: readonly DemoService[] = [
  { name: 'api-gateway', description: 'Public API edge: routing, rate limits, JWT checks', category: 'application', repository: gh('api-gateway'), ci: 'github', environments: [DEV, STG, AWS, AZ, DR], firstVersion: '3.8.2', cadenceDays: [3, 6] },
  { name: 'auth', description: 'Identity, sessions and token issuing', category: 'application', repository: gh('auth'), ci: 'github', environments: [DEV, STG, AWS, AZ, DC1, DR], firstVersion: '5.2.0', cadenceDays: [4, 7] },
  { name: 'payments', description: 'Payment initiation and settlement', category: 'application', repository: gh('payments'), ci: 'github', environments: [DEV, STG, AWS, AZ, DR], firstVersion: '2.14.1', cadenceDays: [2, 4] },
  { name: 'orders', description: 'Order capture and lifecycle', category: 'application', repository: gh('orders'), ci: 'github', environments: [DEV, STG, AWS, AZ, DR], firstVersion: '4.3.7', cadenceDays: [2.5, 5] },
  { name: 'ledger-indexer', description: 'Indexes on-chain ledger entries for reconciliation', category: 'application', repository: bb('ledger-indexer'), ci: 'jenkins', environments: [DEV, STG, AWS, DC1, DC2], firstVersion: '1.9.3', cadenceDays: [4, 8] },
  { name: 'web-portal', description: 'Customer web front end', category: 'application', repository: gh('web-portal'), ci: 'github', environments: [DEV, STG, AWS, AZ], firstVersion: '7.21.0', cadenceDays: [1.5, 3] },
  { name: 'notification', description: 'E-mail, SMS and push notifications', category: 'application', repository: gh('notification'), ci: 'github', environments: [DEV, STG, AWS, OCI], firstVersion: '2.6.4', cadenceDays: [4, 8] },
  { name: 'search', description: 'Catalogue and transaction search', category: 'application', repository: gh('search'), ci: 'github', environments: [DEV, STG, AWS, OCI], firstVersion: '1.12.0', cadenceDays: [3, 6] },
  { name: 'reporting', description: 'Regulatory and finance reports', category: 'application', repository: bb('reporting'), ci: 'jenkins', environments: [STG, OCI, DC2], firstVersion: '3.0.5', cadenceDays: [6, 10] },
  { name: 'customer-profile', description: 'Customer master data and KYC status', category: 'application', repository: gh('customer-profile'), ci: 'github', environments: [DEV, STG, AWS, AZ, DR], firstVersion: '2.3.1', cadenceDays: [3, 7] },
  { name: 'fx-rates', description: 'Foreign-exchange rate feed and cache', category: 'application', repository: gh('fx-rates'), ci: 'github', environments: [DEV, STG, AWS, OCI], firstVersion: '0.9.4', cadenceDays: [4, 9] },
  { name: 'risk-engine', description: 'Transaction risk scoring', category: 'application', repository: gh('risk-engine'), ci: 'github', environments: [STG, AWS, DC1], lateEnvironments: { [DC1]: 11 }, firstVersion: '1.4.0', cadenceDays: [3, 6] },
  { name: 'besu-validator', description: 'Hyperledger Besu QBFT validator node', category: 'blockchain', repository: gh('besu-validator'), ci: 'github', environments: [STG, DC1, DC2, OCI], firstVersion: '24.12.2', cadenceDays: [7, 11] },
  { name: 'besu-rpc', description: 'Hyperledger Besu JSON-RPC node', category: 'blockchain', repository: gh('besu-rpc'), ci: 'github', environments: [STG, DC1, DC2, AWS, AZ], firstVersion: '24.12.2', cadenceDays: [5, 9] },
  { name: 'firefly-core', description: 'Hyperledger FireFly supernode core', category: 'blockchain', repository: gh('firefly-core'), ci: 'github', environments: [STG, DC1, AWS], firstVersion: '1.3.2', cadenceDays: [5, 9] },
  { name: 'cacti-connector', description: 'Hyperledger Cacti ledger connector', category: 'blockchain', repository: gh('cacti-connector'), ci: 'github', environments: [STG, DC1, AZ], lateEnvironments: { [AZ]: 9 }, firstVersion: '2.1.0', cadenceDays: [5, 10] },
  { name: 'ccip-router', description: 'Chainlink CCIP cross-chain router', category: 'blockchain', repository: gh('ccip-router'), ci: 'github', environments: [STG, AWS, DC2], lateEnvironments: { [AWS]: 13 }, firstVersion: '1.6.0', cadenceDays: [6, 10] },
];

/** Seed used when `rng` is not given. */
export const DEFAULT_DEMO_SEED = 0x5167_b0c5;

/** Options of {@link buildDemoEvents}. */
export interface BuildDemoEventsOptions {
  /** The end of the history; no event is later. */
  now: Date;
  /** Length of the history in days (default 30, at least 2). */
  days?: number;
  /** Seed of the PRNG (default {@link DEFAULT_DEMO_SEED}). */
  rng?: number;
}

/**
 * Builds the demo history: full CDEvents sorted by `context.timestamp` ascending (strictly
 * increasing at millisecond precision, all at or before `now`), with unique `context.id`s. Every
 * environment is announced first by `environment.created` carrying Signalbox's metadata in
 * `customData`. Deterministic for the same `now`, `days` and seed. Throws `RangeError` on an invalid
 * `now` or `days`.
 */
export function buildDemoEvents(opts: BuildDemoEventsOptions): DemoEvent[] {
  const nowMs = opts.now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('buildDemoEvents: now is not a valid date');
  const days = opts.days ?? 30;
  if (!Number.isFinite(days) || days < 2) throw new RangeError(`buildDemoEvents: days must be at least 2, got ${days}`);
  return new DemoHistory(nowMs * 1000, days, opts.rng ?? DEFAULT_DEMO_SEED).build();
}

// Times are integer microseconds since the epoch so microsecond producers keep their digits.
const SEC = 1_000_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** mulberry32: small, fast, good enough for demo data, identical on every platform. */
class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Time span in [lo, hi) microseconds. */
  span(lo: number, hi: number): number {
    return Math.floor(lo + this.next() * (hi - lo));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = '89ab'[Math.floor(this.next() * 4)]!;
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

type SpecVersion = '0.5.1' | '0.5.0' | '0.4.1';

interface Producer {
  source: string;
  spec: SpecVersion;
  /** Timestamps with microseconds (like Argo CD or Testkube) rather than milliseconds. */
  micro: boolean;
}

/** Type versions per spec line for the event types the demo emits. */
const TYPE_VERSIONS: Record<string, { modern: string; legacy: string }> = {
  'environment.created': { modern: '0.3.0', legacy: '0.2.0' },
  'change.merged': { modern: '0.3.0', legacy: '0.2.0' },
  'pipelinerun.started': { modern: '0.3.0', legacy: '0.2.0' },
  'pipelinerun.finished': { modern: '0.3.0', legacy: '0.2.0' },
  'build.finished': { modern: '0.3.0', legacy: '0.2.0' },
  'artifact.published': { modern: '0.3.0', legacy: '0.2.0' },
  'service.deployed': { modern: '0.3.0', legacy: '0.2.0' },
  'service.upgraded': { modern: '0.3.0', legacy: '0.2.0' },
  'service.rolledback': { modern: '0.3.0', legacy: '0.2.0' },
  'testsuiterun.started': { modern: '0.3.0', legacy: '0.2.0' },
  'testsuiterun.finished': { modern: '0.3.0', legacy: '0.2.0' },
  'incident.detected': { modern: '0.3.0', legacy: '0.2.0' },
  'incident.resolved': { modern: '0.3.0', legacy: '0.2.0' },
};

/** v0.4 `subject.type` values (camelCase vocabulary names). */
const SUBJECT_TYPES: Record<string, string> = {
  pipelinerun: 'pipelineRun',
  testsuiterun: 'testSuiteRun',
};

interface Pending {
  t: number;
  seq: number;
  micro: boolean;
  event: { context: Record<string, unknown> } & DemoEvent;
}

interface Cell {
  artifactId: string;
  version: string;
  lastT: number;
}

interface Release {
  version: string;
  artifactId: string;
  /** When the artifact was published. */
  publishedAt: number;
}

interface Step {
  env: string;
  t: number;
}

const TIER_ORDER: Record<DemoEnvironment['tier'], number> = { dev: 0, staging: 1, prod: 2, dr: 3 };
const ENV_BY_NAME = new Map(DEMO_ENVIRONMENTS.map((e) => [e.name, e]));

/** Failed upgrades that always happen, so every seed shows rollbacks: service@env#release index. */
const FORCED_ROLLBACKS = new Set([`payments@${AZ}#2`, `besu-rpc@${DC2}#1`, `orders@${AWS}#3`]);

const ROLLBACK_REASONS = [
  'HTTP 5xx rate above 5% for 5 minutes after upgrade',
  'p99 latency above SLO (1.2 s) after upgrade',
  'readiness probe failing on 3 of 6 pods',
  'crash loop: OOMKilled after upgrade',
  'error budget burn rate 14x over 10 minutes',
];
const BLOCKCHAIN_ROLLBACK_REASONS = [
  'block production stalled: no new block for 60 s',
  'peer count below quorum threshold after upgrade',
  'eth_call error rate above 2% after upgrade',
];
const BUILD_ERRORS = [
  'unit tests failed: 3 failing, 412 passing',
  'lint: 7 problems (7 errors, 0 warnings)',
  'container scan: 1 critical vulnerability (CVE-2024-45337)',
  'integration tests timed out after 20m',
];
const TEST_FAILURES = [
  'checkout flow: expected 201, got 500',
  'contract test against ledger-indexer failed',
  'flaky: websocket reconnect test timed out',
];

class DemoHistory {
  private readonly rng: Prng;
  private readonly start: number;
  /** Regular flow: nothing that touches an environment in the last 26 h (only the recent releases do). */
  private readonly envCutoff: number;
  /** CI without an environment may run until shortly before now. */
  private readonly ciCutoff: number;
  private readonly pending: Pending[] = [];
  private readonly cells = new Map<string, Cell>();
  private readonly deployLog = new Map<string, Array<{ t: number; artifactId: string }>>();
  private readonly versions = new Map<string, string>();
  private readonly releaseCount = new Map<string, number>();
  private readonly prNumbers = new Map<string, number>();
  private readonly jobNumbers = new Map<string, number>();
  private seq = 0;
  private runNumber = 0;
  private incidentNumber = 4100;

  constructor(
    private readonly now: number,
    days: number,
    seed: number,
  ) {
    this.rng = new Prng(seed);
    this.start = now - Math.round(days * DAY);
    this.envCutoff = now - 26 * HOUR;
    this.ciCutoff = now - 5 * MIN;
    this.runNumber = 11_204_000_000 + this.rng.int(0, 999_999);
  }

  build(): DemoEvent[] {
    this.createEnvironments();
    this.initialDeployments();
    const recent = this.recentPlans();
    for (const service of DEMO_SERVICES) {
      const plan = recent.get(service.name);
      const stopAt = plan ? plan.mergedAt - 8 * HOUR : this.now - HOUR;
      let t = this.start + this.rng.span(0.6 * DAY, service.cadenceDays[0] * DAY);
      while (t < stopAt) {
        this.release(service, t, (publishedAt) => this.regularSteps(service, publishedAt), this.envCutoff);
        t += this.rng.span(service.cadenceDays[0] * DAY, service.cadenceDays[1] * DAY);
      }
    }
    for (const [name, plan] of recent) {
      const service = DEMO_SERVICES.find((s) => s.name === name)!;
      this.release(service, plan.mergedAt, () => plan.steps, this.now - 10 * MIN, true);
    }
    this.standaloneIncidents();
    return this.finish();
  }

  // ---- producers -------------------------------------------------------------------------

  private ciProducer(service: DemoService): Producer {
    return service.ci === 'github'
      ? { source: `https://github.com/acme/${service.name}/actions`, spec: '0.5.1', micro: false }
      : { source: `https://jenkins.acme.example/job/${service.name}/`, spec: '0.4.1', micro: false };
  }

  private scmProducer(service: DemoService): Producer {
    return service.ci === 'github'
      ? { source: `https://github.com/acme/${service.name}`, spec: '0.5.1', micro: false }
      : { source: bb(service.name), spec: '0.4.1', micro: false };
  }

  private registryProducer(service: DemoService): Producer {
    return { source: `https://registry.example.com/acme/${service.name}`, spec: '0.5.0', micro: false };
  }

  private deployProducer(service: DemoService, env: string): Producer {
    if (env === DC1) return { source: `https://awx.dc1.acme.example/api/v2/job_templates/deploy-${service.name}/`, spec: '0.5.1', micro: false };
    // The old data centre still deploys with a Jenkins plugin that speaks CDEvents 0.4.1.
    if (env === DC2) return { source: `https://jenkins.dc2.acme.example/job/deploy-${service.name}/`, spec: '0.4.1', micro: false };
    return { source: `https://argocd.acme.example/applications/${service.name}-${env}`, spec: '0.5.1', micro: true };
  }

  private testProducer(service: DemoService): Producer {
    return { source: `https://testkube.acme.example/test-workflows/${service.name}`, spec: '0.5.1', micro: true };
  }

  private incidentProducer(env: string): Producer {
    return env === DC2
      ? { source: 'https://nagios.dc2.acme.example/', spec: '0.4.1', micro: false }
      : { source: 'https://alertmanager.acme.example/', spec: '0.5.1', micro: false };
  }

  // ---- emitting --------------------------------------------------------------------------

  /** Queues one event at time `t`; returns its `context.id`. */
  private emit(
    t: number,
    producer: Producer,
    name: string,
    subject: { id: string; content: Record<string, unknown> },
    extra: { chainId?: string; after?: string; customData?: unknown } = {},
  ): string {
    const versions = TYPE_VERSIONS[name];
    if (!versions) throw new Error(`demo: no type version for ${name}`);
    const legacy = producer.spec === '0.4.1';
    const id = this.rng.uuid();
    const context: Record<string, unknown> = {
      [legacy ? 'version' : 'specversion']: producer.spec,
      id,
      source: producer.source,
      type: `dev.cdevents.${name}.${legacy ? versions.legacy : versions.modern}`,
      timestamp: '',
    };
    if (extra.chainId) context.chainId = extra.chainId;
    if (extra.after) context.links = [{ linkType: 'PATH', from: { contextId: extra.after } }];
    const subjectToken = name.split('.')[0]!;
    const subjectDoc: Record<string, unknown> = { id: subject.id };
    if (legacy) subjectDoc.type = SUBJECT_TYPES[subjectToken] ?? subjectToken;
    subjectDoc.content = subject.content;
    const event: Pending['event'] = { context, subject: subjectDoc };
    if (extra.customData !== undefined) {
      event.customData = extra.customData;
      event.customDataContentType = 'application/json';
    }
    this.pending.push({ t: Math.floor(t), seq: this.seq++, micro: producer.micro, event });
    return id;
  }

  private finish(): DemoEvent[] {
    this.pending.sort((a, b) => a.t - b.t || a.seq - b.seq);
    let previous = -Infinity;
    for (const p of this.pending) {
      // Strictly increasing at millisecond precision, so every reader sees one order.
      const t = Math.max(p.t, previous + 1000);
      previous = t;
      p.event.context.timestamp = formatTimestamp(t, p.micro);
    }
    if (previous > this.now) throw new Error('demo: generated an event after now');
    return this.pending.map((p) => p.event);
  }

  // ---- history ---------------------------------------------------------------------------

  private createEnvironments(): void {
    const producer: Producer = { source: '/signalbox/demo/environments', spec: '0.5.1', micro: false };
    let t = this.start + this.rng.span(SEC, 30 * SEC);
    for (const env of DEMO_ENVIRONMENTS) {
      this.emit(
        t,
        producer,
        'environment.created',
        { id: env.name, content: { name: env.name, uri: env.uri } },
        { customData: { signalbox: { environment: { provider: env.provider, kind: env.kind, region: env.region } } } },
      );
      t += this.rng.span(20 * SEC, 3 * MIN);
    }
  }

  private initialDeployments(): void {
    for (const service of DEMO_SERVICES) {
      this.versions.set(service.name, service.firstVersion);
      const artifactId = this.artifactId(service, service.firstVersion);
      for (const env of service.environments) {
        if (service.lateEnvironments?.[env] !== undefined) continue;
        const t = this.start + this.rng.span(HOUR, 20 * HOUR);
        this.deploy(service, env, t, 'service.deployed', artifactId, service.firstVersion);
      }
    }
  }

  /** Releases whose deployments land in the last 24 hours, so a few environments show a recent change. */
  private recentPlans(): Map<string, { mergedAt: number; steps: Step[] }> {
    const at = (hoursAgo: number) => this.now - hoursAgo * HOUR + this.rng.span(-10 * MIN, 10 * MIN);
    return new Map([
      ['payments', { mergedAt: at(23), steps: [{ env: STG, t: at(21) }, { env: AWS, t: at(3) }] }],
      ['besu-rpc', { mergedAt: at(19), steps: [{ env: STG, t: at(17) }, { env: DC1, t: at(5) }] }],
      ['web-portal', { mergedAt: at(9), steps: [{ env: DEV, t: at(8.5) }] }],
    ]);
  }

  /** Promotion of a release: dev, staging, then production environments a day or two later, DR last. */
  private regularSteps(service: DemoService, publishedAt: number): Step[] {
    const envs = [...service.environments].sort((a, b) => TIER_ORDER[ENV_BY_NAME.get(a)!.tier] - TIER_ORDER[ENV_BY_NAME.get(b)!.tier]);
    const steps: Step[] = [];
    let t = publishedAt;
    let prodSeen = false;
    for (const env of envs) {
      const tier = ENV_BY_NAME.get(env)!.tier;
      if (tier === 'dev') t = publishedAt + this.rng.span(5 * MIN, 30 * MIN);
      else if (tier === 'staging') t += this.rng.span(HOUR, 5 * HOUR);
      else if (tier === 'prod') {
        t += prodSeen ? this.rng.span(HOUR, 8 * HOUR) : this.rng.span(18 * HOUR, 50 * HOUR);
        prodSeen = true;
      } else t += this.rng.span(6 * HOUR, 30 * HOUR);
      steps.push({ env, t });
    }
    return steps;
  }

  /**
   * One release of `service`: merges, the CI pipeline (sometimes failing once first), the
   * published artifact, then deployments along `stepsFor(publishedAt)` with tests, halting on a
   * failed staging test or a failed upgrade (which rolls back with an incident).
   */
  private release(service: DemoService, mergedAt: number, stepsFor: (publishedAt: number) => Step[], cutoff: number, recent = false): void {
    const built = this.runCi(service, mergedAt, !recent);
    if (!built) return;
    const index = this.releaseCount.get(service.name) ?? 0;
    this.releaseCount.set(service.name, index + 1);
    for (const step of stepsFor(built.publishedAt)) {
      if (step.t > cutoff) break;
      const tier = ENV_BY_NAME.get(step.env)!.tier;
      const key = cellKey(service.name, step.env);
      const cell = this.cells.get(key);
      if (!cell) {
        const lateDay = service.lateEnvironments?.[step.env];
        if (lateDay === undefined || step.t < this.start + lateDay * DAY) continue;
      } else if (step.t <= cell.lastT + 30 * MIN) continue;
      if (cell && tier === 'prod' && !recent && (FORCED_ROLLBACKS.has(`${service.name}@${step.env}#${index}`) || this.rng.chance(0.03))) {
        if (this.failedUpgrade(service, step.env, step.t, built, cell, cutoff)) break;
      }
      this.deploy(service, step.env, step.t, cell ? 'service.upgraded' : 'service.deployed', built.artifactId, built.version);
      if (tier === 'staging') {
        if (!this.testSuite(service, step.env, step.t, 'e2e', recent ? 0 : 0.08, cutoff)) break;
      } else if ((tier === 'prod' || tier === 'dr') && step.env !== DC2) {
        this.testSuite(service, step.env, step.t, 'smoke', 0, cutoff);
      }
    }
  }

  /** Merges and the CI pipeline; returns the published release, or null when CI ran past the cutoff. */
  private runCi(service: DemoService, mergedAt: number, mayFail: boolean): Release | null {
    let t = mergedAt;
    let merges = this.rng.int(1, 3);
    if (mayFail && this.rng.chance(0.1)) {
      const failedAt = this.pipeline(service, t, merges, { ok: false });
      if (failedAt === null) return null;
      t = failedAt + this.rng.span(40 * MIN, 4 * HOUR);
      merges = 1;
    }
    const version = bump(this.versions.get(service.name)!, this.rng.next());
    const artifactId = this.artifactId(service, version);
    const publishedAt = this.pipeline(service, t, merges, { ok: true, version, artifactId });
    if (publishedAt === null) return null;
    this.versions.set(service.name, version);
    return { version, artifactId, publishedAt };
  }

  /**
   * Emits merges and one pipeline run ending at `mergedAt + minutes`. On success also
   * `build.finished` and `artifact.published`; returns the publish (or failure) time, or null past
   * the CI cutoff (then nothing is emitted).
   */
  private pipeline(
    service: DemoService,
    mergedAt: number,
    merges: number,
    result: { ok: false } | { ok: true; version: string; artifactId: string },
  ): number | null {
    const ci = this.ciProducer(service);
    const legacy = ci.spec === '0.4.1';
    const startedAt = mergedAt + this.rng.span(15 * SEC, 90 * SEC);
    const builtAt = startedAt + this.rng.span(3 * MIN, 12 * MIN);
    const publishedAt = builtAt + this.rng.span(20 * SEC, 90 * SEC);
    const finishedAt = result.ok ? publishedAt + this.rng.span(30 * SEC, 2 * MIN) : builtAt;
    if (finishedAt > this.ciCutoff) return null;

    const chainId = this.rng.uuid();
    const scm = this.scmProducer(service);
    const repoId = service.ci === 'github' ? `acme/${service.name}` : `FIN/${service.name}`;
    let mergeId = '';
    for (let i = merges - 1; i >= 0; i--) {
      const at = i === 0 ? mergedAt : mergedAt - i * this.rng.span(20 * MIN, 3 * HOUR);
      const pr = this.nextPr(service.name);
      mergeId = this.emit(
        at,
        scm,
        'change.merged',
        { id: service.ci === 'github' ? `acme/${service.name}/pull/${pr}` : `FIN/${service.name}/pull-requests/${pr}`, content: { repository: { id: repoId, source: service.repository } } },
        i === 0 ? { chainId } : {},
      );
    }

    this.runNumber += this.rng.int(1, 40_000);
    const jobNumber = this.nextJobNumber(service.name);
    const runId = service.ci === 'github' ? String(this.runNumber) : `${service.name}/${jobNumber}`;
    const runUri = service.ci === 'github' ? `https://github.com/acme/${service.name}/actions/runs/${this.runNumber}` : `https://jenkins.acme.example/job/${service.name}/${jobNumber}/`;
    const uriKey = legacy ? 'url' : 'uri';
    const pipelineName = `${service.name} release`;
    const startedId = this.emit(startedAt, ci, 'pipelinerun.started', { id: runId, content: { pipelineName, [uriKey]: runUri } }, { chainId, after: mergeId });

    if (!result.ok) {
      this.emit(
        finishedAt,
        ci,
        'pipelinerun.finished',
        { id: runId, content: { pipelineName, [uriKey]: runUri, outcome: 'failure', errors: this.rng.pick(BUILD_ERRORS) } },
        { chainId, after: startedId },
      );
      return finishedAt;
    }
    const buildId = this.emit(builtAt, ci, 'build.finished', { id: `${runId}/build`, content: { artifactId: result.artifactId } }, { chainId, after: startedId });
    const publishedId = this.emit(
      publishedAt,
      this.registryProducer(service),
      'artifact.published',
      {
        id: result.artifactId,
        content: { sbom: { uri: `https://registry.example.com/acme/${service.name}/sbom/${result.version}.spdx.json` }, user: service.ci === 'github' ? 'github-actions' : 'jenkins' },
      },
      { chainId, after: buildId },
    );
    this.emit(finishedAt, ci, 'pipelinerun.finished', { id: runId, content: { pipelineName, [uriKey]: runUri, outcome: 'success' } }, { chainId, after: publishedId });
    return publishedAt;
  }

  private deploy(service: DemoService, env: string, t: number, name: 'service.deployed' | 'service.upgraded' | 'service.rolledback', artifactId: string, version: string): void {
    this.emit(t, this.deployProducer(service, env), name, { id: service.name, content: { environment: { id: env }, artifactId } });
    const key = cellKey(service.name, env);
    this.cells.set(key, { artifactId, version, lastT: t });
    const log = this.deployLog.get(key) ?? [];
    log.push({ t, artifactId });
    this.deployLog.set(key, log);
  }

  /** Runs a test suite after a deployment; returns whether it passed (or was skipped by the cutoff). */
  private testSuite(service: DemoService, env: string, deployedAt: number, suite: 'e2e' | 'smoke', failRate: number, cutoff: number): boolean {
    const producer = this.testProducer(service);
    const startedAt = deployedAt + this.rng.span(2 * MIN, 6 * MIN);
    const finishedAt = startedAt + (suite === 'e2e' ? this.rng.span(8 * MIN, 25 * MIN) : this.rng.span(40 * SEC, 3 * MIN));
    if (finishedAt > cutoff) return true;
    const runId = this.rng.hex(24);
    const testSuite = {
      id: `${service.name}-${suite}`,
      name: `${service.name} ${suite === 'e2e' ? 'end-to-end' : 'smoke'} tests`,
      uri: `https://testkube.acme.example/test-workflows/${service.name}-${suite}`,
    };
    const environment = { id: env };
    const passed = !this.rng.chance(failRate);
    this.emit(startedAt, producer, 'testsuiterun.started', { id: runId, content: { environment, testSuite, trigger: { type: 'event' } } });
    const content: Record<string, unknown> = { environment, testSuite, outcome: passed ? 'success' : 'failure' };
    if (!passed) Object.assign(content, { severity: 'high', reason: this.rng.pick(TEST_FAILURES) });
    this.emit(finishedAt, producer, 'testsuiterun.finished', { id: runId, content });
    return passed;
  }

  /**
   * An upgrade that goes wrong: upgraded, smoke test fails, incident detected, rolled back to the
   * previous artifact, incident resolved. Returns false (and emits nothing) when it would not fit
   * before the cutoff.
   */
  private failedUpgrade(service: DemoService, env: string, t: number, release: Release, previous: Cell, cutoff: number): boolean {
    const detectedAt = t + this.rng.span(4 * MIN, 12 * MIN);
    const rolledBackAt = detectedAt + this.rng.span(8 * MIN, 30 * MIN);
    const resolvedAt = rolledBackAt + this.rng.span(10 * MIN, 50 * MIN);
    if (resolvedAt > cutoff) return false;
    this.deploy(service, env, t, 'service.upgraded', release.artifactId, release.version);
    if (env !== DC2) {
      const producer = this.testProducer(service);
      const finishedAt = t + this.rng.span(2 * MIN, 4 * MIN);
      const testSuite = { id: `${service.name}-smoke`, name: `${service.name} smoke tests`, uri: `https://testkube.acme.example/test-workflows/${service.name}-smoke` };
      this.emit(finishedAt, producer, 'testsuiterun.finished', {
        id: this.rng.hex(24),
        content: { environment: { id: env }, testSuite, outcome: 'failure', severity: 'critical', reason: 'smoke tests failed after upgrade' },
      });
    }
    const reasons = service.category === 'blockchain' ? BLOCKCHAIN_ROLLBACK_REASONS : ROLLBACK_REASONS;
    const incident = { id: `INC-${this.incidentNumber++}`, env, service: service.name, artifactId: release.artifactId };
    this.incident(incident, detectedAt, resolvedAt, `${service.name} ${release.version} in ${env}: ${this.rng.pick(reasons)}`, `rolled back to ${previous.version}`, () =>
      this.deploy(service, env, rolledBackAt, 'service.rolledback', previous.artifactId, previous.version),
    );
    return true;
  }

  private incident(
    incident: { id: string; env: string; service: string; artifactId?: string },
    detectedAt: number,
    resolvedAt: number,
    description: string,
    resolution: string,
    between?: () => void,
  ): void {
    const producer = this.incidentProducer(incident.env);
    const content = (text: string): Record<string, unknown> => ({
      description: text,
      environment: { id: incident.env },
      service: { id: incident.service },
      ...(incident.artifactId ? { artifactId: incident.artifactId } : {}),
    });
    this.emit(detectedAt, producer, 'incident.detected', { id: incident.id, content: content(description) });
    between?.();
    this.emit(resolvedAt, producer, 'incident.resolved', { id: incident.id, content: content(`${description} (resolved: ${resolution})`) });
  }

  /** Incidents not caused by a deployment: the artifact is whatever ran at the time. */
  private standaloneIncidents(): void {
    const cases: Array<[string, string, number, string]> = [
      ['besu-validator', DC1, 0.3, 'validator peer count dropped to 2 of 4 (network partition on HCI cluster)'],
      ['ccip-router', DC2, 0.55, 'RMN blessing latency above 15 minutes'],
      ['search', OCI, 0.7, 'index shard unassigned, degraded search results'],
      ['firefly-core', DC1, 0.8, 'event stream websocket disconnects every few minutes'],
    ];
    const span = this.envCutoff - this.start;
    for (const [service, env, at, description] of cases) {
      const detectedAt = this.start + Math.floor(span * at) + this.rng.span(-6 * HOUR, 6 * HOUR);
      const resolvedAt = detectedAt + this.rng.span(20 * MIN, 3 * HOUR);
      if (resolvedAt > this.envCutoff) continue;
      const log = this.deployLog.get(cellKey(service, env)) ?? [];
      const running = [...log].reverse().find((d) => d.t < detectedAt);
      this.incident({ id: `INC-${this.incidentNumber++}`, env, service, artifactId: running?.artifactId }, detectedAt, resolvedAt, description, 'mitigated');
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  private artifactId(service: DemoService, version: string): string {
    return `pkg:oci/${service.name}@sha256%3A${this.rng.hex(64)}?repository_url=registry.example.com/acme/${service.name}&tag=${version}`;
  }

  private nextJobNumber(service: string): number {
    const next = (this.jobNumbers.get(service) ?? this.rng.int(300, 1500)) + 1;
    this.jobNumbers.set(service, next);
    return next;
  }

  private nextPr(service: string): number {
    const next = (this.prNumbers.get(service) ?? this.rng.int(180, 2400)) + this.rng.int(1, 6);
    this.prNumbers.set(service, next);
    return next;
  }
}

function cellKey(service: string, env: string): string {
  return `${service}|${env}`;
}

/** Next semver: mostly patch, sometimes minor, rarely major. */
function bump(version: string, roll: number): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (roll < 0.03) return `${major + 1}.0.0`;
  if (roll < 0.3) return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** RFC 3339 UTC with milliseconds, or microseconds for producers that send them. */
function formatTimestamp(micros: number, micro: boolean): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  if (!micro) return iso;
  return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, '0')}Z`;
}
