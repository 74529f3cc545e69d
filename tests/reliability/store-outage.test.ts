/**
 * The store disappears mid-load (the runtime's dynalite is stopped under it) and comes back:
 * while it is gone every request is answered cleanly, 202 when it got in before the cut or else
 * 503 `store_unavailable` with `Retry-After` and the documented error body (so a producer knows to
 * retry), read routes too, and nothing crashes; deliveries that failed are dead letters once the
 * store is back, listed by `GET /api/dead-letters`; replaying them restores every accepted event,
 * so the store holds exactly the events that were answered 202.
 *
 * Sizes: SIGNALBOX_OUTAGE_BEFORE (events accepted before the cut, default 100), 4 senders of
 * batches of 5, SIGNALBOX_OUTAGE_REQUESTS answered while the store is down (default 20).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { EventJournal } from '../../functions/src/adapters/local/event-journal';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import type { DeadLetter, Page } from '../../functions/src/core/read-models';
import { authHeaders, tokenFor } from '../helpers/auth';
import { duplicates, jsonOrText, loadEvent, postEvents, storedKeys, timelineKeys, unclean, unreadable } from './load-helpers';

const BEFORE = Number(process.env.SIGNALBOX_OUTAGE_BEFORE ?? 100);
const DURING = Number(process.env.SIGNALBOX_OUTAGE_REQUESTS ?? 20);
const SENDERS = 4;
const BATCH = 5;
const SERVICE = 'outage-svc';

let rt: LocalRuntime;

type Operation = { responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }> };
const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });

/**
 * Why an answer while the store is down is not the documented 503 (null when it is): status 503,
 * a whole-seconds `Retry-After` that the OpenAPI document declares for that route, a JSON body
 * valid against the documented schema, code `store_unavailable`, and a message that names no
 * host, port or SDK error.
 */
function notDocumented503(path: string, method: string, status: number, headers: Headers, body: unknown): string | null {
  const label = `${method.toUpperCase()} ${path}`;
  if (status !== 503) return `${label}: ${status} instead of 503: ${JSON.stringify(body).slice(0, 200)}`;
  const documented = doc.paths[path]?.[method]?.responses['503'];
  if (!documented) return `${label}: 503 is not documented`;
  if (!documented.headers?.['Retry-After']) return `${label}: Retry-After of the 503 is not documented`;
  if (!/^\d+$/.test(headers.get('retry-after') ?? '')) return `${label}: 503 without Retry-After (${headers.get('retry-after')})`;
  if (!(headers.get('content-type') ?? '').startsWith('application/json')) return `${label}: 503 without a JSON content type`;
  const schema = documented.content?.['application/json']?.schema;
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')));
  if (!validate(body)) return `${label}: 503 body not as documented: ${JSON.stringify(validate.errors)}`;
  const error = (body as { error: { code: string; message: string } }).error;
  if (error.code !== 'store_unavailable') return `${label}: 503 with code ${error.code}`;
  if (/127\.0\.0\.1|localhost|:\d{2,5}\b|ECONN|Exception|dynamo/i.test(error.message)) return `${label}: 503 message leaks internals: ${error.message}`;
  return null;
}

/** Read routes tried while the store is down (URL, documented path), given an accepted key. */
const READS = (acceptedKey: string): Array<[url: string, docPath: string]> => [
  [`/api/events?service=${SERVICE}&limit=5`, '/api/events'],
  [`/api/events/${acceptedKey}`, '/api/events/{key}'],
  ['/api/inventory', '/api/inventory'],
  [`/api/services/${SERVICE}`, '/api/services/{name}'],
  ['/api/dead-letters', '/api/dead-letters'],
];

/** Read routes while the store is down: each answers the documented 503. */
async function readsWhileDown(acceptedKey: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [url, docPath] of READS(acceptedKey)) {
    const res = await fetch(`${rt.url}${url}`, { headers: authHeaders(rt, 'viewer') });
    const why = notDocumented503(docPath, 'get', res.status, res.headers, await jsonOrText(res));
    if (why) problems.push(`read while down: ${why}`);
  }
  return problems;
}

beforeAll(async () => {
  rt = await startTestRuntime('sbx-outage-', { seed: false, rateLimits: false, retry: { attempts: 2, baseDelayMs: 10 } });
});

afterAll(async () => {
  await rt?.stop();
});

