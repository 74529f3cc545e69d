/**
 * Load with autocannon at twice the rate the runtime sustains on this machine now: every event
 * answered 202 is stored exactly once, the store holds as many events as were accepted, and
 * whatever is not accepted is refused cleanly (429/503 with the JSON error body), never dropped.
 *
 * 1. Calibration: autocannon, SIGNALBOX_LOAD_CALIBRATION_SECONDS (default 3) unthrottled on 4
 *    connections, then until the runtime is idle; the sustained rate is the 202-answered requests
 *    over that whole time (so it includes the projection work the bus does after the 202, as the
 *    ingest bench's "visible" figure does). A separate service, not checked afterwards.
 * 2. Load: `overallRate` = SIGNALBOX_LOAD_FACTOR (default 2) × the sustained rate (or
 *    SIGNALBOX_LOAD_RATE requests/s when set), `amount` = that rate × SIGNALBOX_LOAD_SECONDS
 *    (default 10) requests on SIGNALBOX_LOAD_CONNECTIONS (default 16) connections. A fixed amount,
 *    not a duration: autocannon drops the connections that are still waiting when a duration runs
 *    out, and those requests' events would be neither known accepted nor known refused. autocannon
 *    is closed-loop (a connection sends its next request after the answer to the last, at most its
 *    share of the rate per second), so the rate is a ceiling the connections push against; the
 *    rate reached is printed next to the one applied.
 * Requests alternate a single event and a batch of 5; every event is new (ids `<run>-<n>` from a
 * counter). Rates are requests/s; the mix is the same in both phases.
 *
 * Rate limits: the runtime starts with `rateLimits: false`, so the load reaches the ingest path and
 * the store instead of stopping at the token bucket; SIGNALBOX_LOAD_INGEST_LIMIT (requests/s) turns
 * the ingest bucket on at that rate to see the 429s under load (they must be clean too; the
 * calibration then measures the bucket as well).
 */
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../functions/src/core/read-models';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { tokenFor } from '../helpers/auth';
import { duplicates, loadEvent, timelineKeys, unclean, unreadable, type IngestOutcome } from './load-helpers';

const SECONDS = Number(process.env.SIGNALBOX_LOAD_SECONDS ?? 10);
const CALIBRATION_SECONDS = Number(process.env.SIGNALBOX_LOAD_CALIBRATION_SECONDS ?? 3);
const FACTOR = Number(process.env.SIGNALBOX_LOAD_FACTOR ?? 2);
const FIXED_RATE = process.env.SIGNALBOX_LOAD_RATE ? Number(process.env.SIGNALBOX_LOAD_RATE) : undefined;
const CONNECTIONS = Number(process.env.SIGNALBOX_LOAD_CONNECTIONS ?? 16);
const INGEST_LIMIT = process.env.SIGNALBOX_LOAD_INGEST_LIMIT ? Number(process.env.SIGNALBOX_LOAD_INGEST_LIMIT) : undefined;
const CALIBRATION_CONNECTIONS = 4;
const BATCH = 5;
/** Seconds autocannon waits for an answer; a timeout drops the connection and fails the test. */
const ANSWER_TIMEOUT = 60;
const SERVICE = 'load-svc';

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-load-', {
    seed: false,
    rateLimits: INGEST_LIMIT ? { ingest: { capacity: Math.max(1, Math.round(INGEST_LIMIT)), perSecond: INGEST_LIMIT } } : false,
  });
});

afterAll(async () => {
  await rt?.stop();
});

/** One answer autocannon received, with the ids of the events its request carried. */
interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[]>;
  ids: string[];
}

/** What one autocannon run sent and got back. */
interface Tally {
  /** Next event number. */
  next: number;
  /** The event ids of every request built and sent, in order. */
  sent: string[][];
  answers: Answer[];
  /** Answers that arrived on a connection with no request of ours outstanding (must stay 0). */
  orphans: number;
}

const newTally = (): Tally => ({ next: 0, sent: [], answers: [], orphans: 0 });

/**
 * The request sequence each connection loops over: a single event, then a batch of `BATCH`. Each
 * request gets new events when it is built (autocannon builds a request right before sending it,
 * once per send); its answer is recorded with those events' ids (one request in flight per
 * connection, so the connection's context holds the ids of the request being answered).
 */
function ingestRequests(service: string, run: string, tally: Tally): autocannon.Request[] {
  const post = (size: number): autocannon.Request => ({
    method: 'POST',
    path: '/api/events',
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
    setupRequest: (request, context) => {
      const numbers = Array.from({ length: size }, () => tally.next++);
      const events = numbers.map((n) => loadEvent(service, run, n));
      const ids = numbers.map((n) => `${run}-${n}`);
      context.ids = ids;
      tally.sent.push(ids);
      return { ...request, body: JSON.stringify(size === 1 ? events[0] : events) };
    },
    onResponse: (status, body, context, headers) => {
      const ids = context.ids as string[] | undefined;
      context.ids = undefined;
      if (!ids) tally.orphans += 1;
      else tally.answers.push({ status, body, headers, ids });
    },
  });
  return [post(1), post(BATCH)];
}

/** An autocannon answer as the shared helpers see one. */
function outcome(answer: Answer): Extract<IngestOutcome, { kind: 'answered' }> {
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = { notJson: answer.body };
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) for (const v of [value].flat()) headers.append(name, v);
  return { kind: 'answered', status: answer.status, headers, body };
}

