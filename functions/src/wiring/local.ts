import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { documentClient, DynamoDeadLetterStore, DynamoEventStore, DynamoInventoryStore } from '../adapters/aws/dynamo-stores';
import { StaticProducerTokens } from '../adapters/local/file-producer-tokens';
import { LocalEventBus } from '../adapters/local/local-event-bus';
import type { Deps } from '../core/deps';
import { systemClock, type Clock } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import { createStoreHandler } from '../handlers/events/store';
import { BUS_RULES } from '../shared/bus-rules';

export interface LocalWiring {
  deps: Deps;
  bus: LocalEventBus;
}

/**
 * The composition root for `npm start` and the tests: the same DynamoDB adapters against dynalite,
 * the in-process bus with the same rules as the CDK stack, each rule bound to the same handler the
 * Lambda runs.
 */
export function localDeps(opts: {
  dynamo: DynamoDBClient;
  tableName: string;
  token: string;
  logger: Logger;
  clock?: Clock;
  retry?: { attempts: number; baseDelayMs: number };
}): LocalWiring {
  const doc = documentClient(opts.dynamo);
  const deadLetters = new DynamoDeadLetterStore(doc, opts.tableName);
  const clock = opts.clock ?? systemClock;
  const bus = new LocalEventBus({
    clock,
    retry: opts.retry ?? { attempts: 3, baseDelayMs: 50 },
    onDeadLetter: async ({ rule, event, error, attempts }) => {
      const now = clock.now();
      await deadLetters.record({
        id: `${rule}-${event.id}`,
        eventKey: null,
        consumer: 'store',
        error: `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`,
        attempts,
        firstFailedAt: now,
        lastFailedAt: now,
        payload: event,
        state: 'pending',
      });
    },
  });
  const deps: Deps = {
    events: new DynamoEventStore(doc, opts.tableName),
    inventory: new DynamoInventoryStore(doc, opts.tableName),
    deadLetters,
    bus,
    producerTokens: new StaticProducerTokens(opts.token),
    clock,
    logger: opts.logger,
    newId: randomUUID,
  };
  const targets = { store: createStoreHandler(deps) };
  for (const rule of BUS_RULES) {
    const target = targets[rule.target];
    bus.addRule(rule.id, rule.pattern, async (event) => {
      await target(event, {} as never);
    });
  }
  return { deps, bus };
}
