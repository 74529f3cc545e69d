import { describe, expect, it } from 'vitest';
import { versionOfArtifact } from '../../functions/src/core/cdevents/artifact';
import { extractEvent, parseIngestRequest } from '../../functions/src/core/cdevents/envelope';
import { eventKey, normalise, prepareEvent } from '../../functions/src/core/cdevents/prepare';
import { toSortableUtc } from '../../functions/src/core/cdevents/time';
import { nextCell } from '../../functions/src/core/inventory/project';
import { serviceEvent } from '../helpers/fixtures';

describe('toSortableUtc', () => {
  it.each([
    ['2026-11-23T09:00:00Z', '2026-11-23T09:00:00.000000000Z'],
    ['2026-11-23T09:00:00.123456789Z', '2026-11-23T09:00:00.123456789Z'],
    ['2026-11-23T10:30:00.5+01:30', '2026-11-23T09:00:00.500000000Z'],
    ['2026-11-23t09:00:00z', '2026-11-23T09:00:00.000000000Z'],
    ['2026-11-23T00:00:00-05:00', '2026-11-23T05:00:00.000000000Z'],
  ])('%s → %s', (input, expected) => {
    expect(toSortableUtc(input)).toBe(expected);
  });

  it.each(['yesterday', '2026-11-23', '2026-11-23T09:00:00', 42, null])('refuses %s', (input) => {
    expect(toSortableUtc(input)).toBeNull();
  });

  it('orders sub-millisecond timestamps that Date would tie', () => {
    const a = toSortableUtc('2026-11-23T09:00:00.000001Z')!;
    const b = toSortableUtc('2026-11-23T09:00:00.000002Z')!;
    expect(a < b).toBe(true);
  });
});

describe('versionOfArtifact', () => {
  it.each([
    ['pkg:oci/payments@sha256%3Aabc?repository_url=r.example/p&tag=2.14.1', '2.14.1'],
    ['pkg:oci/myapp@sha256%3A0b31', 'sha256:0b31'],
    ['pkg:npm/%40acme/ui@1.2.3', '1.2.3'],
    ['pkg:maven/org.acme/app', null],
    ['registry.example/app:1.4.0', '1.4.0'],
    ['app@sha256:beef', 'sha256:beef'],
    ['plain-name', null],
  ])('%s → %s', (artifact, version) => {
    expect(versionOfArtifact(artifact)).toBe(version);
  });
});

describe('parseIngestRequest', () => {
  const event = serviceEvent({ id: 'p-1' });

  it('takes a batch by content type or by array, and refuses an empty or non-array batch', () => {
    expect(parseIngestRequest({}, JSON.stringify([event]), 500)).toMatchObject({ batch: true, items: [{ ok: true }] });
    expect(parseIngestRequest({ 'content-type': 'application/cloudevents-batch+json' }, '{}', 500)).toMatchObject({ error: { code: 'invalid_batch' } });
    expect(parseIngestRequest({}, '[]', 500)).toMatchObject({ error: { code: 'empty_batch' } });
    expect(parseIngestRequest({}, JSON.stringify([event, event]), 1)).toMatchObject({ error: { code: 'batch_too_large' } });
  });

  it('rebuilds the context of a legacy CloudEvent that carries the CDEvent fields as attributes', () => {
    const legacy = { specversion: '0.3', id: 'l-1', source: '/legacy', type: 'dev.cdevents.build.queued.0.3.0', time: '2026-01-01T00:00:00Z', subject: 'b-1', data: {} };
    const extracted = extractEvent(legacy);
    expect(extracted).toMatchObject({ ok: true, receivedAs: 'structured', cdevent: { context: { id: 'l-1', source: '/legacy' }, subject: { id: 'b-1', content: {} } } });
    expect(extracted.ok && extracted.envelopeViolations[0]!.path).toBe('$.context');
  });

  it('decodes data_base64 and EventBridge string details', () => {
    const b64 = { specversion: '1.0', id: 'p-1', source: '/tests', type: 'x', data_base64: Buffer.from(JSON.stringify(event)).toString('base64') };
    expect(extractEvent(b64)).toMatchObject({ ok: true, cdevent: event });
    expect(extractEvent({ 'detail-type': 'CDEvent', source: 's', detail: JSON.stringify(event) })).toMatchObject({ ok: true, receivedAs: 'eventbridge', cdevent: event });
    expect(extractEvent({ 'detail-type': 'CDEvent', source: 's', detail: '{oops' })).toMatchObject({ ok: false, error: { field: 'detail' } });
  });
});

