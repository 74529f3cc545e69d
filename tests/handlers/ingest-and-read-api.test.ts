import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import type { EventDetail, EventSummary, IngestResult, Inventory, Page, ServiceDetail } from '../../functions/src/core/read-models';
import { clone, conformanceExamples, serviceEvent } from '../helpers/fixtures';
import { authHeaders } from '../helpers/auth';

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-api-', { seed: false, retry: { attempts: 2, baseDelayMs: 1 } });
});

afterAll(async () => {
  await rt?.stop();
});

async function post(body: unknown, headers: Record<string, string> = {}, raw = false) {
  const res = await fetch(`${rt.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json', ...headers },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as { results: IngestResult[]; error?: { code: string; field: string | null; message: string } } };
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rt.url}${path}`, { headers: authHeaders(rt, 'viewer') });
  return { status: res.status, body: (await res.json()) as T };
}

describe('POST /api/events', () => {
  it('refuses a missing or wrong producer token with 401 and names the header', async () => {
    const noToken = await fetch(`${rt.url}/api/events`, { method: 'POST', body: JSON.stringify(serviceEvent({})) });
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: unknown }).error).toMatchObject({ code: 'unauthorized', field: 'Authorization' });
    const wrong = await post(serviceEvent({}), { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
  });

  it('stores a bare CDEvent once and answers duplicate for the same source + id', async () => {
    const event = serviceEvent({ service: 'bare-svc', environment: 'prod', id: 'bare-1' });
    const first = await post(event);
    expect(first.status).toBe(202);
    expect(first.body.results).toEqual([{ status: 'stored', key: expect.stringMatching(/^e[0-9a-f]{40}$/), violations: [] }]);
    const again = await post(event);
    expect(again.body.results[0]).toMatchObject({ status: 'duplicate', key: first.body.results[0]!.key });
    await rt.idle();
    const detail = await get<EventDetail>(`/api/events/${first.body.results[0]!.key}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ receivedAs: 'bare', service: 'bare-svc', environment: 'prod', valid: true, raw: event });
    const page = await get<Page<EventSummary>>('/api/events?service=bare-svc');
    expect(page.body.items).toHaveLength(1);
  });

  it('accepts CloudEvents structured mode and records a mismatched ce attribute as a violation', async () => {
    const cdevent = serviceEvent({ service: 'structured-svc', id: 'st-1' });
    const envelope = {
      specversion: '1.0',
      id: 'st-1',
      source: '/tests',
      type: (cdevent.context as { type: string }).type,
      subject: 'not-the-subject',
      time: (cdevent.context as { timestamp: string }).timestamp,
      datacontenttype: 'application/json',
      data: cdevent,
    };
    const res = await post(envelope, { 'content-type': 'application/cloudevents+json' });
    expect(res.status).toBe(202);
    expect(res.body.results[0]!.status).toBe('stored');
    expect(res.body.results[0]!.violations).toEqual([{ path: '$ce.subject', message: expect.stringContaining('subject.id') }]);
    const detail = await get<EventDetail>(`/api/events/${res.body.results[0]!.key}`);
    expect(detail.body.receivedAs).toBe('structured');
    expect(detail.body.normalised).toEqual(cdevent);
  });

  it('accepts CloudEvents binary mode (ce-* headers, CDEvent body)', async () => {
    const cdevent = serviceEvent({ service: 'binary-svc', id: 'bin-1' });
    const ctx = cdevent.context as Record<string, string>;
    const res = await post(cdevent, {
      'ce-specversion': '1.0',
      'ce-id': ctx.id!,
      'ce-source': ctx.source!,
      'ce-type': ctx.type!,
      'ce-time': ctx.timestamp!,
      'ce-subject': 'binary-svc',
    });
    expect(res.body.results).toEqual([{ status: 'stored', key: expect.any(String), violations: [] }]);
    expect((await get<EventDetail>(`/api/events/${res.body.results[0]!.key}`)).body.receivedAs).toBe('binary');
  });

  it('answers one result per event of a batch, in order, rejecting only the unusable ones', async () => {
    const a = serviceEvent({ service: 'batch-svc', id: 'batch-a' });
    const b = serviceEvent({ service: 'batch-svc', id: 'batch-b', environment: 'staging' });
    const noType = { context: { id: 'x', source: '/s' }, subject: { id: 's', content: {} } };
    const eventBridge = { version: '0', 'detail-type': 'CDEvent', source: 'ci', detail: serviceEvent({ service: 'batch-svc', id: 'batch-eb', environment: 'dev' }) };
    const res = await post([a, noType, b, a, eventBridge], { 'content-type': 'application/cloudevents-batch+json' });
    expect(res.status).toBe(202);
    expect(res.body.results.map((r) => r.status)).toEqual(['stored', 'rejected', 'stored', 'duplicate', 'stored']);
    expect(res.body.results[1]!.error).toMatchObject({ code: 'missing_type', field: 'context.type' });
    expect(res.body.results[3]!.key).toBe(res.body.results[0]!.key);
    expect((await get<EventDetail>(`/api/events/${res.body.results[4]!.key}`)).body.receivedAs).toBe('eventbridge');
  });

  it('stores an event with schema violations leniently and reports them with JSON paths', async () => {
    const event = serviceEvent({ service: 'lenient-svc', id: 'len-1' });
    (event.context as Record<string, unknown>).timestamp = 'yesterday';
    delete (event.subject as { content: Record<string, unknown> }).content.artifactId;
    const res = await post(event);
    expect(res.body.results[0]!.status).toBe('stored');
    const paths = res.body.results[0]!.violations.map((v) => v.path);
    expect(paths).toEqual(expect.arrayContaining(['$.context.timestamp', '$.subject.content.artifactId']));
    const detail = await get<EventDetail>(`/api/events/${res.body.results[0]!.key}`);
    expect(detail.body.valid).toBe(false);
    expect(detail.body.violations.length).toBe(paths.length);
  });

  it('answers 400 naming the field when nothing can be used', async () => {
    const notJson = await post('{not json', {}, true);
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatchObject({ code: 'invalid_json', field: 'body' });
    const noType = await post({ context: { id: '1', source: '/s' } });
    expect(noType.body.error).toMatchObject({ code: 'missing_type', field: 'context.type' });
    const notCdevent = await post({ context: { id: '1', source: '/s', type: 'com.example.thing' } });
    expect(notCdevent.body.error).toMatchObject({ code: 'not_a_cdevent', field: 'context.type' });
    const noId = await post({ context: { source: '/s', type: 'dev.cdevents.build.queued.0.3.0' } });
    expect(noId.body.error).toMatchObject({ code: 'missing_id', field: 'context.id' });
    const allBad = await post([{ context: {} }]);
    expect(allBad.status).toBe(400);
    expect(allBad.body.error!.field).toBe('[0].context.type');
    const tooMany = await post(Array.from({ length: 501 }, (_, i) => serviceEvent({ id: `many-${i}` })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 'batch_too_large', field: 'body' });
    const batchNotArray = await post(serviceEvent({}), { 'content-type': 'application/cloudevents-batch+json' });
    expect(batchNotArray.body.error).toMatchObject({ code: 'invalid_batch' });
  });

  it('answers 413 over the body size limit, without a 5xx', async () => {
    const huge = JSON.stringify({ context: { type: 'dev.cdevents.build.queued.0.3.0' }, pad: 'x'.repeat(6 * 1024 * 1024) });
    const res = await post(huge, {}, true);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', field: 'body' });
    const oneTooBig = serviceEvent({ id: 'big-one' });
    (oneTooBig as Record<string, unknown>).customData = { pad: 'y'.repeat(200 * 1024) };
    const batch = await post([oneTooBig, serviceEvent({ id: 'small-one', service: 'small' })]);
    expect(batch.status).toBe(202);
    expect(batch.body.results.map((r) => r.status)).toEqual(['rejected', 'stored']);
    expect(batch.body.results[0]!.error!.code).toBe('event_too_large');
  });
});

describe('current state', () => {
  it('keeps the newest deployment per service × environment; a late event never overwrites it', async () => {
    await post(serviceEvent({ service: 'late-svc', environment: 'prod', artifactId: 'pkg:oci/late@sha256%3A2?tag=2.0.0', timestamp: '2026-11-20T10:00:00Z', id: 'late-2' }));
    await post(serviceEvent({ predicate: 'upgraded', service: 'late-svc', environment: 'prod', artifactId: 'pkg:oci/late@sha256%3A1?tag=1.0.0', timestamp: '2026-11-19T10:00:00Z', id: 'late-1' }));
    await rt.idle();
    const inventory = (await get<Inventory>('/api/inventory')).body;
    const cell = inventory.cells.find((c) => c.service === 'late-svc' && c.environment === 'prod');
    expect(cell).toMatchObject({ version: '2.0.0', since: '2026-11-20T10:00:00Z', state: 'running' });
    const service = (await get<ServiceDetail>('/api/services/late-svc')).body;
    expect(service.history.map((h) => h.version)).toEqual(['2.0.0', '1.0.0']);
  });

  it('moves `since` only when the artifact changes, and greys a removed service', async () => {
    const art = 'pkg:oci/since@sha256%3Aa?tag=3.1.0';
    await post(serviceEvent({ service: 'since-svc', environment: 'qa', artifactId: art, timestamp: '2026-11-01T00:00:00Z', id: 's1' }));
    await post(serviceEvent({ predicate: 'upgraded', service: 'since-svc', environment: 'qa', artifactId: art, timestamp: '2026-11-02T00:00:00Z', id: 's2' }));
    await rt.idle();
    let cell = (await get<Inventory>('/api/inventory')).body.cells.find((c) => c.service === 'since-svc')!;
    expect(cell).toMatchObject({ since: '2026-11-01T00:00:00Z', lastEventAt: '2026-11-02T00:00:00Z' });
    await post(serviceEvent({ predicate: 'removed', service: 'since-svc', environment: 'qa', timestamp: '2026-11-03T00:00:00Z', id: 's3' }));
    await rt.idle();
    cell = (await get<Inventory>('/api/inventory')).body.cells.find((c) => c.service === 'since-svc')!;
    expect(cell).toMatchObject({ state: 'removed', version: '3.1.0' });
  });

  it('answers 404 for an unknown service and an unknown event', async () => {
    expect((await get('/api/services/no-such-service')).status).toBe(404);
    const missing = await get<{ error: { code: string; field: string } }>('/api/events/eunknown');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', field: 'key' });
  });

  it('lists environments with provider metadata from customData', async () => {
    await post({
      context: { specversion: '0.5.1', id: 'env-1', source: '/tests', type: 'dev.cdevents.environment.created.0.3.0', timestamp: '2026-11-01T00:00:00Z' },
      subject: { id: 'prod-oci', content: { name: 'prod-oci', uri: 'https://oci.example.com' } },
      customData: { signalbox: { environment: { provider: 'oci', kind: 'cloud', region: 'eu-frankfurt-1' } } },
    });
    await rt.idle();
    const envs = (await get<{ items: { name: string; provider: string; url: string }[] }>('/api/environments')).body.items;
    expect(envs.find((e) => e.name === 'prod-oci')).toMatchObject({ provider: 'oci', kind: 'cloud', url: 'https://oci.example.com' });
  });
});

describe('GET /api/events', () => {
  it('pages newest first across days with a cursor, and filters by service, environment, type and time', async () => {
    const days = ['2025-01-05', '2025-01-04', '2025-01-03', '2024-06-01'];
    const events = days.flatMap((d, i) =>
      [0, 1, 2].map((j) =>
        serviceEvent({ service: 'paged-svc', environment: j === 0 ? 'paged-a' : 'paged-b', timestamp: `${d}T0${j}:00:00Z`, id: `paged-${i}-${j}`, predicate: j === 2 ? 'published' : 'deployed' }),
      ),
    );
    await post(events);
    await rt.idle();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: Page<EventSummary> } = await get<Page<EventSummary>>(`/api/events?limit=5&until=2025-01-05&since=2024-01-01${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.next;
      pages++;
    } while (cursor && pages < 10);
    const expected = [...events]
      .sort((x, y) => ((y.context as { timestamp: string }).timestamp < (x.context as { timestamp: string }).timestamp ? -1 : 1))
      .map((e) => (e.context as { id: string }).id);
    expect(expected.slice(0, 3)).toEqual(['paged-0-2', 'paged-0-1', 'paged-0-0']);
    expect(seen).toEqual(expected);
    const byEnv = (await get<Page<EventSummary>>('/api/events?environment=paged-a')).body.items;
    expect(byEnv.map((e) => e.id)).toEqual(['paged-0-0', 'paged-1-0', 'paged-2-0', 'paged-3-0']);
    const byType = (await get<Page<EventSummary>>('/api/events?service=paged-svc&type=dev.cdevents.service.published.0.3.0')).body.items;
    expect(byType).toHaveLength(4);
    const byPrefix = (await get<Page<EventSummary>>('/api/events?service=paged-svc&environment=paged-b&type=dev.cdevents.service.')).body.items;
    expect(byPrefix).toHaveLength(8);
  });

  it('answers 400 naming the parameter for a bad limit, cursor or time', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['since=last-tuesday', 'since'],
      ['since=2025-02-01&until=2025-01-01', 'since'],
    ] as const) {
      const res = await get<{ error: { field: string } }>(`/api/events?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.field, query).toBe(field);
    }
  });
});

describe('dead letters', () => {
  it('lists a failed store delivery and replays it once the fault is gone', async () => {
    const inventory = rt.deps.inventory;
    const original = inventory.putCellIf.bind(inventory);
    inventory.putCellIf = async () => {
      throw new Error('store is down');
    };
    let key: string;
    try {
      const res = await post(serviceEvent({ service: 'dlq-svc', environment: 'prod', id: 'dlq-1' }));
      key = res.body.results[0]!.key!;
      await rt.idle();
    } finally {
      inventory.putCellIf = original;
    }
    const list = (await get<Page<{ id: string; eventKey: string; state: string; error: string }>>('/api/dead-letters')).body;
    const entry = list.items.find((d) => d.eventKey === key)!;
    expect(entry).toMatchObject({ state: 'pending', error: expect.stringContaining('store is down') });
    expect((await get<Inventory>('/api/inventory')).body.cells.some((c) => c.service === 'dlq-svc')).toBe(false);
    const replay = await fetch(`${rt.url}/api/dead-letters/${encodeURIComponent(entry.id)}/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { deadLetter: { state: string } }).deadLetter.state).toBe('replayed');
    expect((await get<Inventory>('/api/inventory')).body.cells.some((c) => c.service === 'dlq-svc')).toBe(true);
    expect((await get<Page<EventSummary>>('/api/events?service=dlq-svc')).body.items).toHaveLength(1);
    const unknown = await fetch(`${rt.url}/api/dead-letters/nope/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(unknown.status).toBe(404);
  });
});

describe('EventBridge PutEvents endpoint', () => {
  it('takes CDEvents from an unmodified AWS SDK EventBridge client', async () => {
    const client = new EventBridgeClient({ endpoint: rt.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
    const cdevent = serviceEvent({ service: 'sdk-svc', environment: 'prod-aws', id: 'sdk-1' });
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'acme.ci', DetailType: 'CDEvent', Detail: JSON.stringify(cdevent), EventBusName: 'signalbox' }] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await rt.idle();
    const page = (await get<Page<EventSummary>>('/api/events?service=sdk-svc')).body;
    expect(page.items).toHaveLength(1);
    const detail = (await get<EventDetail>(`/api/events/${page.items[0]!.key}`)).body;
    expect(detail.receivedAs).toBe('eventbridge');
    expect((await get<Inventory>('/api/inventory')).body.cells.find((c) => c.service === 'sdk-svc')?.environment).toBe('prod-aws');
    client.destroy();
  });
});

describe('conformance examples (done criterion)', () => {
  it('stores all 131 examples, each with a unique id, shows them in the timeline and service events in the matrix', async () => {
    const examples = conformanceExamples();
    expect(examples).toHaveLength(131);
    const sent = examples.map((f, i) => {
      const event = clone(f.event);
      (event.context as Record<string, unknown>).id = `conformance-${f.version}-${f.name}-${i}`;
      return event;
    });
    const res = await post(sent);
    expect(res.status).toBe(202);
    const statuses = res.body.results.map((r, i) => `${examples[i]!.version}/${examples[i]!.name}:${r.status}:${r.violations.length}`);
    expect(statuses.filter((s) => !s.endsWith(':stored:0'))).toEqual([]);
    await rt.idle();
    for (const [i, r] of res.body.results.entries()) {
      const detail = await get<EventDetail>(`/api/events/${r.key}`);
      expect(detail.status, examples[i]!.name).toBe(200);
      expect(detail.body.valid).toBe(true);
    }
    // Every example says 2023-03-20 (0.4.1/0.5.1) or its own date: page the whole timeline.
    const keys = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { body: Page<EventSummary> } = await get<Page<EventSummary>>(`/api/events?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      page.body.items.forEach((e) => keys.add(e.key));
      cursor = page.body.next;
    } while (cursor);
    for (const r of res.body.results) expect(keys.has(r.key!)).toBe(true);
    const inventory = (await get<Inventory>('/api/inventory')).body;
    const deploying = examples.filter((f) => /^service_(deployed|upgraded|rolledback)$/.test(f.name));
    expect(deploying.length).toBe(9);
    const subjects = new Set(deploying.map((f) => (f.event.subject as { id: string }).id));
    for (const s of subjects) expect(inventory.services).toContain(s);
  });
});