async function allDeadLetters(): Promise<DeadLetter[]> {
  const items: DeadLetter[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${rt.url}/api/dead-letters?${query}`, { headers: authHeaders(rt, 'viewer') });
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page<DeadLetter>;
    items.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return items;
}

describe('the store goes away mid-load and comes back', () => {
  it('fails cleanly while it is gone, lists dead letters after, and replaying them restores every accepted event', async () => {
    // The server logs each failure while the store is down; keep the test output readable.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const accepted: string[] = [];
    const problems: string[] = [];
    const statusesDuringOutage = new Map<string, number>();
    let phase: 'before' | 'down' | 'after' = 'before';
    let answeredDuringOutage = 0;
    let sent = 0;
    let storeBack!: () => void;
    const back = new Promise<void>((r) => (storeBack = r));
    // The store comes back only after the read routes were tried while it was down.
    let readsDone!: () => void;
    const readsChecked = new Promise<void>((r) => (readsDone = r));
    let readsTried = 0;
    let afterRequests = 0;

    const sender = async () => {
      while (phase !== 'after' || afterRequests < SENDERS * 2) {
        const during = phase === 'down';
        const batch = Array.from({ length: BATCH }, () => loadEvent(SERVICE, 'outage', sent++));
        const outcome = await postEvents(rt.url, rt.token, batch);
        if (outcome.kind === 'no-answer') {
          problems.push(`no answer (${phase}): ${outcome.error}`);
          continue;
        }
        const why = unclean(outcome, BATCH);
        if (why) problems.push(`${phase}: ${why}`);
        // In every phase: 202, or (a request the outage caught) the documented 503; never a 500.
        if (outcome.status !== 202) {
          const not503 = notDocumented503('/api/events', 'post', outcome.status, outcome.headers, outcome.body);
          if (not503) problems.push(`${phase}: ${not503}`);
        }
        accepted.push(...storedKeys(outcome));
        if (during) {
          statusesDuringOutage.set(String(outcome.status), (statusesDuringOutage.get(String(outcome.status)) ?? 0) + 1);
          answeredDuringOutage += 1;
          if (answeredDuringOutage === DURING) {
            await readsChecked;
            await rt.store.start();
            phase = 'after';
            storeBack();
          }
        } else if (phase === 'after') {
          afterRequests += 1;
        } else if (accepted.length >= BEFORE && phase === 'before') {
          phase = 'down';
          await rt.store.stop();
          try {
            const reads = await readsWhileDown(accepted[0]!);
            readsTried = READS(accepted[0]!).length;
            problems.push(...reads);
          } finally {
            readsDone();
          }
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: SENDERS }, sender));
    } finally {
      readsDone();
      if ((phase as string) !== 'after') await rt.store.start();
    }
    await back;
    // Deliveries that failed while the store was gone become dead letters now that it is back.
    await rt.idle();
    stderr.mockRestore();
    error.mockRestore();
    console.info(`store outage: ${accepted.length} accepted; answers while down: ${JSON.stringify(Object.fromEntries(statusesDuringOutage))}`);

    expect(problems).toEqual([]);
    expect(answeredDuringOutage).toBeGreaterThanOrEqual(DURING);
    expect(readsTried, 'the read routes were tried while the store was down').toBe(READS('').length);
    // While the store was down nothing could be stored: ingest answered 503 (202 only for requests
    // that got in before the cut), and nothing else.
    expect(statusesDuringOutage.get('503') ?? 0).toBeGreaterThan(0);
    expect([...statusesDuringOutage.keys()].filter((s) => s !== '202' && s !== '503')).toEqual([]);

    const deadLetters = (await allDeadLetters()).filter((d) => d.state === 'pending');
    const replayable = deadLetters.filter((d) => d.consumer !== 'live');
    console.info(`store outage: ${deadLetters.length} dead letters (${replayable.length} replayable: ${[...new Set(replayable.map((d) => d.consumer))].join(', ')})`);
    for (const d of replayable) {
      const res = await fetch(`${rt.url}/api/dead-letters/${encodeURIComponent(d.id)}/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
      expect(res.status, `replay of ${d.id}: ${await res.clone().text()}`).toBe(200);
    }
    await rt.idle();

    const viewer = tokenFor(rt, 'viewer');
    expect(await unreadable(rt.url, viewer, accepted)).toEqual([]);
    const timeline = await timelineKeys(rt.url, viewer, SERVICE);
    expect(duplicates(timeline)).toEqual([]);
    const inTimeline = new Set(timeline);
    expect(accepted.filter((k) => !inTimeline.has(k))).toEqual([]);
    expect(timeline.length).toBe(accepted.length);
  }, 120_000);
});

describe('the bus journal fails at ingest', () => {
  it('answers 202 when the store holds the events (the publish is a dead letter, replayed later), and the documented 503 when the dead letter cannot be written either', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const service = 'journal-svc';
    const viewer = tokenFor(rt, 'viewer');
    let cutStore = false;
    const append = vi.spyOn(EventJournal.prototype, 'append').mockImplementation(async () => {
      // The store drops between storing the events and recording the dead letter of their publish.
      if (cutStore) await rt.store.stop();
      throw new Error('ENOSPC: no space left on device, write');
    });
    try {
      // 1. The journal fails, the store is up: the events are durable (202, stored), their publish a dead letter.
      const first = await postEvents(rt.url, rt.token, [0, 1, 2].map((n) => loadEvent(service, 'journal', n)));
      expect(unclean(first, 3)).toBeNull();
      expect(first.kind === 'answered' && first.status).toBe(202);
      const keys = storedKeys(first);
      expect(keys).toHaveLength(3);
      const publishLetters = (await allDeadLetters()).filter((d) => d.consumer === 'publish' && d.state === 'pending' && keys.includes(d.eventKey ?? ''));
      expect(publishLetters.map((d) => d.eventKey).sort()).toEqual([...keys].sort());
      expect(publishLetters.every((d) => d.error.startsWith('BusUnavailable'))).toBe(true);

      // 2. The journal fails and the store drops before the dead letter is written: the documented 503.
      cutStore = true;
      const second = await postEvents(rt.url, rt.token, [3, 4].map((n) => loadEvent(service, 'journal', n)));
      expect(second.kind).toBe('answered');
      if (second.kind !== 'answered') return;
      expect(notDocumented503('/api/events', 'post', second.status, second.headers, second.body)).toBeNull();
      await rt.store.start();
      cutStore = false;
      append.mockRestore();

      // Replaying the publish dead letters puts the events on the bus: they reach the timeline.
      for (const d of publishLetters) {
        const res = await fetch(`${rt.url}/api/dead-letters/${encodeURIComponent(d.id)}/replay`, { method: 'POST', headers: authHeaders(rt, 'operator') });
        expect(res.status, `replay of ${d.id}: ${await res.clone().text()}`).toBe(200);
      }
      await rt.idle();
      expect((await timelineKeys(rt.url, viewer, service)).sort()).toEqual([...keys].sort());
    } finally {
      append.mockRestore();
      if (cutStore) await rt.store.start();
      stderr.mockRestore();
      error.mockRestore();
    }
  }, 60_000);
});
