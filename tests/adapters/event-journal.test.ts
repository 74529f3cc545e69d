import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventJournal, type JournalEntry } from '../../functions/src/adapters/local/event-journal';
import { LocalEventBus, type DeadLetter } from '../../functions/src/adapters/local/local-event-bus';
import type { BusEvent, DeliveredEvent } from '../../functions/src/core/ports/event-bus';
import { INGEST_BUS_SOURCE } from '../../functions/src/shared/bus-rules';

let dir: string;
let path: string;
/** Journals and buses "crashed" by a test: abandoned without close, closed only after the test. */
const abandoned: Array<{ close(): Promise<void> }> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sbx-journal-'));
  path = join(dir, 'bus-journal.jsonl');
});

afterEach(async () => {
  for (const a of abandoned.splice(0)) await a.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const delivered = (id: string, n = 0): DeliveredEvent => ({
  version: '0',
  id,
  'detail-type': 'CDEvent',
  source: INGEST_BUS_SOURCE,
  account: '000000000000',
  time: '2026-03-01T12:00:00.000Z',
  region: 'us-east-1',
  resources: [],
  detail: { n },
});
const entry = (id: string, rules: string[]): JournalEntry => ({ event: delivered(id), rules });
const lines = () =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean);

describe('EventJournal', () => {
  it('gives back, after a crash, every appended event to each rule that has not had it', async () => {
    const first = await EventJournal.open(path);
    abandoned.push(first);
    await first.append([entry('a', ['Store', 'Live']), entry('b', ['Store']), entry('c', ['Store', 'Live'])]);
    first.done('a', 'Store');
    first.done('a', 'Live');
    first.done('c', 'Live');
    await first.append([entry('d', ['Store'])]); // the delivery marks are written by the next commit

    // The process dies here: `first` is never closed; a new one opens the same file.
    const second = await EventJournal.open(path);
    abandoned.push(second);

    expect(second.recoveredEntries()).toEqual([entry('b', ['Store']), entry('c', ['Store']), entry('d', ['Store'])]);
    expect(second.pendingCount()).toBe(3);
  });

  it('compacts the file at open to what is pending', async () => {
    const first = await EventJournal.open(path);
    abandoned.push(first);
    await first.append(Array.from({ length: 50 }, (_, i) => entry(`e${i}`, ['Store'])));
    for (let i = 1; i < 50; i += 1) first.done(`e${i}`, 'Store');
    await first.close();
    expect(lines().length).toBe(50 + 49);

    const second = await EventJournal.open(path);
    abandoned.push(second);
    expect(lines().map((l) => JSON.parse(l) as unknown)).toEqual([{ e: delivered('e0'), r: ['Store'] }]);
    second.done('e0', 'Store');
    await second.close();

    const third = await EventJournal.open(path);
    abandoned.push(third);
    expect(third.recoveredEntries()).toEqual([]);
    expect(lines()).toEqual([]);
  });

  it('ignores a torn last line (a write cut short by the crash)', async () => {
    const first = await EventJournal.open(path);
    abandoned.push(first);
    await first.append([entry('whole', ['Store'])]);
    appendFileSync(path, '{"e":{"version":"0","id":"torn","detail-ty');

    const second = await EventJournal.open(path);
    abandoned.push(second);
    expect(second.recoveredEntries().map((e) => e.event.id)).toEqual(['whole']);
  });

  it('commits concurrent appends together and keeps every one of them', async () => {
    const journal = await EventJournal.open(path);
    abandoned.push(journal);
    await Promise.all(Array.from({ length: 200 }, (_, i) => journal.append([entry(`c${i}`, ['Store'])])));
    const reopened = await EventJournal.open(path);
    abandoned.push(reopened);
    expect(new Set(reopened.recoveredEntries().map((e) => e.event.id)).size).toBe(200);
  });

  it('compacts while running once enough was appended, losing nothing pending', async () => {
    const journal = await EventJournal.open(path, { compactBytes: 4096 });
    abandoned.push(journal);
    for (let i = 0; i < 300; i += 1) {
      await journal.append([entry(`r${i}`, ['Store'])]);
      if (i % 10 !== 0) journal.done(`r${i}`, 'Store');
    }
    await journal.append([entry('last', ['Store'])]);
    // 301 events of ~200 bytes were appended; compaction keeps the file near the pending 31.
    expect(statSync(path).size).toBeLessThan(301 * 150);

    const reopened = await EventJournal.open(path);
    abandoned.push(reopened);
    const expected = [...Array.from({ length: 30 }, (_, i) => `r${i * 10}`), 'last'];
    expect(reopened.recoveredEntries().map((e) => e.event.id).sort()).toEqual(expected.sort());
  });

  it('refuses appends once closed', async () => {
    const journal = await EventJournal.open(path);
    await journal.close();
    await expect(journal.append([entry('late', ['Store'])])).rejects.toThrow(/closed/);
  });
});

describe('LocalEventBus with a journal', () => {
  const busEvent = (id: string): BusEvent => ({ source: INGEST_BUS_SOURCE, detailType: 'CDEvent', detail: { id } });

  async function openBus(onDeadLetter: (f: DeadLetter) => Promise<void> = async () => {}, deadLetterRetry?: { maxDelayMs: number }) {
    const journal = await EventJournal.open(path);
    // The file is closed after the test even when the bus "crashed" (was abandoned).
    abandoned.push(journal);
    return new LocalEventBus({ journal, retry: { attempts: 1, baseDelayMs: 0 }, onDeadLetter, deadLetterRetry });
  }

  it('delivers after a restart what the killed process had accepted but not delivered, and nothing twice', async () => {
    const crashed = await openBus();
    const firstRun: string[] = [];
    crashed.addRule('Store', { source: [INGEST_BUS_SOURCE] }, async (e) => {
      const id = (e.detail as { id: string }).id;
      // Deliveries of "slow" never finish in this process: it dies first.
      if (id.startsWith('slow')) return new Promise<void>(() => undefined);
      firstRun.push(id);
    });
    const results = await crashed.publish([busEvent('fast-1'), busEvent('slow-1'), busEvent('fast-2'), busEvent('slow-2')]);
    // Give the fast deliveries their turn (and their done marks a commit) without waiting on the slow ones.
    await new Promise((r) => setImmediate(r));
    await crashed.publish([busEvent('flush')]);
    await new Promise((r) => setImmediate(r));
    expect(firstRun.sort()).toEqual(['fast-1', 'fast-2', 'flush']);

    const restarted = await openBus();
    const secondRun: DeliveredEvent[] = [];
    restarted.addRule('Store', { source: [INGEST_BUS_SOURCE] }, async (e) => {
      secondRun.push(e);
    });
    expect(restarted.recover()).toBeGreaterThanOrEqual(2);
    await restarted.idle();

    const slowIds = [results[1], results[3]].map((r) => (r as { eventId: string }).eventId);
    const redelivered = secondRun.map((e) => (e.detail as { id: string }).id);
    // The slow ones, with the ids they were accepted under; the flush's done mark may not be on disk yet.
    expect(redelivered.filter((id) => id !== 'flush').sort()).toEqual(['slow-1', 'slow-2']);
    expect(secondRun.filter((e) => (e.detail as { id: string }).id.startsWith('slow')).map((e) => e.id).sort()).toEqual(slowIds.sort());
    await restarted.close();

    const third = await openBus();
    third.addRule('Store', { source: [INGEST_BUS_SOURCE] }, async () => {});
    expect(third.recover()).toBe(0);
    await third.close();
  });

  it('resolves publish only once the events are in the file', async () => {
    const bus = await openBus();
    bus.addRule('Store', { source: [INGEST_BUS_SOURCE] }, () => new Promise<void>(() => undefined));
    const [result] = await bus.publish([busEvent('on-disk')]);
    const onDisk = lines().map((l) => JSON.parse(l) as { e?: DeliveredEvent; r?: string[] });
    expect(onDisk).toContainEqual({ e: expect.objectContaining({ id: (result as { eventId: string }).eventId, detail: { id: 'on-disk' } }), r: ['Store'] });
  });

  it('does not journal events no rule matches', async () => {
    const bus = await openBus();
    bus.addRule('Store', { source: ['elsewhere'] }, async () => {});
    await bus.publish([busEvent('nobody')]);
    await bus.close();
    expect(lines()).toEqual([]);
  });

  it('counts a written dead letter as delivered, and keeps retrying a dead-letter store that is down', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const deadLetters: DeadLetter[] = [];
    let dlqDown = 3;
    const bus = await openBus(async (f) => {
      if (dlqDown-- > 0) throw new Error('dead-letter store down');
      deadLetters.push(f);
    }, { maxDelayMs: 5 });
    bus.addRule('Store', { source: [INGEST_BUS_SOURCE] }, async () => {
      throw new Error('store down');
    });
    await bus.publish([busEvent('poison')]);
    await bus.idle();
    expect(deadLetters.map((d) => (d.event.detail as { id: string }).id)).toEqual(['poison']);
    expect(error).toHaveBeenCalledTimes(1);
    await bus.close();
    error.mockRestore();

    const reopened = await EventJournal.open(path);
    abandoned.push(reopened);
    expect(reopened.recoveredEntries()).toEqual([]);
  });

  it('on close stops retrying a dead letter and keeps the delivery for the next start', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let failedOnce!: () => void;
    const firstFailure = new Promise<void>((r) => (failedOnce = r));
    const bus = await openBus(async () => {
      failedOnce();
      throw new Error('dead-letter store down for good');
    }, { maxDelayMs: 5 });
    bus.addRule('Store', { source: [INGEST_BUS_SOURCE] }, async () => {
      throw new Error('store down');
    });
    await bus.publish([busEvent('kept')]);
    await firstFailure;
    await bus.close();
    expect(error).toHaveBeenCalled();
    error.mockRestore();

    const reopened = await EventJournal.open(path);
    abandoned.push(reopened);
    expect(reopened.recoveredEntries().map((e) => [(e.event.detail as { id: string }).id, e.rules])).toEqual([['kept', ['Store']]]);
  });
});
