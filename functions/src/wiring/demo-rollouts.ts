import { startDemoService, startDemoTraffic, type DemoService, type DemoTraffic } from '../adapters/local/demo-service';
import { WeightedProxy } from '../adapters/local/weighted-proxy';
import type { AnalysisTemplate, RolloutPreset, RolloutSpec } from '../core/rollouts/model';

export const DEMO_SERVICE = 'demo-api';
export const DEMO_ENVIRONMENT = 'local-demo';
export const DEMO_PROXY = 'demo';
export const GOOD_VERSIONS = ['1.0.0', '1.1.0'] as const;
export const BAD_VERSION = '1.2.0';

export const demoArtifact = (version: string) => `pkg:oci/${DEMO_SERVICE}@${version}`;

export interface DemoRolloutOptions {
  /** Error rate of the bad version (0–1). Default 0.3. */
  badErrorRate?: number;
  /** Extra latency of the bad version, ms. Default 250. */
  badLatencyMs?: number;
  /** Requests per second the load generator sends through the proxy. Default 20; 0 = none. */
  ratePerSecond?: number;
  /** Proxy port; 0 picks a free one. */
  proxyPort?: number;
}

export interface DemoRollouts {
  proxy: WeightedProxy;
  proxyUrl: string;
  services: DemoService[];
  /** The version taking most live traffic now. */
  runningVersion(): string;
  presets(): RolloutPreset[];
  stop(): Promise<void>;
}

/** The analysis every demo preset uses: the canary's error rate from the proxy's real counts. */
const ERROR_RATE: AnalysisTemplate = {
  name: 'error-rate',
  metrics: [
    {
      name: 'error-rate',
      provider: { type: 'signalbox', query: 'error-rate', version: 'canary' },
      initialDelay: '5s',
      interval: '5s',
      count: 3,
      successCondition: 'result < 0.05',
      failureLimit: 0,
      minSamples: 10,
    },
  ],
};

const LATENCY: AnalysisTemplate = {
  name: 'latency',
  metrics: [
    {
      name: 'latency-p95',
      provider: { type: 'signalbox', query: 'latency-p95-ms', version: 'canary' },
      initialDelay: '5s',
      interval: '5s',
      count: 2,
      successCondition: 'result < 200',
      failureLimit: 1,
      minSamples: 10,
    },
  ],
};

function canary(from: string, to: string): RolloutSpec {
  return {
    strategy: 'canary',
    service: DEMO_SERVICE,
    environment: DEMO_ENVIRONMENT,
    fromVersion: demoArtifact(from),
    toVersion: demoArtifact(to),
    target: { type: 'local-proxy', proxy: DEMO_PROXY },
    progressDeadlineSeconds: 120,
    onAnalysisFailure: 'abort',
    analysisTemplates: [ERROR_RATE, LATENCY],
    steps: [
      { setWeight: 20 },
      { analysis: { templates: ['error-rate', 'latency'] } },
      { setWeight: 50 },
      { gate: { name: 'go-live', timeout: '15m', onTimeout: 'abort' } },
      { setWeight: 80 },
      { pause: { duration: '10s' } },
    ],
    description: `Canary of ${DEMO_SERVICE} ${from} → ${to} on the local weighted proxy`,
  };
}

/**
 * The rollout demo of `npm start`: three real versions of a small HTTP service (two healthy, one
 * failing at a configurable rate and slower) behind the local weighted proxy, and a load generator
 * sending real requests through it, so a canary's analysis judges real error rates.
 */
