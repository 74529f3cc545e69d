import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../core/audit/model';
import type { AuditHead, AuditRange, AuditStore, StoredAuditEntry } from '../../core/ports/audit-store';
import { putIf } from './dynamo-stores';

/*
 * The audit log in the single table (access pattern 8: newest first, and the chain walk):
 *
 *   entry  pk AUDIT        sk SEQ#<seq, 12 digits>   seq (number), doc (the entry as JSON), at, action
 *   head   pk AUDIT#HEAD   sk HEAD                   seq, hash
 *
 * Entries are written with `attribute_not_exists(pk)` and never updated: this adapter has no
 * UpdateItem or DeleteItem. One partition keeps the chain in one Query order; audit writes are a
 * few per second at most, far below a partition's limits.
 */

const PK = 'AUDIT';
const HEAD_KEY = { pk: 'AUDIT#HEAD', sk: 'HEAD' };
const SEQ_DIGITS = 12;

export function auditSortKey(seq: number): string {
  return `SEQ#${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

interface AuditItem {
  pk: string;
  sk: string;
  seq: number;
  doc: string;
  at: string;
  action: string;
}

function fromItem(item: Record<string, unknown>): StoredAuditEntry {
  const sk = String(item.sk ?? '');
  const seq = Number(sk.slice(4));
  try {
    const entry = JSON.parse(String(item.doc)) as AuditEntry;
    return { seq, entry: typeof entry === 'object' && entry !== null ? entry : null };
  } catch {
    return { seq, entry: null };
  }
}

/** `AuditStore` on DynamoDB: one partition, conditional puts, Query in both directions. */
export class DynamoAuditStore implements AuditStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async head(): Promise<AuditHead | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: HEAD_KEY, ConsistentRead: true }));
    const item = out.Item as { seq?: unknown; hash?: unknown } | undefined;
    return item && typeof item.seq === 'number' ? { seq: item.seq, hash: String(item.hash ?? '') } : null;
  }

  async get(seq: number): Promise<StoredAuditEntry | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: auditSortKey(seq) }, ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : null;
  }

  async append(entry: AuditEntry): Promise<boolean> {
    const item: AuditItem = { pk: PK, sk: auditSortKey(entry.seq), seq: entry.seq, doc: JSON.stringify(entry), at: entry.at, action: entry.action };
    return putIf(this.doc, { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' });
  }

  async advanceHead(head: AuditHead): Promise<void> {
    // Lost condition = the head is already at or past this seq: nothing to do.
    await putIf(this.doc, {
      TableName: this.tableName,
      Item: { ...HEAD_KEY, seq: head.seq, hash: head.hash },
      ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
      ExpressionAttributeValues: { ':seq': head.seq },
    });
  }

  async range(range: AuditRange): Promise<StoredAuditEntry[]> {
    const limit = Math.max(1, Math.min(1000, range.limit));
    const lo = auditSortKey(range.after !== undefined ? range.after + 1 : 0);
    const hi = range.before !== undefined ? auditSortKey(range.before - 1) : `SEQ#${'9'.repeat(SEQ_DIGITS)}`;
    if (lo > hi) return [];
    const out: StoredAuditEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': PK, ':lo': lo, ':hi': hi },
          ScanIndexForward: range.order === 'asc',
          ConsistentRead: true,
          Limit: limit - out.length,
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start && out.length < limit);
    return out;
  }
}
