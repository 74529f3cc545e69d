/**
 * Accepted means durable: the local runtime runs in a child process, takes events under load, is
 * killed with SIGKILL in the middle of it and started again on the same data dir. Every event that
 * was answered 202 must then be readable and in the timeline exactly once (the bus journal delivers
 * what the killed process had accepted but not yet projected).
 *
 * Sizes: SIGNALBOX_KILL_AFTER (events accepted before the kill, default 400), batches of 10 from
 * 8 concurrent senders.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { duplicates, loadEvent, postEvents, storedKeys, timelineKeys, unclean, unreadable, viewerToken } from './load-helpers';

const KILL_AFTER = Number(process.env.SIGNALBOX_KILL_AFTER ?? 400);
const SENDERS = 8;
const BATCH = 10;
const SERVICE = 'kill-restart-svc';
const CHILD = join(import.meta.dirname, 'runtime-child.ts');

const dir = mkdtempSync(join(tmpdir(), 'sbx-kill-'));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  token: string;
  recovered: number;
}

/** Starts the runtime in a child process and waits for its one line of JSON on stdout. */
function startChild(): Promise<Started> {
  // process.execPath is the Node of the npm scripts (24); tsx runs the TypeScript.
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const ready = JSON.parse(line) as { url: string; token: string; recovered: number };
      resolve({ child, ...ready });
    });
    child.once('exit', (code, signal) => reject(new Error(`the runtime exited before it was ready (${code ?? signal}): ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('SIGKILL mid-load, then restart on the same data dir', () => {
  it('keeps every event that was answered 202: readable, and in the timeline exactly once', async () => {
    const first = await startChild();
    const accepted: string[] = [];
    const problems: string[] = [];
    let unanswered = 0;
    let sent = 0;
    let killed = false;

    const sender = async () => {
      while (!killed) {
        const batch = Array.from({ length: BATCH }, () => loadEvent(SERVICE, 'kr', sent++));
        const outcome = await postEvents(first.url, first.token, batch);
        if (outcome.kind === 'no-answer') {
          unanswered += BATCH;
          if (!killed) problems.push(`no answer before the kill: ${outcome.error}`);
          continue;
        }
        const why = unclean(outcome, BATCH);
        if (why) problems.push(why);
        accepted.push(...storedKeys(outcome));
        if (accepted.length >= KILL_AFTER && !killed) {
          // Kill while the other senders' requests (and the bus's deliveries) are in flight.
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(problems).toEqual([]);

    const second = await startChild();
    // Evidence for the report: how many deliveries the journal still held (0 would mean the kill
    // happened to find the bus idle; the assertions below hold either way).
    console.info(`kill-restart: ${accepted.length} accepted, ${unanswered} unanswered at the kill, ${second.recovered} deliveries recovered from the journal`);
    const viewer = await viewerToken(second.url);

    expect(await unreadable(second.url, viewer, accepted)).toEqual([]);
    const timeline = await timelineKeys(second.url, viewer, SERVICE);
    expect(duplicates(timeline)).toEqual([]);
    const inTimeline = new Set(timeline);
    expect(accepted.filter((k) => !inTimeline.has(k))).toEqual([]);
    // Only events whose request got no answer may be there without having been acknowledged.
    expect(timeline.length).toBeGreaterThanOrEqual(accepted.length);
    expect(timeline.length).toBeLessThanOrEqual(accepted.length + unanswered);

    second.child.kill('SIGTERM');
    await exited(second.child);
  }, 120_000);
});