function statusCounts(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

const perSecond = (n: number, ms: number) => Math.round((n * 10_000) / ms) / 10;

/** The rate (202-answered requests/s) the runtime sustains now, projections included. */
async function calibrate(): Promise<number> {
  const tally = newTally();
  const start = performance.now();
  const result = await autocannon({
    url: rt.url,
    connections: CALIBRATION_CONNECTIONS,
    duration: CALIBRATION_SECONDS,
    timeout: ANSWER_TIMEOUT,
    requests: ingestRequests('calibration-svc', 'calibration', tally),
  });
  const answered = performance.now();
  await rt.idle();
  const idle = performance.now();
  const accepted = tally.answers.filter((a) => a.status === 202).length;
  expect(accepted, `calibration: no 202 in ${CALIBRATION_SECONDS} s: ${JSON.stringify(statusCounts(tally.answers))}`).toBeGreaterThan(0);
  const sustained = perSecond(accepted, idle - start);
  console.info(
    `load calibration: ${accepted} requests (${tally.answers.filter((a) => a.status === 202).reduce((n, a) => n + a.ids.length, 0)} events) answered 202 ` +
      `in ${result.duration} s on ${CALIBRATION_CONNECTIONS} connections (${perSecond(accepted, answered - start)}/s), ` +
      `idle after ${((idle - start) / 1000).toFixed(1)} s: sustained ${sustained} requests/s`,
  );
  return sustained;
}

describe(`ingest under autocannon load (${FIXED_RATE ? `${FIXED_RATE} requests/s` : `${FACTOR} × the calibrated rate`} for ${SECONDS} s)`, () => {
  it('stores every 202-accepted event exactly once and refuses the rest cleanly', async () => {
    const sustained = await calibrate();
    const rate = Math.max(1, Math.ceil(FIXED_RATE ?? FACTOR * sustained));
    const connections = Math.min(CONNECTIONS, rate);
    const amount = Math.max(connections, Math.round(rate * SECONDS));

    const tally = newTally();
    const start = performance.now();
    const result = await autocannon({
      url: rt.url,
      connections,
      amount,
      overallRate: rate,
      timeout: ANSWER_TIMEOUT,
      requests: ingestRequests(SERVICE, 'load', tally),
    });
    const answeredMs = performance.now() - start;
    const events = tally.sent.reduce((n, ids) => n + ids.length, 0);
    console.info(
      `load: applied ${rate} requests/s (${FIXED_RATE ? 'SIGNALBOX_LOAD_RATE' : `${FACTOR} × ${sustained}`}), ${amount} requests on ${connections} connections; ` +
        `${tally.sent.length} sent (${events} events), ${tally.answers.length} answered in ${(answeredMs / 1000).toFixed(1)} s ` +
        `(reached ${perSecond(tally.answers.length, answeredMs)} requests/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms): ` +
        `${JSON.stringify(statusCounts(tally.answers))}; autocannon errors ${result.errors}, timeouts ${result.timeouts}`,
    );

    // Every request sent got exactly one answer: no dropped connection, no timeout, no stray answer.
    expect({ errors: result.errors, timeouts: result.timeouts, orphans: tally.orphans }).toEqual({ errors: 0, timeouts: 0, orphans: 0 });
    expect(tally.answers.map((a) => a.ids)).toHaveLength(tally.sent.length);
    expect(tally.sent.length).toBe(amount);

    // Every answer is clean: 202 with one `stored` result per event, or 429/503 with the error body.
    const problems: string[] = [];
    const accepted: string[] = [];
    const acceptedIds: string[] = [];
    for (const answer of tally.answers) {
      const o = outcome(answer);
      if (![202, 429, 503].includes(answer.status)) problems.push(`${answer.status} for ${answer.ids[0]}: ${answer.body.slice(0, 200)}`);
      const why = unclean(o, answer.ids.length);
      if (why) problems.push(`${answer.ids[0]}: ${why}`);
      if (answer.status !== 202 || why) continue;
      const results = (o.body as { results: IngestResult[] }).results;
      results.forEach((r, i) => {
        if (r.status !== 'stored' || !r.key) problems.push(`${answer.ids[i]} answered 202 but ${r.status}: ${JSON.stringify(r).slice(0, 200)}`);
        else {
          accepted.push(r.key);
          acceptedIds.push(answer.ids[i]!);
        }
      });
    }
    expect(problems).toEqual([]);
    expect(accepted.length).toBeGreaterThan(0);
    expect(duplicates(accepted)).toEqual([]);
    expect(duplicates(acceptedIds)).toEqual([]);

    // Once the bus is idle: each accepted key reads back, and the service's timeline holds exactly
    // the accepted events — none missing, none twice, none of the refused ones.
    await rt.idle();
    const viewer = tokenFor(rt, 'viewer');
    expect(await unreadable(rt.url, viewer, accepted)).toEqual([]);
    const timeline = await timelineKeys(rt.url, viewer, SERVICE);
    console.info(`load: ${acceptedIds.length} of ${events} events accepted; the store lists ${timeline.length} for ${SERVICE}`);
    expect(duplicates(timeline)).toEqual([]);
    expect(new Set(timeline)).toEqual(new Set(accepted));
    expect(timeline.length).toBe(accepted.length);
  }, 120_000);
});
