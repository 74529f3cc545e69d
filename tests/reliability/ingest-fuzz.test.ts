import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_DEPTH } from '../../functions/src/core/cdevents/envelope';
import { MAX_EVENT_BYTES, MAX_NAME_BYTES } from '../../functions/src/core/cdevents/prepare';
import { MAX_BODY_BYTES } from '../../functions/src/core/use-cases/ingest-events';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { authHeaders } from '../helpers/auth';
import { clone, conformanceExamples } from '../helpers/fixtures';

/**
 * Property-based fuzzing of `POST /api/events` over real HTTP against the local runtime: whatever
 * arrives, the answer is never a 5xx, always one of the documented statuses with the documented
 * body, and the runtime still answers afterwards. The seed is fixed so CI is repeatable; set
 * FUZZ_SEED (and FUZZ_RUNS) to explore further. fast-check prints the seed and path of a failure.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const FUZZ_TIMEOUT = 120_000;

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });
const ingestOp = doc.paths['/api/events']!.post!;
const validators = new Map(
  Object.entries(ingestOp.responses).map(([status, r]) => {
    const schema = r.content?.['application/json']?.schema;
    return [Number(status), ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')))];
  }),
);

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-fuzz-', { rateLimits: false, log: () => {} });
});
afterAll(async () => {
  await rt?.stop();
});

interface Answer {
  status: number;
  body: unknown;
}

/** Sends a body to ingest and checks the answer against the OpenAPI document; returns it. */
async function ingest(body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${rt.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBeLessThan(500);
  const validate = validators.get(res.status);
  expect(validate, `status ${res.status} of POST /api/events is documented`).toBeDefined();
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const parsed: unknown = JSON.parse(text);
  expect(validate!(parsed) ? [] : validate!.errors, `${res.status} ${text.slice(0, 300)}`).toEqual([]);
  return { status: res.status, body: parsed };
}

async function stillHealthy(): Promise<void> {
  await rt.idle();
  const health = await fetch(`${rt.url}/api/health`, { headers: authHeaders(rt, 'viewer') });
  expect(health.status).toBe(200);
  const events = await fetch(`${rt.url}/api/events?limit=5`, { headers: authHeaders(rt, 'viewer') });
  expect(events.status).toBe(200);
  // Accepted means visible: nothing that got a 202 may fail in the store consumer afterwards.
  const dead = (await (await fetch(`${rt.url}/api/dead-letters`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: { error: string }[] };
  expect(dead.items.map((d) => d.error)).toEqual([]);
}

const fixtures = conformanceExamples();
let unique = 0;

/** Every path (object keys and array indexes) inside a JSON value. */
function pathsOf(value: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    for (const [k, v] of Object.entries(node)) {
      const p = [...path, Array.isArray(node) ? Number(k) : k];
      out.push(p);
      stack.push([v, p]);
    }
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove: boolean): void {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) {
    const next = node[step];
    if (typeof next !== 'object' || next === null) return;
    node = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const nasty = fc.constantFrom('\u0000', '\u202e', '\u200f', '\ufeff', '\uffff', '<script>window.__pwned=1</script>', 'javascript:alert(1)', '../../etc/passwd', '__proto__', 'constructor', '%00', '\u{1f4a9}', '\r\n', '"', '\\');
/** Strings meant to hurt: lone surrogates, RTL overrides, NUL, markup, every code point. */
const hostileString = fc.oneof(
  fc.string({ unit: fc.oneof(loneSurrogate, nasty, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.nat({ max: 3 * MAX_NAME_BYTES }).map((n) => 'x'.repeat(n)),
);
const hostileValue = fc.oneof(hostileString, fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(null, true, 0, -1, 1e308, [], {}));
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const contentType = fc.constantFrom(
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'image/png',
);
const ceHeaders = fc.dictionary(fc.constantFrom('ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-subject', 'ce-time', 'ce-datacontenttype', 'ce-dataschema'), fc.oneof(headerText, fc.constantFrom('1.0', '0.3', '2.0')));

/** A conformance example, mutated at random paths, then wrapped in one of the accepted envelopes. */
const mutatedEvent = fc
  .record({
    fixture: fc.nat({ max: fixtures.length - 1 }),
    mutations: fc.array(fc.record({ at: fc.nat(), remove: fc.boolean(), value: hostileValue }), { maxLength: 5 }),
    wrap: fc.constantFrom('bare', 'structured', 'structured-string', 'structured-base64', 'binary', 'batch', 'ce-batch', 'eventbridge'),
    headers: ceHeaders,
  })
  .map(({ fixture, mutations, wrap, headers }) => {
    const event = clone(fixtures[fixture]!.event) as { context?: { id?: unknown } };
    if (event.context) event.context.id = `fuzz-${unique++}`;
    const paths = pathsOf(event);
    for (const m of mutations) if (paths.length) setAt(event, paths[m.at % paths.length]!, m.value, m.remove);
    const ce = { specversion: '1.0', id: 'ce-1', source: '/fuzz', type: 'dev.cdevents.x' };
    switch (wrap) {
      case 'structured':
        return { body: JSON.stringify({ ...ce, data: event }), headers: { 'content-type': 'application/cloudevents+json' } };
      case 'structured-string':
        return { body: JSON.stringify({ ...ce, data: JSON.stringify(event) }), headers: { 'content-type': 'application/cloudevents+json' } };
      case 'structured-base64':
        return { body: JSON.stringify({ ...ce, data_base64: Buffer.from(JSON.stringify(event)).toString('base64') }), headers: {} };
      case 'binary':
        return { body: JSON.stringify(event), headers: { 'ce-specversion': '1.0', ...headers } };
      case 'batch':
        return { body: JSON.stringify([event, event, { detail: event, 'detail-type': 'CDEvent', source: 'x' }]), headers };
      case 'ce-batch':
        return { body: JSON.stringify([{ ...ce, data: event }]), headers: { 'content-type': 'application/cloudevents-batch+json' } };
      case 'eventbridge':
        return { body: JSON.stringify({ detail: JSON.stringify(event), 'detail-type': 'CDEvent', source: 'fuzz' }), headers };
      default:
        return { body: JSON.stringify(event), headers };
    }
  });

/** Builds `{"a":{"a":...}}` as text: JSON.stringify itself would overflow at this depth. */
function deepObject(depth: number, leaf = '1'): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

function eventText(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    context: { specversion: '0.5.1', id, source: '/fuzz', type: 'dev.cdevents.service.deployed.0.3.0', timestamp: '2026-01-01T00:00:00Z' },
    subject: { id: 'fuzz-app', content: { environment: { id: 'fuzz-env' }, artifactId: 'pkg:oci/app@1.0' } },
    ...extra,
  };
}

describe(`POST /api/events under fuzzing (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it(
    'answers random JSON of any shape with a documented 4xx or 202',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), contentType, async (value, type) => {
          await ingest(JSON.stringify(value) ?? 'null', { 'content-type': type });
        }),
        { seed: SEED, numRuns: RUNS },
      );
      await stillHealthy();
    },
    FUZZ_TIMEOUT,
  );

  it(
    'answers mutated conformance events in every envelope (bare, structured, binary, batches, EventBridge)',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedEvent, async ({ body, headers }) => {
          await ingest(body, headers);
        }),
        { seed: SEED, numRuns: RUNS * 2 },
      );
      await stillHealthy();
    },
    FUZZ_TIMEOUT,
  );

  it(
    'answers bodies that are not JSON at all (random text, invalid UTF-8, binary) with 400',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 })), contentType, ceHeaders, async (body, type, headers) => {
          const answer = await ingest(body, { 'content-type': type, ...headers });
          if (answer.status !== 202) expect([400]).toContain(answer.status);
        }),
        { seed: SEED, numRuns: RUNS },
      );
      await stillHealthy();
    },
    FUZZ_TIMEOUT,
  );
});

describe('POST /api/events at the edges', () => {
  it(`refuses nesting ${10_000} levels deep (object, array, batch item, CloudEvent data) with 400, storing the rest of a batch`, async () => {
    const deep = deepObject(10_000);
    const template = JSON.stringify(eventText('deep-1', { customData: 'DEEP' }));
    expect((await ingest(template.replace('"DEEP"', deep))).body).toMatchObject({ error: { code: 'event_too_deep' } });
    expect((await ingest('['.repeat(10_000) + ']'.repeat(10_000))).status).toBe(400);
    expect((await ingest(JSON.stringify({ specversion: '1.0', id: 'x', source: '/s', type: 't', data: 'DEEP' }).replace('"DEEP"', deep))).status).toBe(400);
    const batch = await ingest(`[${JSON.stringify(eventText('deep-ok'))},${template.replace('"DEEP"', deep)}]`);
    expect(batch.status).toBe(202);
    expect((batch.body as { results: { status: string; error?: { code: string } }[] }).results.map((r) => r.error?.code ?? r.status)).toEqual(['stored', 'event_too_deep']);
    // Just inside the bound is fine.
    const inside = template.replace('"DEEP"', deepObject(MAX_EVENT_DEPTH - 2));
    expect((await ingest(inside.replace('deep-1', 'deep-inside'))).status).toBe(202);
    await stillHealthy();
  });

  it('takes an event of exactly the per-event limit and refuses one byte more; 413 just over the body limit', async () => {
    const sized = (id: string, bytes: number) => {
      const base = JSON.stringify(eventText(id, { customData: { pad: '' } }));
      return base.replace('"pad":""', `"pad":"${'p'.repeat(bytes - Buffer.byteLength(base))}"`);
    };
    const exact = sized('size-exact', MAX_EVENT_BYTES);
    expect(Buffer.byteLength(exact)).toBe(MAX_EVENT_BYTES);
    expect((await ingest(exact)).status).toBe(202);
    expect((await ingest(sized('size-over', MAX_EVENT_BYTES + 1))).body).toMatchObject({ error: { code: 'event_too_large' } });
    const filler = (bytes: number) => `{"pad":"${'x'.repeat(bytes - 10)}"}`;
    expect(Buffer.byteLength(filler(MAX_BODY_BYTES))).toBe(MAX_BODY_BYTES);
    expect((await ingest(filler(MAX_BODY_BYTES))).status).toBe(400);
    expect((await ingest(filler(MAX_BODY_BYTES + 1))).status).toBe(413);
    await stillHealthy();
  });

  it('refuses service and environment names longer than the store can key, instead of dead-lettering them', async () => {
    const long = 's'.repeat(MAX_NAME_BYTES + 1);
    const ok = eventText('name-ok');
    (ok.subject as { id: string }).id = 's'.repeat(MAX_NAME_BYTES);
    expect((await ingest(JSON.stringify(ok))).status).toBe(202);
    const svc = eventText('name-svc');
    (svc.subject as { id: string }).id = long;
    expect((await ingest(JSON.stringify(svc))).body).toMatchObject({ error: { code: 'name_too_long', field: 'subject.id' } });
    const env = eventText('name-env');
    (env.subject as { content: { environment: { id: string } } }).content.environment.id = long;
    expect((await ingest(JSON.stringify(env))).body).toMatchObject({ error: { code: 'name_too_long', field: 'subject.content.environment.id' } });
    await stillHealthy();
  });

  it('stores lone surrogates, RTL overrides and NUL as data and reads them back', async () => {
    const event = eventText('unicode-1');
    (event.subject as { id: string }).id = 'app\u202e\u0000\u200f';
    (event as { customData?: unknown }).customData = { lone: '\ud800', rtl: '\u202egnp.exe', nul: 'a\u0000b' };
    const answer = await ingest(JSON.stringify(event));
    expect(answer.status).toBe(202);
    const key = (answer.body as { results: { key: string }[] }).results[0]!.key;
    await rt.idle();
    const stored = await fetch(`${rt.url}/api/events/${key}`, { headers: authHeaders(rt, 'viewer') });
    expect(stored.status).toBe(200);
    const text = JSON.stringify(await stored.json());
    expect(text).toContain(JSON.stringify('app\u202e\u0000\u200f').slice(1, -1));
    expect(text).toContain(JSON.stringify('\u202egnp.exe').slice(1, -1));
    await stillHealthy();
  });

  it('refuses a lone surrogate in an id, source or name (it would collide with another key), naming the field', async () => {
    // "x\ud800" and "x\ud801" both become "x\ufffd" in UTF-8: as keys they would be one event.
    const cases: Array<[string, (e: Record<string, unknown>) => void]> = [
      ['context.id', (e) => ((e.context as { id: string }).id = 'lone-\ud800')],
      ['context.source', (e) => ((e.context as { source: string }).source = '/src/\udc00x')],
      ['subject.id', (e) => ((e.subject as { id: string }).id = 'svc\ud801')],
      ['subject.content.environment.id', (e) => ((e.subject as { content: { environment: { id: string } } }).content.environment.id = 'env\udbff')],
    ];
    for (const [field, mutate] of cases) {
      const event = eventText(`lone-${field}`);
      mutate(event);
      // Sent with the escapes, as a producer would (JSON.stringify escapes lone surrogates).
      expect((await ingest(JSON.stringify(event))).body, field).toMatchObject({ error: { code: 'invalid_unicode', field } });
    }
    // A surrogate pair (an emoji) is fine.
    const pair = eventText('pair-\ud83d\ude80');
    expect((await ingest(JSON.stringify(pair))).status).toBe(202);
    await stillHealthy();
  });

  it('refuses a compressed body with 415 without reading it as JSON', async () => {
    const answer = await ingest(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(415);
    expect(answer.body).toMatchObject({ error: { code: 'unsupported_media_type', field: 'content-encoding' } });
    // identity is no encoding at all.
    expect((await ingest(JSON.stringify(eventText('identity-1')), { 'content-encoding': 'identity' })).status).toBe(202);
  });
});
