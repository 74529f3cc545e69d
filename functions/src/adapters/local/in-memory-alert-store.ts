import type { Alert, GroupNotificationLog, Silence } from '../../core/alerts/model';
import { ConflictError, ValidationError } from '../../core/errors';
import type { AlertFilter, AlertStore, SilenceFilter } from '../../core/ports/alert-store';
import type { Page } from '../../core/read-models';

/** The sort position of a row: newest first by `order`, then by `id` descending. */
type Position = { o: string; i: string };

function encode(p: Position): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

function decode(cursor: string): Position {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if (typeof p.o !== 'string' || typeof p.i !== 'string') throw new Error('shape');
    return p;
  } catch {
    throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
  }
}

function page<T>(rows: { o: string; i: string; value: T }[], limit: number, cursor: string | undefined): Page<T> {
  const sorted = rows.sort((a, b) => (a.o === b.o ? (a.i < b.i ? 1 : a.i > b.i ? -1 : 0) : a.o < b.o ? 1 : -1));
  let start = 0;
  if (cursor) {
    const after = decode(cursor);
    start = sorted.findIndex((r) => r.o < after.o || (r.o === after.o && r.i < after.i));
    if (start === -1) start = sorted.length;
  }
  const slice = sorted.slice(start, start + limit);
  const last = slice[slice.length - 1];
  return { items: slice.map((r) => r.value), next: start + limit < sorted.length && last ? encode({ o: last.o, i: last.i }) : null };
}

/** AlertStore in Maps (JSON copies, so callers never share objects); same contract as the DynamoDB adapter. */
export class InMemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, string>();
  private readonly silences = new Map<string, string>();
  private readonly logs = new Map<string, string>();

  async createAlert(alert: Alert): Promise<void> {
    if (this.alerts.has(alert.fingerprint)) throw new ConflictError(`alert ${alert.fingerprint} exists`, 'fingerprint');
    this.alerts.set(alert.fingerprint, JSON.stringify({ ...alert, revision: 0 }));
  }

  async getAlert(fingerprint: string): Promise<Alert | null> {
    const raw = this.alerts.get(fingerprint);
    return raw ? (JSON.parse(raw) as Alert) : null;
  }

  async saveAlert(alert: Alert, expectedRevision: number): Promise<void> {
    const raw = this.alerts.get(alert.fingerprint);
    if (!raw || (JSON.parse(raw) as Alert).revision !== expectedRevision) {
      throw new ConflictError(`alert ${alert.fingerprint} changed meanwhile (expected revision ${expectedRevision})`, 'revision');
    }
    this.alerts.set(alert.fingerprint, JSON.stringify({ ...alert, revision: expectedRevision + 1 }));
  }

  async listAlerts(filter: AlertFilter): Promise<Page<Alert>> {
    const rows = [...this.alerts.values()]
      .map((raw) => JSON.parse(raw) as Alert)
      .filter((a) => (!filter.state || a.state === filter.state) && (!filter.environment || a.labels.environment === filter.environment))
      .map((a) => ({ o: a.stateSince, i: a.fingerprint, value: a }));
    return page(rows, filter.limit, filter.cursor);
  }

  async createSilence(silence: Silence): Promise<void> {
    if (this.silences.has(silence.id)) throw new ConflictError(`silence ${silence.id} exists`, 'id');
    this.silences.set(silence.id, JSON.stringify({ ...silence, revision: 0 }));
  }

  async getSilence(id: string): Promise<Silence | null> {
    const raw = this.silences.get(id);
    return raw ? (JSON.parse(raw) as Silence) : null;
  }

  async saveSilence(silence: Silence, expectedRevision: number): Promise<void> {
    const raw = this.silences.get(silence.id);
    if (!raw || (JSON.parse(raw) as Silence).revision !== expectedRevision) {
      throw new ConflictError(`silence ${silence.id} changed meanwhile (expected revision ${expectedRevision})`, 'revision');
    }
    this.silences.set(silence.id, JSON.stringify({ ...silence, revision: expectedRevision + 1 }));
  }

  async deleteSilence(id: string): Promise<boolean> {
    return this.silences.delete(id);
  }

  async listSilences(filter: SilenceFilter): Promise<Page<Silence>> {
    if (filter.scope === 'current' && !filter.now) throw new ValidationError('now is required for current silences', 'now');
    const all = [...this.silences.values()].map((raw) => JSON.parse(raw) as Silence);
    const rows =
      filter.scope === 'current'
        ? all.filter((s) => s.endsAt > filter.now!).map((s) => ({ o: s.endsAt, i: s.id, value: s }))
        : all.map((s) => ({ o: s.createdAt, i: s.id, value: s }));
    return page(rows, filter.limit, filter.cursor);
  }

  async getGroupLog(groupId: string): Promise<GroupNotificationLog | null> {
    const raw = this.logs.get(groupId);
    return raw ? (JSON.parse(raw) as GroupNotificationLog) : null;
  }

  async listGroupLogs(): Promise<GroupNotificationLog[]> {
    return [...this.logs.keys()].sort().map((id) => JSON.parse(this.logs.get(id)!) as GroupNotificationLog);
  }

  async recordNotification(log: GroupNotificationLog, previousSentAt: string | null): Promise<boolean> {
    const raw = this.logs.get(log.groupId);
    const current = raw ? (JSON.parse(raw) as GroupNotificationLog).sentAt : null;
    if (current !== previousSentAt) return false;
    this.logs.set(log.groupId, JSON.stringify(log));
    return true;
  }
}
