/** CDEvents the benchmarks send or load: valid v0.5.1 `service.deployed` events. */

export interface DeployedEventOptions {
  id: string;
  service: string;
  environment: string;
  timestamp: string;
  /** Becomes the artifact's tag. */
  version: string;
  source?: string;
}

/** A valid v0.5.1 `dev.cdevents.service.deployed.0.3.0` event. */
export function deployedEvent(o: DeployedEventOptions): Record<string, unknown> {
  return {
    context: {
      specversion: '0.5.1',
      id: o.id,
      source: o.source ?? '/bench/ingest',
      type: 'dev.cdevents.service.deployed.0.3.0',
      timestamp: o.timestamp,
    },
    subject: {
      id: o.service,
      source: o.source ?? '/bench/ingest',
      content: {
        environment: { id: o.environment, source: '/bench/envs' },
        artifactId: `pkg:oci/${o.service}@sha256%3A${'0'.repeat(56)}${o.version.replace(/\D/g, '').padStart(8, '0').slice(-8)}?tag=${o.version}`,
      },
    },
  };
}

/** `svc-007`-style names: `prefix` + zero-padded index. */
export function nameOf(prefix: string, index: number, width: number): string {
  return `${prefix}${String(index).padStart(width, '0')}`;
}
