import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeliveredEvent } from '../../core/ports/event-bus';

/** One accepted event and the rules it still has to reach. */
export interface JournalEntry {
  event: DeliveredEvent;
  rules: string[];
}

export interface EventJournalOptions {
  /** Rewrite the file with only the pending entries once this many bytes were appended; default 16 MiB. */
  compactBytes?: number;
}

/** A line of the journal: an accepted event with its rules, or one rule's delivery done. */
type Line = { e: DeliveredEvent; r: string[] } | { d: string; r: string };

interface Pending {
  event: DeliveredEvent;
  rules: Set<string>;
  /** On disk (a compaction copies only these; the others are still in the write buffer). */
  written: boolean;
}

/**
 * The local bus's write-ahead journal, so that "accepted" means durable as with EventBridge: an
 * append-only file of JSON lines under the data dir. `append` resolves once the entries are written
 * and fsync'd (appends arriving while a write is in progress are committed together with the next
 * one); `done` records a delivery lazily (losing that mark only means a redelivery, which the
 * idempotent consumers absorb). `open` reads the file, keeps what is not delivered to every rule
 * (a torn last line from a crash is ignored) and compacts it; the file is compacted again each
 * time `compactBytes` were appended.
 */
export class EventJournal {
  private fh: FileHandle;
  private readonly entries = new Map<string, Pending>();
  private buffer: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void; ids: string[] }> = [];
  private writing: Promise<void> | null = null;
  private appendedBytes = 0;
  private closed = false;
  private readonly compactBytes: number;
  private readonly recovered: JournalEntry[];

  private constructor(
    private readonly path: string,
    fh: FileHandle,
    recovered: JournalEntry[],
    opts: EventJournalOptions,
  ) {
    this.fh = fh;
    this.recovered = recovered;
    this.compactBytes = opts.compactBytes ?? 16 * 1024 * 1024;
    for (const entry of recovered) this.entries.set(entry.event.id, { event: entry.event, rules: new Set(entry.rules), written: true });
  }

  /** Opens (or creates) the journal at `path`, compacting it to the entries still pending. */
  static async open(path: string, opts: EventJournalOptions = {}): Promise<EventJournal> {
    const pending = new Map<string, { event: DeliveredEvent; rules: Set<string> }>();
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a torn write from a crash: the append it belonged to never resolved
      }
      if ('e' in line) {
        if (!pending.has(line.e.id)) pending.set(line.e.id, { event: line.e, rules: new Set(line.r) });
      } else if ('d' in line) {
        const p = pending.get(line.d);
        if (!p) continue;
        p.rules.delete(line.r);
        if (p.rules.size === 0) pending.delete(line.d);
      }
    }
    const recovered = [...pending.values()].map((p) => ({ event: p.event, rules: [...p.rules] }));
    await writeAtomically(path, recovered);
    const fh = await open(path, 'a');
    return new EventJournal(path, fh, recovered, opts);
  }

  /** What was pending when the journal was opened (to deliver again). */
  recoveredEntries(): JournalEntry[] {
    return this.recovered.map((e) => ({ event: e.event, rules: [...e.rules] }));
  }

  /** How many accepted events still miss a delivery. */
  pendingCount(): number {
    return this.entries.size;
  }

  /** Writes the entries and fsyncs the file (group commit); rejects if that fails or the journal is closed. */
  append(entries: JournalEntry[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`journal ${this.path} is closed`));
    const ids: string[] = [];
    for (const entry of entries) {
      if (entry.rules.length === 0) continue;
      this.entries.set(entry.event.id, { event: entry.event, rules: new Set(entry.rules), written: false });
      this.buffer.push(`${JSON.stringify({ e: entry.event, r: entry.rules } satisfies Line)}\n`);
      ids.push(entry.event.id);
    }
    if (ids.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, ids });
      this.kick();
    });
  }

  /** Records that `rule` has the event (delivered or dead-lettered); written with the next batch. */
  done(eventId: string, rule: string): void {
    if (this.closed) return;
    const p = this.entries.get(eventId);
    if (!p || !p.rules.delete(rule)) return;
    if (p.rules.size === 0) this.entries.delete(eventId);
    this.buffer.push(`${JSON.stringify({ d: eventId, r: rule } satisfies Line)}\n`);
    this.kick();
  }

  /** Writes what is buffered and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.buffer.length > 0) this.kick();
    await this.writing;
    this.closed = true;
    await this.fh.close();
  }

  private kick(): void {
    if (!this.writing) this.writing = this.flushLoop();
  }

  private async flushLoop(): Promise<void> {
    // Let the appends of this turn of the event loop join the first write.
    await Promise.resolve();
    while (this.buffer.length > 0) {
      const lines = this.buffer;
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      const data = lines.join('');
      try {
        await this.fh.write(data);
        // Only appends wait for the disk; delivery marks ride along with the next fsync.
        if (waiters.length > 0) await this.fh.datasync();
        for (const w of waiters) for (const id of w.ids) {
          const p = this.entries.get(id);
          if (p) p.written = true;
        }
        this.appendedBytes += Buffer.byteLength(data);
        for (const w of waiters) w.resolve();
      } catch (error) {
        // Not acknowledged, so never delivered: forget them (a torn line is skipped at open).
        for (const w of waiters) for (const id of w.ids) this.entries.delete(id);
        for (const w of waiters) w.reject(error as Error);
      }
      if (this.appendedBytes >= this.compactBytes) {
        this.appendedBytes = 0;
        await this.compact().catch((error: Error) => console.error(`[journal] compacting ${this.path} failed; it keeps growing`, error));
      }
    }
    this.writing = null;
  }

  /** Rewrites the file with the written, still pending entries (runs inside the write loop, so alone). */
  private async compact(): Promise<void> {
    const keep = [...this.entries.values()].filter((p) => p.written).map((p) => ({ event: p.event, rules: [...p.rules] }));
    await writeAtomically(this.path, keep);
    const old = this.fh;
    this.fh = await open(this.path, 'a');
    await old.close();
  }
}

/** Replaces `path` by a file holding `entries`: temp file, fsync, rename, fsync of the folder. */
async function writeAtomically(path: string, entries: JournalEntry[]): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    const chunk: string[] = [];
    for (const entry of entries) {
      chunk.push(`${JSON.stringify({ e: entry.event, r: entry.rules } satisfies Line)}\n`);
      if (chunk.length >= 1000) await fh.write(chunk.splice(0).join(''));
    }
    if (chunk.length > 0) await fh.write(chunk.join(''));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
