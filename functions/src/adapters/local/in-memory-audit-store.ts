import type { AuditEntry } from '../../core/audit/model';
import type { AuditHead, AuditRange, AuditStore, StoredAuditEntry } from '../../core/ports/audit-store';

/** `AuditStore` in memory (tests, one process). Entries are kept as JSON text so callers cannot change them in place. */
export class InMemoryAuditStore implements AuditStore {
  private readonly entries = new Map<number, string>();
  private headMarker: AuditHead | null = null;

  async head(): Promise<AuditHead | null> {
    return this.headMarker ? { ...this.headMarker } : null;
  }

  private read(seq: number): StoredAuditEntry | null {
    const text = this.entries.get(seq);
    if (text === undefined) return null;
    try {
      return { seq, entry: JSON.parse(text) as AuditEntry };
    } catch {
      return { seq, entry: null };
    }
  }

  async get(seq: number): Promise<StoredAuditEntry | null> {
    return this.read(seq);
  }

  async append(entry: AuditEntry): Promise<boolean> {
    if (this.entries.has(entry.seq)) return false;
    this.entries.set(entry.seq, JSON.stringify(entry));
    return true;
  }

  async advanceHead(head: AuditHead): Promise<void> {
    if (!this.headMarker || this.headMarker.seq < head.seq) this.headMarker = { ...head };
  }

  async range(range: AuditRange): Promise<StoredAuditEntry[]> {
    const seqs = [...this.entries.keys()]
      .filter((s) => (range.after === undefined || s > range.after) && (range.before === undefined || s < range.before))
      .sort((a, b) => (range.order === 'asc' ? a - b : b - a))
      .slice(0, range.limit);
    return seqs.map((s) => this.read(s)!);
  }

  /** Test hook: what tampering with the backing store looks like (no such path in the port). */
  tamper(seq: number, change: (text: string | undefined) => string | undefined): void {
    const next = change(this.entries.get(seq));
    if (next === undefined) this.entries.delete(seq);
    else this.entries.set(seq, next);
  }

  /** Test hook: overwrite the head marker behind the store's back. */
  tamperHead(head: AuditHead | null): void {
    this.headMarker = head;
  }
}
