/**
 * The store disappears mid-load (the runtime's dynalite is stopped under it) and comes back:
 * while it is gone every request is answered cleanly (a 5xx JSON error, or 202 when it got in
 * before the cut) and nothing crashes; deliveries that failed are dead letters once the store is
 * back, listed by `GET /api/dead-letters`; replaying them restores every accepted event, so the
 * store holds exactly the events that were answered 202.
 *
 * Sizes: SIGNALBOX_OUTAGE_BEFORE (events accepted before the cut, default 100), 4 senders of
 * batches of 5, SIGNALBOX_OUTAGE_REQUESTS answered while the store is down (default 20).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import type { DeadLetter, Page } from '../../functions/src/core/read-models';
import { authHeaders, tokenFor } from '../helpers/auth';
import { duplicates, loadEvent, postEvents, storedKeys, timelineKeys, unclean, unreadable } from './load-helpers';

const BEFORE = Number(process.env.SIGNALBOX_OUTAGE_BEFORE ?? 100);
const DURING = Number(process.env.SIGNALBOX_OUTAGE_REQUESTS ?? 20);
const SENDERS = 4;
const BATCH = 5;
const SERVICE = 'outage-svc';

let rt: LocalRuntime;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sbx-outage-'));
  rt = await startLocalRuntime({ port: 0, dataDir: dir, seed: false, quiet: true, webDir: join(dir, 'no-web'), rateLimits: false, retry: { attempts: 2, baseDelayMs: 10 } });
});

afterAll(async () => {
  await rt?.stop();
  rmSync(dir, { recursive: true, force: true });
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
        accepted.push(...storedKeys(outcome));
        if (during) {
          statusesDuringOutage.set(String(outcome.status), (statusesDuringOutage.get(String(outcome.status)) ?? 0) + 1);
          answeredDuringOutage += 1;
          if (answeredDuringOutage === DURING) {
            await rt.store.start();
            phase = 'after';
            storeBack();
          }
        } else if (phase === 'after') {
          afterRequests += 1;
        } else if (accepted.length >= BEFORE && phase === 'before') {
          phase = 'down';
          await rt.store.stop();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: SENDERS }, sender));
    } finally {
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
    // While the store was down nothing could be stored, so requests were refused, with 5xx.
    expect([...statusesDuringOutage.keys()].some((s) => s.startsWith('5'))).toBe(true);

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
