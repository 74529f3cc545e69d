import { ConflictError, NotFoundError } from '../errors';
import type { RolloutStore } from '../ports/rollout-store';
import type { Rollout } from './model';

const MAX_ATTEMPTS = 12;

/**
 * Read-modify-write of one rollout with optimistic concurrency: loads it, applies `change` to a
 * fresh copy and saves it against the revision it read; on `ConflictError` (someone else wrote
 * meanwhile) it reloads and applies `change` again, up to 12 times. `change` must therefore be
 * pure apart from what it returns: it may mutate its argument and return a value, or return
 * `null` to leave the rollout unsaved.
 *
 * @returns the saved rollout (revision bumped) and the value `change` returned.
 * @throws NotFoundError when the rollout does not exist; ConflictError when every attempt lost a race.
 */
export async function updateRollout<T>(
  store: RolloutStore,
  id: string,
  change: (rollout: Rollout) => { value: T; save: boolean },
): Promise<{ rollout: Rollout; value: T }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await store.get(id);
    if (!current) throw new NotFoundError(`rollout ${id} does not exist`, 'id');
    const revision = current.revision;
    const { value, save } = change(current);
    if (!save) return { rollout: current, value };
    try {
      await store.save(current, revision);
      return { rollout: { ...current, revision: revision + 1 }, value };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Another writer won; jitter so two retrying writers do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
  throw new ConflictError(`rollout ${id} kept changing; try again`, 'revision');
}
