import { randomUUID } from 'node:crypto';
import { ConflictError, DependencyError, ValidationError } from '../../core/errors';
import { systemClock, type Clock } from '../../core/ports/clock';
import type { BusEvent, DeliveredEvent, EventBus, PublishResult } from '../../core/ports/event-bus';
// The PutEvents entry rules are AWS's; both buses share one implementation so they cannot drift.
import { checkBusEvent } from '../../shared/put-events';
import { compileEventPattern, type EventPatternMatcher } from './event-pattern';
import type { EventJournal } from './event-journal';

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
  /**
   * Accepted means durable: each accepted event is written and fsync'd to this journal before
   * `publish` resolves, each delivery (or dead letter) is marked done, and {@link recover} delivers
   * what a previous process left undelivered. The bus owns it from now on (`close` closes it).
   * Absent: in memory only (tests), an event not yet delivered is lost with the process.
   */
  journal?: EventJournal;
  /**
   * When `onDeadLetter` itself fails (the dead-letter store is down too), keep trying it with
   * backoff doubling up to `maxDelayMs` until it succeeds or the bus is closed (the delivery then
   * stays in the journal for the next start). Absent: log the failure once and give up.
   */
  deadLetterRetry?: { maxDelayMs: number };
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
 * attempt `onDeadLetter` is called (if that rejects too, the failure is logged to stderr and, with
 * `deadLetterRetry`, retried until it succeeds or the bus closes). With a `journal`, an event
 * accepted is an event on disk: a crash before its deliveries finish is healed by {@link recover}. Deliveries are concurrent and unordered, like EventBridge's.
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
  private readonly journal: EventJournal | null;
  private readonly deadLetterRetry: { maxDelayMs: number } | null;
  /** Wakes deliveries waiting to retry a failed dead-letter write (on close). */
  private readonly parked = new Set<() => void>();

  /** @throws ValidationError when `retry` is not a positive whole number of attempts and a delay ≥ 0. */
  constructor(opts: LocalEventBusOptions) {
    this.account = opts.account ?? '000000000000';
    this.region = opts.region ?? 'us-east-1';
    this.busName = opts.busName ?? 'signalbox';
    this.clock = opts.clock ?? systemClock;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.onDeadLetter = opts.onDeadLetter;
    this.journal = opts.journal ?? null;
    this.deadLetterRetry = opts.deadLetterRetry ?? null;
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
   * Delivers again what the journal holds as not yet delivered (a previous process stopped or
   * crashed first), to each rule that still misses it; call once, after the rules are added.
   * Deliveries to rules that no longer exist are dropped. Returns how many deliveries it scheduled.
   */
  recover(): number {
    if (!this.journal) return 0;
    let scheduled = 0;
    for (const { event, rules } of this.journal.recoveredEntries()) {
      for (const name of rules) {
        const rule = this.rules.get(name);
        if (rule) {
          this.schedule(rule, structuredClone(event));
          scheduled += 1;
        } else {
          this.journal.done(event.id, name);
        }
      }
    }
    return scheduled;
  }

  /**
   * Accepts or rejects each event and schedules deliveries; never waits for targets. With a
   * journal, resolves only once the accepted events are on disk.
   *
   * @throws DependencyError after {@link close} (the bus is then unreachable), or when the journal
   * cannot be written (then nothing of this call is delivered).
   */
  async publish(events: BusEvent[]): Promise<PublishResult[]> {
    if (this.closed) throw new DependencyError(`Event bus ${this.busName} is closed`);
    const rules = [...this.rules.values()];
    const accepted: Array<{ event: DeliveredEvent; rules: Rule[] }> = [];
    const results = events.map((entry): PublishResult => {
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
      accepted.push({ event, rules: rules.filter((rule) => rule.matches(event)) });
      return { eventId: event.id };
    });
    if (this.journal) {
      // Counted in flight, so close() cannot close the journal under this write.
      this.inFlight += 1;
      try {
        await this.journal.append(accepted.map((a) => ({ event: a.event, rules: a.rules.map((r) => r.name) })));
      } catch (error) {
        throw new DependencyError(`Event bus ${this.busName} could not journal the events: ${(error as Error).message}`);
      } finally {
        this.settle();
      }
    }
    for (const { event, rules: matched } of accepted) {
      for (const rule of matched) this.schedule(rule, structuredClone(event));
    }
    return results;
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
    for (const wake of this.parked) wake();
    await this.idle();
    await this.journal?.close();
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
        this.journal?.done(event.id, rule.name);
        return;
      } catch (error) {
        lastError = error;
      }
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
    }
    let delayMs = baseDelayMs;
    let logged = false;
    for (;;) {
      try {
        await this.onDeadLetter({ rule: rule.name, event, error: lastError, attempts });
        this.journal?.done(event.id, rule.name);
        return;
      } catch (error) {
        if (!logged || !this.deadLetterRetry || this.closed) {
          logged = true;
          const next = this.deadLetterRetry && !this.closed ? '; retrying until the dead-letter store is back' : this.journal ? '; kept in the journal for the next start' : '';
          console.error(`[${this.busName}] dead-letter handler failed for rule ${rule.name}, event ${event.id}${next}`, error);
        }
        if (!this.deadLetterRetry || this.closed) return;
      }
      delayMs = Math.min(Math.max(delayMs * 2, 10), this.deadLetterRetry.maxDelayMs);
      await this.parkFor(delayMs);
    }
  }

  /** Sleeps, but wakes at once on close. */
  private parkFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.parked.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.parked.add(wake);
    });
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
