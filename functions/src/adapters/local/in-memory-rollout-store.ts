import { ConflictError, ValidationError } from '../../core/errors';
import type { Page } from '../../core/read-models';
import type { Rollout, RolloutSummary } from '../../core/rollouts/model';
import { matchesRolloutFilter, summarizeRollout } from '../../core/rollouts/summary';
import type { RolloutFilter, RolloutStore } from '../../core/ports/rollout-store';

/** RolloutStore in a Map, for unit and state-machine tests; same contract as the DynamoDB adapter. */
export class InMemoryRolloutStore implements RolloutStore {
  private readonly items = new Map<string, string>();

  async create(rollout: Rollout): Promise<void> {
    if (this.items.has(rollout.id)) throw new ConflictError(`rollout ${rollout.id} exists`, 'id');
    this.items.set(rollout.id, JSON.stringify({ ...rollout, revision: 0 }));
  }

  async get(id: string): Promise<Rollout | null> {
    const raw = this.items.get(id);
    return raw ? (JSON.parse(raw) as Rollout) : null;
  }

  async save(rollout: Rollout, expectedRevision: number): Promise<void> {
    // Check and set without an await between them, as DynamoDB's conditional put does atomically.
    const raw = this.items.get(rollout.id);
    const current = raw ? (JSON.parse(raw) as Rollout) : null;
    if (!current || current.revision !== expectedRevision) {
      throw new ConflictError(`rollout ${rollout.id} changed meanwhile`, 'revision');
    }
    this.items.set(rollout.id, JSON.stringify({ ...rollout, revision: expectedRevision + 1 }));
  }

  async list(filter: RolloutFilter): Promise<Page<RolloutSummary>> {
    const all = [...this.items.values()]
      .map((raw) => JSON.parse(raw) as Rollout)
      .filter((r) => matchesRolloutFilter(r, filter))
      .sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)));
    let start = 0;
    if (filter.cursor) {
      start = all.findIndex((r) => r.id === filter.cursor) + 1;
      if (start === 0) throw new ValidationError('cursor is not a cursor this API returned', 'cursor', 'invalid_cursor');
    }
    const items = all.slice(start, start + filter.limit);
    const next = start + filter.limit < all.length ? items[items.length - 1]!.id : null;
    return { items: items.map(summarizeRollout), next };
  }
}
