import type { Clock } from './ports/clock';
import type { DeadLetterStore } from './ports/dead-letter-store';
import type { DoraStore } from './ports/dora-store';
import type { EventBus } from './ports/event-bus';
import type { EventStore } from './ports/event-store';
import type { InventoryStore } from './ports/inventory-store';
import type { Logger } from './ports/logger';
import type { ProducerTokens } from './ports/producer-tokens';

/** Everything the use cases need; each runtime builds one in `wiring/`. */
export interface Deps {
  events: EventStore;
  inventory: InventoryStore;
  deadLetters: DeadLetterStore;
  /** DORA per-day aggregates, kept by the store consumer. */
  dora: DoraStore;
  bus: EventBus;
  producerTokens: ProducerTokens;
  clock: Clock;
  logger: Logger;
  /** Random ids (dead letters); a port so tests can fix them. */
  newId: () => string;
  /**
   * Backpressure for ingest where the pipeline behind the bus can fall behind (the local runtime's
   * single process): seconds a producer should wait before sending more, or null when it keeps up.
   * Absent (AWS: EventBridge and the store Lambda scale out): ingest never refuses for load.
   */
  ingestBackpressure?: () => number | null;
}