export async function startDemoRollouts(opts: DemoRolloutOptions = {}): Promise<DemoRollouts> {
  const services = await Promise.all([
    startDemoService({ version: GOOD_VERSIONS[0], service: DEMO_SERVICE }),
    startDemoService({ version: GOOD_VERSIONS[1], service: DEMO_SERVICE }),
    startDemoService({ version: BAD_VERSION, service: DEMO_SERVICE, errorRate: opts.badErrorRate ?? 0.3, latencyMs: opts.badLatencyMs ?? 250 }),
  ]);
  const [v1, v2, bad] = services as [DemoService, DemoService, DemoService];
  const proxy = new WeightedProxy({
    name: DEMO_PROXY,
    stable: { version: v1.version, url: v1.url },
    canary: { version: v2.version, url: v2.url },
    others: [{ version: bad.version, url: bad.url }],
  });
  const { url: proxyUrl } = await proxy.start(opts.proxyPort ?? 0);
  const rate = opts.ratePerSecond ?? 20;
  const traffic: DemoTraffic | null = rate > 0 ? startDemoTraffic({ url: `${proxyUrl}/`, ratePerSecond: rate }) : null;

  const runningVersion = () => {
    const split = proxy.weights();
    return split.canary > split.stable ? proxy.upstream('canary').version : proxy.upstream('stable').version;
  };

  return {
    proxy,
    proxyUrl,
    services,
    runningVersion,
    presets() {
      const running = runningVersion();
      const good = running === GOOD_VERSIONS[1] ? GOOD_VERSIONS[0] : GOOD_VERSIONS[1];
      const goodSpec = canary(running, good);
      const badSpec = canary(running, BAD_VERSION);
      return [
        {
          name: 'demo-canary-good',
          title: `Canary ${DEMO_SERVICE} ${running} → ${good} (healthy)`,
          description: 'Shifts real traffic 20 % → 50 % → gate go-live → 80 % → 100 %, judging the error rate and p95 latency the proxy measures.',
          spec: goodSpec,
        },
        {
          name: 'demo-canary-bad',
          title: `Canary ${DEMO_SERVICE} ${running} → ${BAD_VERSION} (fails ${Math.round((opts.badErrorRate ?? 0.3) * 100)} % of requests)`,
          description: 'The same canary against the broken version: the analysis catches the errors at 20 % and the rollout rolls back.',
          spec: badSpec,
        },
        {
          name: 'demo-blue-green',
          title: `Blue-green ${DEMO_SERVICE} ${running} → ${good}`,
          description: 'Preview the new version, promote by hand, switch all traffic at once, check the error rate after the switch, keep the old version 30 s for an instant rollback.',
          spec: {
            strategy: 'blueGreen',
            service: DEMO_SERVICE,
            environment: DEMO_ENVIRONMENT,
            fromVersion: demoArtifact(running),
            toVersion: demoArtifact(good),
            target: { type: 'local-proxy', proxy: DEMO_PROXY },
            analysisTemplates: [ERROR_RATE],
            autoPromotionEnabled: false,
            postPromotionAnalysis: { templates: ['error-rate'] },
            scaleDownDelaySeconds: 30,
            progressDeadlineSeconds: 120,
          },
        },
      ];
    },
    async stop() {
      await traffic?.stop();
      await proxy.stop();
      await Promise.all(services.map((s) => s.stop()));
    },
  };
}

/**
 * The rollout demo's starting point as CDEvents (sent through the public ingest like the rest of the
 * seed): the local environment, and the first healthy version running there.
 */
export function demoRolloutBaselineEvents(now: Date): Record<string, unknown>[] {
  const at = (offsetSeconds: number) => new Date(now.getTime() - offsetSeconds * 1000).toISOString();
  return [
    {
      context: {
        specversion: '0.5.1',
        id: 'demo-rollouts-environment',
        source: '/signalbox/demo',
        type: 'dev.cdevents.environment.created.0.3.0',
        timestamp: at(60),
      },
      subject: { id: DEMO_ENVIRONMENT, content: { name: DEMO_ENVIRONMENT, url: 'http://127.0.0.1/' } },
      customDataContentType: 'application/json',
      customData: { signalbox: { environment: { provider: 'onprem', kind: 'hci', region: 'localhost' } } },
    },
    {
      context: {
        specversion: '0.5.1',
        id: 'demo-rollouts-baseline',
        source: '/signalbox/demo',
        type: 'dev.cdevents.service.deployed.0.3.0',
        timestamp: at(30),
      },
      subject: { id: DEMO_SERVICE, content: { environment: { id: DEMO_ENVIRONMENT }, artifactId: demoArtifact(GOOD_VERSIONS[0]) } },
    },
  ];
}
