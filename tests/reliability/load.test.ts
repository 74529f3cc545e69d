/**
 * Load at about twice the benchmarked ingest rate, open loop (requests go out on a fixed schedule
 * whether or not earlier ones were answered): every event answered 202 is stored exactly once and
 * the store holds as many events as were accepted; what is refused (429 from the ingest budget,
 * 503) is refused cleanly.
 *
 * SIGNALBOX_LOAD_RATE (requests/s, one event each; default 20, i.e. twice the ~10 single events/s
 * `npm run bench` measured for the ingest path on the 2-core CI machine; set it from
 * bench/results/ingest.json on another machine) and SIGNALBOX_LOAD_SECONDS (default 10).
 * The ingest token bucket is set below the offered rate so some requests are refused with 429.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { tokenFor } from '../helpers/auth';
import { duplicates, loadEvent, postEvents, storedKeys, timelineKeys, unclean, unreadable, type IngestOutcome } from './load-helpers';

const RATE = Number(process.env.SIGNALBOX_LOAD_RATE ?? 20);
const SECONDS = Number(process.env.SIGNALBOX_LOAD_SECONDS ?? 10);
const SERVICE = 'load-svc';

let rt: LocalRuntime;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sbx-load-'));
  rt = await startLocalRuntime({
    port: 0,
    dataDir: dir,
    seed: false,
    quiet: true,
    webDir: join(dir, 'no-web'),
    // A budget below the offered rate: the excess must come back as clean 429s.
    rateLimits: { ingest: { capacity: Math.max(5, Math.round(RATE)), perSecond: RATE * 0.75 } },
  });
});

afterAll(async () => {
  await rt?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `total` single-event requests, one every 1000/rate ms, without waiting for answers. */
async function openLoop(total: number, rate: number): Promise<IngestOutcome[]> {
  const inFlight: Array<Promise<IngestOutcome>> = [];
  const start = performance.now();
  for (let n = 0; n < total; n += 1) {
    const due = start + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(postEvents(rt.url, rt.token, [loadEvent(SERVICE, 'load', n)]));
  }
  return Promise.all(inFlight);
}

describe(`ingest under load (${RATE} requests/s for ${SECONDS} s)`, () => {
  it('stores every 202-accepted event exactly once and refuses the excess cleanly', async () => {
    const outcomes = await openLoop(Math.round(RATE * SECONDS), RATE);

    const byStatus = new Map<string, number>();
    for (const o of outcomes) {
      const k = o.kind === 'answered' ? String(o.status) : 'no answer';
      byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
    }
    console.info(`load: ${outcomes.length} requests at ${RATE}/s: ${JSON.stringify(Object.fromEntries(byStatus))}`);
    // Loopback and a running server: every request is answered, and every answer is clean.
    expect(outcomes.filter((o) => o.kind === 'no-answer')).toEqual([]);
    expect(outcomes.map((o) => unclean(o, 1)).filter(Boolean)).toEqual([]);
    const accepted = outcomes.flatMap(storedKeys);
    expect(accepted.length).toBeGreaterThan(0);
    expect(duplicates(accepted)).toEqual([]);

    await rt.idle();
    const viewer = tokenFor(rt, 'viewer');
    expect(await unreadable(rt.url, viewer, accepted)).toEqual([]);
    const timeline = await timelineKeys(rt.url, viewer, SERVICE);
    expect(duplicates(timeline)).toEqual([]);
    expect(new Set(timeline)).toEqual(new Set(accepted));
    expect(timeline.length).toBe(accepted.length);
  }, 120_000);
});
