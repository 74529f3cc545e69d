import { randomUUID } from 'node:crypto';
import { ConflictError, DependencyError, ValidationError } from '../../core/errors';
import { systemClock, type Clock } from '../../core/ports/clock';
import type { BusEvent, DeliveredEvent, EventBus, PublishResult } from '../../core/ports/event-bus';
// The PutEvents entry rules are AWS's; both buses share one implementation so they cannot drift.
import { checkBusEvent } from '../../shared/put-events';
import { compileEventPattern, type EventPatternMatcher } from './event-pattern';

/** A delivery that failed on every attempt. */
export interface DeadLetter {
  rule: string;
  event: DeliveredEvent;
  /** The error of the last attempt. */
  error: unknown;
  attempts: number;
}

export interface LocalEventBusOptions {
  /** Account in delivered events; default `000000000000`. */
  account?: string;
  /** Region in delivered events; default `us-east-1`. */
  region?: string;
  /** For messages only; default `signalbox`. */
  busName?: string;
  /** Sets `time` of events published without one; default the system clock. */
  clock?: Clock;
  /** `attempts` in all (first one included); waits `baseDelayMs * 2^(n-1)` after failure n. Default 3 × 100 ms. */
  retry?: { attempts: number; baseDelayMs: number };
  /** Called once per (rule, event) after the last failed attempt. */
  onDeadLetter: (failure: DeadLetter) => Promise<void>;
}

interface Rule {
  name: string;
  matches: EventPatternMatcher;
  target: (event: DeliveredEvent) => Promise<void>;
}

const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 100 };

/**
 * The in-process Signalbox bus for `npm start` and tests, with EventBridge semantics.
 *
 * Guarantees: `publish` checks each entry as PutEvents does (see `checkBusEvent`; any number of
 * entries per call) and returns one result per entry, in order, before any target runs. Each
 * accepted event gets a fresh UUID `id`, its own `time` or the clock's, and is delivered later to
 * every rule whose pattern matched when it was published, each rule receiving its own copy of the
 * JSON-serialised event. A failing target is retried with exponential backoff; after the last
 * attempt `onDeadLetter` is called (if that rejects too, the failure is logged to stderr, as the
 * bus has nowhere else to put it). Deliveries are concurrent and unordered, like EventBridge's.
 */
export class LocalEventBus implements EventBus {
  private readonly rules = new Map<string, Rule>();
  private readonly account: string;
  private readonly region: string;
  private readonly busName: string;
  private readonly clock: Clock;
  private readonly retry: { attempts: number; baseDelayMs: number };
  private readonly onDeadLetter: LocalEventBusOptions['onDeadLetter'];
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  /** @throws ValidationError when `retry` is not a positive whole number of attempts and a delay ≥ 0. */
  constructor(opts: LocalEventBusOptions) {
    this.account = opts.account ?? '000000000000';
    this.region = opts.region ?? 'us-east-1';
    this.busName = opts.busName ?? 'signalbox';
    this.clock = opts.clock ?? systemClock;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.onDeadLetter = opts.onDeadLetter;
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1) {
      throw new ValidationError('retry.attempts must be a whole number ≥ 1', 'retry.attempts');
    }
    if (!Number.isFinite(this.retry.baseDelayMs) || this.retry.baseDelayMs < 0) {
      throw new ValidationError('retry.baseDelayMs must be a number ≥ 0', 'retry.baseDelayMs');
    }
  }

  /**
   * Registers a rule: events published from now on that match `pattern` are delivered to `target`.
   *
   * @throws ValidationError (code `invalid_event_pattern`) when the pattern is not valid.
   * @throws ConflictError when a rule of that name exists.
   */
  addRule(name: string, pattern: object, target: (event: DeliveredEvent) => Promise<void>): void {
    if (this.rules.has(name)) throw new ConflictError(`Rule ${name} already exists on bus ${this.busName}`, 'name');
    this.rules.set(name, { name, matches: compileEventPattern(pattern), target });
  }

  /**
   * Accepts or rejects each event and schedules deliveries; never waits for targets.
   *
   * @throws DependencyError after {@link close} (the bus is then unreachable).
   */
  async publish(events: BusEvent[]): Promise<PublishResult[]> {
    if (this.closed) throw new DependencyError(`Event bus ${this.busName} is closed`);
    const rules = [...this.rules.values()];
    return events.map((entry): PublishResult => {
      const checked = checkBusEvent(entry);
      if (!checked.ok) return { errorCode: checked.errorCode, errorMessage: checked.errorMessage };
      const event: DeliveredEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': checked.detailType,
        source: checked.source,
        account: this.account,
        time: entry.time ?? this.clock.now(),
        region: this.region,
        resources: checked.resources ?? [],
        detail: JSON.parse(checked.detail) as unknown,
      };
      for (const rule of rules) {
        if (rule.matches(event)) this.schedule(rule, structuredClone(event));
      }
      return { eventId: event.id };
    });
  }

  /** Resolves once no delivery, retry wait or dead-lettering is in flight. Never rejects. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Refuses further publishes (they throw `DependencyError`) and resolves once the deliveries
   * already accepted, with their retries, are done. Idempotent; never rejects.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private schedule(rule: Rule, event: DeliveredEvent): void {
    this.inFlight += 1;
    // Targets run after publish has returned, as with EventBridge.
    setImmediate(() => {
      void this.deliver(rule, event).finally(() => this.settle());
    });
  }

  private async deliver(rule: Rule, event: DeliveredEvent): Promise<void> {
    const { attempts, baseDelayMs } = this.retry;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        // A fresh copy per attempt: a target that mutated the event must not change the retry.
        await rule.target(structuredClone(event));
        return;
      } catch (error) {
        lastError = error;
      }
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
    }
    try {
      await this.onDeadLetter({ rule: rule.name, event, error: lastError, attempts });
    } catch (error) {
      console.error(`[${this.busName}] dead-letter handler failed for rule ${rule.name}, event ${event.id}`, error);
    }
  }

  private settle(): void {
    this.inFlight -= 1;
    if (this.inFlight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
