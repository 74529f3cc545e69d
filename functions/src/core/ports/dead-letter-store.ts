import type { DeadLetter, Page } from '../read-models';

/**
 * Everything a consumer could not process, kept until replayed. `record` is idempotent per `id`
 * (a redelivery of the same failure updates attempts, it does not add a row).
 */
export interface DeadLetterStore {
  record(entry: DeadLetter): Promise<void>;
  get(id: string): Promise<DeadLetter | null>;
  list(limit: number, cursor?: string): Promise<Page<DeadLetter>>;
  update(entry: DeadLetter): Promise<void>;
}
