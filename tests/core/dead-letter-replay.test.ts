import { describe, expect, it } from 'vitest';
import { InMemoryAlertStore } from '../../functions/src/adapters/local/in-memory-alert-store';
import { InMemoryCheckHistoryStore } from '../../functions/src/adapters/local/in-memory-check-history-store';
import { parseConfig, formatIssue } from '../../functions/src/core/config/parse';
import type { Deps } from '../../functions/src/core/deps';
import { ConflictError } from '../../functions/src/core/errors';
import { inMemoryMonitorState, staticMonitoringConfig, type MonitoringDeps } from '../../functions/src/core/monitoring/deps';
import type { DeadLetter } from '../../functions/src/core/read-models';
import { replayDeadLetter } from '../../functions/src/core/use-cases/read-side';
import { serviceEvent } from '../helpers/fixtures';

const CONFIG = `alerts:
  - name: service-rolled-back
    severity: error
    condition:
      event: [dev.cdevents.service.rolledback.*]
    resolveAfter: 1h
`;

function setup(alertStore: InMemoryAlertStore | undefined) {
  const { config, issues } = parseConfig([{ name: 'alerts.yaml', text: CONFIG }]);
  expect(issues.map(formatIssue)).toEqual([]);
  const letters = new Map<string, DeadLetter>();
  const deps = {
    monitoringConfig: staticMonitoringConfig({ config, errors: [], placeholders: {} }),
    probes: {} as MonitoringDeps['probes'],
    checkHistory: new InMemoryCheckHistoryStore(),
    monitorState: inMemoryMonitorState(),
    ...(alertStore ? { alertStore } : {}),
    deadLetters: {
      get: async (id: string) => letters.get(id) ?? null,
      record: async (e: DeadLetter) => void letters.set(e.id, e),
      update: async (e: DeadLetter) => void letters.set(e.id, e),
      list: async () => ({ items: [...letters.values()], next: null }),
    },
    bus: { publish: async (events: unknown[]) => events.map((_, i) => ({ eventId: `e${i}` })) },
    clock: { now: () => new Date().toISOString() },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  } as unknown as Deps & MonitoringDeps;
  const letter = (consumer: string): DeadLetter => {
    const now = new Date().toISOString();
    const event = serviceEvent({ predicate: 'rolledback', service: 'payments-api', environment: 'prod', timestamp: now });
    const entry: DeadLetter = {
      id: `AlertOnEvents-${consumer}`,
      eventKey: null,
      consumer,
      error: 'Error: alert store unreachable',
      attempts: 3,
      firstFailedAt: now,
      lastFailedAt: now,
      payload: { version: '0', id: 'x', 'detail-type': 'CDEvent', source: 'signalbox.ingest', account: 'local', time: now, region: 'local', resources: [], detail: event },
      state: 'pending',
    };
    letters.set(entry.id, entry);
    return entry;
  };
  return { deps, letters, letter };
}

describe('replaying dead letters of the bus consumers', () => {
  it('applies the event alert rules again to an event the alertEvents consumer failed on', async () => {
    const store = new InMemoryAlertStore();
    const { deps, letter } = setup(store);
    const entry = letter('alertEvents');
    const replayed = await replayDeadLetter(deps, entry.id);
    expect(replayed.state).toBe('replayed');
    const alerts = (await store.listAlerts({ limit: 10 })).items;
    expect(alerts.map((a) => [a.labels.alertname, a.labels.service, a.state])).toEqual([['service-rolled-back', 'payments-api', 'firing']]);
  });

  it('counts a failed attempt when alerts are not configured, and never replays live pushes', async () => {
    const { deps, letters, letter } = setup(undefined);
    const entry = letter('alertEvents');
    await expect(replayDeadLetter(deps, entry.id)).rejects.toBeInstanceOf(ConflictError);
    expect(letters.get(entry.id)).toMatchObject({ state: 'pending', attempts: 4 });
    const live = letter('live');
    await expect(replayDeadLetter(deps, live.id)).rejects.toThrow(/not replayed/);
  });
});
