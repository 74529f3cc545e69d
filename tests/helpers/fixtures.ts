import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared CDEvents test data beside the repository (conformance examples, schemas). */
export const SHARED_CDEVENTS = resolve(import.meta.dirname, '../../../shared/cdevents');

export interface Fixture {
  version: string;
  name: string;
  event: Record<string, unknown>;
}

/** Every conformance example of every copied spec version, plus the custom-event examples. */
export function conformanceExamples(): Fixture[] {
  const out: Fixture[] = [];
  for (const version of ['0.3.0', '0.4.1', '0.5.1']) {
    const dir = join(SHARED_CDEVENTS, version, 'conformance');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      out.push({ version, name: file.replace(/\.json$/, ''), event: JSON.parse(readFileSync(join(dir, file), 'utf8')) });
    }
    try {
      const custom = join(SHARED_CDEVENTS, version, 'custom', 'conformance.json');
      out.push({ version, name: 'custom', event: JSON.parse(readFileSync(custom, 'utf8')) });
    } catch {
      // 0.3.0 has no custom events.
    }
  }
  return out;
}

/** A deep copy, so a test can change a fixture without touching another test's. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

let counter = 0;
/** A valid v0.5.1 service event for `service` in `environment`. */
export function serviceEvent(opts: {
  predicate?: 'deployed' | 'upgraded' | 'rolledback' | 'removed' | 'published';
  service?: string;
  environment?: string;
  artifactId?: string;
  timestamp?: string;
  id?: string;
  source?: string;
}): Record<string, unknown> {
  const predicate = opts.predicate ?? 'deployed';
  const content: Record<string, unknown> = { environment: { id: opts.environment ?? 'prod' } };
  if (['deployed', 'upgraded', 'rolledback'].includes(predicate)) {
    content.artifactId = opts.artifactId ?? 'pkg:oci/app@sha256%3Aabc?tag=1.0.0';
  }
  return {
    context: {
      specversion: '0.5.1',
      id: opts.id ?? `test-${Date.now()}-${counter++}`,
      source: opts.source ?? '/tests',
      type: `dev.cdevents.service.${predicate}.0.3.0`,
      timestamp: opts.timestamp ?? new Date().toISOString(),
    },
    subject: { id: opts.service ?? 'app', content },
  };
}
