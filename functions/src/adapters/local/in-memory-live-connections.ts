import { ValidationError } from '../../core/errors';
import { canonicalTopics, type LiveTopic } from '../../core/live/model';
import type { LiveConnectionStore } from '../../core/ports/live-connections';
import type { Page } from '../../core/read-models';

function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof value.a !== 'string') throw new Error('shape');
    return value.a;
  } catch {
    throw new ValidationError('cursor is not a cursor this store returned', 'cursor', 'invalid_cursor');
  }
}

/**
 * Live connections in a Map (the local runtime's sockets live in this process anyway); same
 * contract as the DynamoDB adapter. Pages are in connection-id order, the cursor is the last id.
 */
export class InMemoryLiveConnections implements LiveConnectionStore {
  private readonly connections = new Map<string, Set<LiveTopic>>();

  async add(connectionId: string, _at?: string): Promise<void> {
    if (!this.connections.has(connectionId)) this.connections.set(connectionId, new Set());
  }

  async setTopics(connectionId: string, topics: readonly LiveTopic[], _at?: string): Promise<void> {
    this.connections.set(connectionId, new Set(topics));
  }

  async topicsOf(connectionId: string): Promise<LiveTopic[] | null> {
    const topics = this.connections.get(connectionId);
    return topics ? canonicalTopics([...topics]) : null;
  }

  async remove(connectionId: string): Promise<void> {
    this.connections.delete(connectionId);
  }

  async listByTopic(topic: LiveTopic, page: { limit: number; cursor?: string }): Promise<Page<string>> {
    const after = page.cursor ? decodeCursor(page.cursor) : null;
    const ids = [...this.connections.entries()]
      .filter(([id, topics]) => topics.has(topic) && (after === null || id > after))
      .map(([id]) => id)
      .sort();
    const items = ids.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items, next: ids.length > page.limit && last ? Buffer.from(JSON.stringify({ a: last })).toString('base64url') : null };
  }

  /** How many connections are known (tests). */
  get size(): number {
    return this.connections.size;
  }
}
