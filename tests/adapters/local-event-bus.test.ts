import { describe, expect, it, vi } from 'vitest';
import { LocalEventBus, type DeadLetter } from '../../functions/src/adapters/local/local-event-bus';
import { ConflictError, DependencyError, ValidationError } from '../../functions/src/core/errors';
import type { Clock } from '../../functions/src/core/ports/clock';
import type { BusEvent, DeliveredEvent } from '../../functions/src/core/ports/event-bus';
import { BUS_RULES, CDEVENT_DETAIL_TYPE, INGEST_BUS_SOURCE } from '../../functions/src/shared/bus-rules';

const fixedClock: Clock = { now: () => '2026-03-01T12:00:00.000Z' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const cdevent = (type = 'dev.cdevents.service.deployed.0.3.0', id = 'e-1'): BusEvent => ({
  source: INGEST_BUS_SOURCE,
  detailType: CDEVENT_DETAIL_TYPE,
  detail: { context: { specversion: '0.5.1', id, source: '/ci', type, timestamp: '2026-03-01T11:59:00Z' }, subject: { id: 's' } },
});

function setup(opts: { retry?: { attempts: number; baseDelayMs: number } } = {}) {
  const deadLetters: DeadLetter[] = [];
  const bus = new LocalEventBus({
    account: '123456789012',
    region: 'eu-west-1',
    clock: fixedClock,
    retry: opts.retry ?? { attempts: 3, baseDelayMs: 1 },
    onDeadLetter: async (failure) => {
      deadLetters.push(failure);
    },
  });
  return { bus, deadLetters };
}

describe('LocalEventBus', () => {
  it('delivers an accepted event to a matching rule as an EventBridge envelope', async () => {
    const { bus } = setup();
    const received: DeliveredEvent[] = [];
    const store = BUS_RULES.find((r) => r.id === 'StoreCdEvents')!;
    bus.addRule(store.id, store.pattern, async (e) => {
      received.push(e);
    });
    const published = cdevent();

    const results = await bus.publish([published, { ...cdevent(), time: '2026-01-01T00:00:00Z', resources: ['arn:x'] }]);
    await bus.idle();

    expect(results).toEqual([{ eventId: expect.stringMatching(UUID) }, { eventId: expect.stringMatching(UUID) }]);
    const [first, second] = results as Array<{ eventId: string }>;
    expect(first!.eventId).not.toBe(second!.eventId);
    expect(received.find((e) => e.id === first!.eventId)).toEqual({
      version: '0',
      id: first!.eventId,
      'detail-type': CDEVENT_DETAIL_TYPE,
      source: INGEST_BUS_SOURCE,
      account: '123456789012',
      time: fixedClock.now(),
      region: 'eu-west-1',
      resources: [],
      detail: published.detail,
    });
    expect(received.find((e) => e.id === second!.eventId)).toMatchObject({ time: '2026-01-01T00:00:00Z', resources: ['arn:x'] });
  });

  it('does not run targets before publish has returned', async () => {
    const { bus } = setup();
    const target = vi.fn(async () => {});
    bus.addRule('All', { source: [{ exists: true }] }, target);

    await bus.publish([cdevent()]);
    expect(target).not.toHaveBeenCalled();

    await bus.idle();
    expect(target).toHaveBeenCalledTimes(1);
  });

  it('delivers only to rules whose pattern matches, and to each of them', async () => {
    const { bus } = setup();
    const calls: Array<[string, string]> = [];
    const record = (rule: string) => async (e: DeliveredEvent) => {
      calls.push([rule, (e.detail as { context: { type: string } }).context.type]);
    };
    bus.addRule('Deployments', { detail: { context: { type: [{ prefix: 'dev.cdevents.service.' }] } } }, record('Deployments'));
    bus.addRule('Builds', { detail: { context: { type: [{ wildcard: 'dev.cdevents.build.*' }] } } }, record('Builds'));
    bus.addRule('Everything', { source: [INGEST_BUS_SOURCE] }, record('Everything'));

    await bus.publish([cdevent('dev.cdevents.service.deployed.0.3.0'), cdevent('dev.cdevents.build.finished.0.2.0')]);
    await bus.idle();

    expect(calls.sort()).toEqual(
      [
        ['Builds', 'dev.cdevents.build.finished.0.2.0'],
        ['Deployments', 'dev.cdevents.service.deployed.0.3.0'],
        ['Everything', 'dev.cdevents.build.finished.0.2.0'],
        ['Everything', 'dev.cdevents.service.deployed.0.3.0'],
      ].sort(),
    );
  });

  it('gives every rule its own copy of the event, detached from the publisher', async () => {
    const { bus } = setup();
    const seen: DeliveredEvent[] = [];
    bus.addRule('Mutator', { source: [INGEST_BUS_SOURCE] }, async (e) => {
      (e.detail as { context: { id: string } }).context.id = 'mutated';
    });
    bus.addRule('Reader', { source: [INGEST_BUS_SOURCE] }, async (e) => {
      seen.push(e);
    });
    const published = cdevent();

    await bus.publish([published]);
    (published.detail as { context: { id: string } }).context.id = 'changed-after-publish';
    await bus.idle();

    expect((seen[0]!.detail as { context: { id: string } }).context.id).toBe('e-1');
  });

  it('retries a failing target with exponential backoff, then succeeds', async () => {
    const { bus, deadLetters } = setup({ retry: { attempts: 4, baseDelayMs: 5 } });
    const attemptTimes: number[] = [];
    bus.addRule('Flaky', { source: [INGEST_BUS_SOURCE] }, async () => {
      attemptTimes.push(performance.now());
      if (attemptTimes.length < 3) throw new Error('transient');
    });

    await bus.publish([cdevent()]);
    await bus.idle();

    expect(attemptTimes).toHaveLength(3);
    expect(attemptTimes[1]! - attemptTimes[0]!).toBeGreaterThanOrEqual(4); // 5 ms, timer slack
    expect(attemptTimes[2]! - attemptTimes[1]!).toBeGreaterThanOrEqual(9); // 10 ms
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters after the last failed attempt, once, with the last error', async () => {
    const { bus, deadLetters } = setup({ retry: { attempts: 3, baseDelayMs: 1 } });
    let attempts = 0;
    bus.addRule('Broken', { source: [INGEST_BUS_SOURCE] }, async () => {
      attempts += 1;
      throw new Error(`failure ${attempts}`);
    });
    const ok = vi.fn(async () => {});
    bus.addRule('Healthy', { source: [INGEST_BUS_SOURCE] }, ok);

    const [result] = await bus.publish([cdevent()]);
    await bus.idle();

    expect(attempts).toBe(3);
    expect(ok).toHaveBeenCalledTimes(1);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      rule: 'Broken',
      attempts: 3,
      error: new Error('failure 3'),
      event: { id: (result as { eventId: string }).eventId, source: INGEST_BUS_SOURCE },
    });
  });

  it('treats a target that throws synchronously like one that rejects', async () => {
    const { bus, deadLetters } = setup({ retry: { attempts: 1, baseDelayMs: 0 } });
    bus.addRule('Sync', { source: [INGEST_BUS_SOURCE] }, (() => {
      throw new Error('sync');
    }) as unknown as (e: DeliveredEvent) => Promise<void>);

    await bus.publish([cdevent()]);
    await bus.idle();

    expect(deadLetters.map((d) => d.attempts)).toEqual([1]);
  });

  it('survives a dead-letter handler that fails', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bus = new LocalEventBus({
      retry: { attempts: 1, baseDelayMs: 0 },
      onDeadLetter: async () => {
        throw new Error('dlq down');
      },
    });
    bus.addRule('Broken', { source: [INGEST_BUS_SOURCE] }, async () => {
      throw new Error('nope');
    });

    await bus.publish([cdevent()]);
    await bus.idle();

    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });

  it('rejects bad entries per entry, like PutEvents, and accepts the others', async () => {
    const { bus } = setup();
    const target = vi.fn(async () => {});
    bus.addRule('All', { source: [{ exists: true }] }, target);

    const results = await bus.publish([
      { ...cdevent(), source: '' },
      { ...cdevent(), detailType: '' },
      { ...cdevent(), detail: '{"a":1}' },
      { ...cdevent(), detail: null },
      { ...cdevent(), time: 'not a time' },
      { ...cdevent(), detail: { blob: 'x'.repeat(256 * 1024) } },
      cdevent(),
    ]);
    await bus.idle();

    expect(results).toEqual([
      { errorCode: 'InvalidArgument', errorMessage: expect.stringContaining('Source') },
      { errorCode: 'InvalidArgument', errorMessage: expect.stringContaining('DetailType') },
      { errorCode: 'MalformedDetail', errorMessage: expect.any(String) },
      { errorCode: 'MalformedDetail', errorMessage: expect.any(String) },
      { errorCode: 'InvalidArgument', errorMessage: expect.stringContaining('Time') },
      { errorCode: 'InvalidArgument', errorMessage: expect.stringContaining('256 KB') },
      { eventId: expect.stringMatching(UUID) },
    ]);
    expect(target).toHaveBeenCalledTimes(1);
  });

  it('accepts more than 10 entries in one call', async () => {
    const { bus } = setup();
    const target = vi.fn(async () => {});
    bus.addRule('All', { source: [INGEST_BUS_SOURCE] }, target);

    const results = await bus.publish(Array.from({ length: 25 }, (_, i) => cdevent(undefined, `e-${i}`)));
    await bus.idle();

    expect(results.every((r) => 'eventId' in r)).toBe(true);
    expect(target).toHaveBeenCalledTimes(25);
  });

  it('refuses an invalid pattern and a duplicate rule name', () => {
    const { bus } = setup();
    expect(() => bus.addRule('Bad', { source: 'x' }, async () => {})).toThrow(ValidationError);
    bus.addRule('Once', { source: ['x'] }, async () => {});
    expect(() => bus.addRule('Once', { source: ['y'] }, async () => {})).toThrow(ConflictError);
  });

  it('refuses a retry policy without attempts', () => {
    expect(() => new LocalEventBus({ retry: { attempts: 0, baseDelayMs: 1 }, onDeadLetter: async () => {} })).toThrow(
      ValidationError,
    );
  });

  describe('idle', () => {
    it('resolves at once when nothing is in flight', async () => {
      const { bus } = setup();
      await expect(bus.idle()).resolves.toBeUndefined();
    });

    it('waits for retries and for events that targets publish in turn', async () => {
      const { bus, deadLetters } = setup({ retry: { attempts: 2, baseDelayMs: 20 } });
      const log: string[] = [];
      let failedOnce = false;
      bus.addRule('First', { 'detail-type': ['first'] }, async () => {
        if (!failedOnce) {
          failedOnce = true;
          throw new Error('retry me');
        }
        log.push('first');
        await bus.publish([{ source: 'chain', detailType: 'second', detail: {} }]);
      });
      bus.addRule('Second', { 'detail-type': ['second'] }, async () => {
        await new Promise((r) => setTimeout(r, 10));
        log.push('second');
      });

      await bus.publish([{ source: 'chain', detailType: 'first', detail: {} }]);
      await bus.idle();

      expect(log).toEqual(['first', 'second']);
      expect(deadLetters).toEqual([]);
    });

    it('waits for slow targets, and several waiters resolve together', async () => {
      const { bus } = setup();
      let done = false;
      bus.addRule('Slow', { source: [INGEST_BUS_SOURCE] }, async () => {
        await new Promise((r) => setTimeout(r, 20));
        done = true;
      });

      await bus.publish([cdevent()]);
      await Promise.all([bus.idle(), bus.idle()]);

      expect(done).toBe(true);
    });
  });

  it('close waits for accepted deliveries, then refuses publishes', async () => {
    const { bus } = setup();
    const target = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
    bus.addRule('All', { source: [INGEST_BUS_SOURCE] }, target);

    await bus.publish([cdevent()]);
    await bus.close();

    expect(target).toHaveBeenCalledTimes(1);
    await expect(bus.publish([cdevent()])).rejects.toBeInstanceOf(DependencyError);
  });
});