describe('prepareEvent', () => {
  it('derives the key from source + id only, so retries deduplicate', () => {
    const a = prepareEvent(extractEvent(serviceEvent({ id: 'k', source: '/s', timestamp: '2026-01-01T00:00:00Z' })), 'now');
    const b = prepareEvent(extractEvent(serviceEvent({ id: 'k', source: '/s', timestamp: '2026-02-01T00:00:00Z' })), 'now');
    expect('key' in a && 'key' in b && a.key === b.key).toBe(true);
    expect(eventKey('/s', 'k')).not.toBe(eventKey('/s', 'k2'));
    expect(eventKey('/s\u0000', 'k')).not.toBe(eventKey('/s', '\u0000k'));
  });

  it('maps 0.4 outcomes and reads the service of an incident', () => {
    const incident = {
      context: { version: '0.4.1', id: 'i', source: '/s', type: 'dev.cdevents.incident.detected.0.2.0', timestamp: '2026-01-01T00:00:00Z' },
      subject: { id: 'inc', type: 'incident', content: { environment: { id: 'prod' }, service: { id: 'payments' } } },
    };
    expect(prepareEvent(extractEvent(incident), 'now')).toMatchObject({ service: 'payments', environment: 'prod', specVersion: '0.4.1' });
    const run = {
      context: { version: '0.4.1', id: 'r', source: '/s', type: 'dev.cdevents.testsuiterun.finished.0.2.0', timestamp: '2026-01-01T00:00:00Z' },
      subject: { id: 'run', type: 'testSuiteRun', content: { environment: { id: 'qa' }, outcome: 'PASS' } },
    };
    expect(prepareEvent(extractEvent(run), 'now')).toMatchObject({ outcome: 'success' });
  });

  it('normalises by dropping nulls, never by changing values', () => {
    expect(normalise({ a: null, b: { c: null, d: 1 }, e: [null, 2] })).toEqual({ b: { d: 1 }, e: [null, 2] });
  });
});

describe('nextCell', () => {
  const prepared = (opts: Parameters<typeof serviceEvent>[0]) => {
    const p = prepareEvent(extractEvent(serviceEvent(opts)), 'now');
    if ('error' in p) throw new Error('unusable');
    return { ...p, ingestedAt: 'now', projected: false };
  };

  it('keeps `since` for a redeploy of the same artifact and moves it for a new one', () => {
    const first = nextCell(null, prepared({ artifactId: 'a1', timestamp: '2026-01-01T00:00:00Z' }), 'app', 'prod');
    const same = nextCell(first, prepared({ predicate: 'upgraded', artifactId: 'a1', timestamp: '2026-01-02T00:00:00Z' }), 'app', 'prod');
    expect(same.since).toBe('2026-01-01T00:00:00Z');
    const changed = nextCell(same, prepared({ predicate: 'upgraded', artifactId: 'a2', timestamp: '2026-01-03T00:00:00Z' }), 'app', 'prod');
    expect(changed.since).toBe('2026-01-03T00:00:00Z');
    const removed = nextCell(changed, prepared({ predicate: 'removed', timestamp: '2026-01-04T00:00:00Z' }), 'app', 'prod');
    expect(removed).toMatchObject({ state: 'removed', artifactId: 'a2' });
  });
});
