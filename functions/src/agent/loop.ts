import { toCheckSpec } from '../core/config/check-spec';
import type { CheckConfig } from '../core/config/model';
import type { CheckObservation, CheckResult } from '../core/monitoring/model';
import { runCheck } from '../core/monitoring/run-check';
import { isDue } from '../core/monitoring/run-checks';
import type { Clock } from '../core/ports/clock';
import type { Probes } from '../core/ports/probes';

/** One result as `POST /api/observations` takes it. */
export interface AgentResult extends CheckResult {
  checkId: string;
}

/** What the server said to one batch. */
export type SendOutcome =
  | { kind: 'sent'; accepted: number; duplicates: number }
  /** 401: the token is wrong; retrying cannot help. */
  | { kind: 'unauthorized'; message: string }
  /** 4xx other than 401/408/429: the batch itself is refused (e.g. a check the server does not give this agent). */
  | { kind: 'rejected'; status: number; message: string }
  /** Unreachable, timed out, 5xx, 408 or 429: try again later. */
  | { kind: 'unavailable'; message: string };

export interface AgentEvents {
  result?(r: AgentResult): void;
  sent?(count: number, accepted: number, duplicates: number): void;
  retrying?(attempt: number, delayMs: number, message: string): void;
  unavailable?(buffered: number, message: string): void;
  dropped?(count: number, totalDropped: number): void;
  rejected?(count: number, status: number, message: string): void;
}

/**
 * Results waiting to be sent, oldest first, at most `capacity`: when full, the oldest are dropped
 * (and counted), so a long outage keeps the most recent picture.
 */
export class Outbox {
  private items: AgentResult[] = [];
  dropped = 0;
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds results; returns how many old ones were dropped to make room. */
  push(results: readonly AgentResult[]): number {
    this.items.push(...results);
    const over = Math.max(0, this.items.length - this.capacity);
    if (over > 0) {
      this.items.splice(0, over);
      this.dropped += over;
    }
    return over;
  }

  peek(n: number): AgentResult[] {
    return this.items.slice(0, n);
  }

  /** Removes the first `n` (they were sent or refused). */
  remove(n: number): void {
    this.items.splice(0, n);
  }
}

export interface AgentLoopOptions {
  checks: readonly CheckConfig[];
  placeholders: Readonly<Record<string, string | undefined>>;
  probes: Probes;
  clock: Clock;
  send(batch: readonly AgentResult[]): Promise<SendOutcome>;
  sleep(ms: number): Promise<void>;
  bufferSize: number;
  batchSize: number;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** How many checks run at once (default 4). */
  concurrency?: number;
  events?: AgentEvents;
}

export interface FlushOutcome {
  sent: number;
  /** Results still waiting (the server was unavailable). */
  remaining: number;
  /** Results the server refused (dropped). */
  rejected: number;
  /** Set when the server refused the token: stop. */
  unauthorized?: string;
  /** The last reason the server was unavailable, when `remaining > 0`. */
  unavailable?: string;
}

/**
 * The agent's work, without a process: run due checks with the core's `runCheck` (the same code
 * as the server's check loop; the `previous` observation of evm/ccip checks kept per check), keep the results in a bounded
 * outbox, and send them in batches with retries and exponential backoff.
 */
export class AgentLoop {
  readonly outbox: Outbox;
  private readonly state = new Map<string, { lastRunAt: string; previous: CheckObservation | null }>();

  constructor(private readonly o: AgentLoopOptions) {
    this.outbox = new Outbox(o.bufferSize);
  }

  /** Runs the checks that are due (all with `force`) and puts their results in the outbox. */
  async runDue(force = false): Promise<AgentResult[]> {
    const now = this.o.clock.now();
    const due = this.o.checks.filter((c) => force || isDue(c, this.state.get(c.name)?.lastRunAt, now));
    const results: AgentResult[] = new Array(due.length);
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const i = next++;
        results[i] = await this.runOne(due[i]!, now);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.o.concurrency ?? 4, due.length)) }, worker));
    for (const r of results) this.o.events?.result?.(r);
    const dropped = this.outbox.push(results);
    if (dropped > 0) this.o.events?.dropped?.(dropped, this.outbox.dropped);
    return results;
  }

  private async runOne(check: CheckConfig, now: string): Promise<AgentResult> {
    const st = this.state.get(check.name);
    let previous = st?.previous ?? null;
    let result: CheckResult;
    try {
      const spec = toCheckSpec(check, this.o.placeholders);
      const out = await runCheck({ probes: this.o.probes, clock: this.o.clock }, { spec, previous });
      result = out.result;
      if (out.next) previous = out.next;
    } catch (error) {
      result = { status: 'unknown', metrics: {}, message: `check not run: ${(error as Error).message}`, durationMs: 0, checkedAt: this.o.clock.now() };
    }
    this.state.set(check.name, { lastRunAt: now, previous });
    return { checkId: check.name, ...result };
  }

  /**
   * Sends everything in the outbox, `batchSize` at a time, oldest first. A batch the server cannot
   * take now is retried `retry.attempts` times with exponential backoff, then left in the outbox
   * for the next flush; a refused batch (4xx) is dropped and counted; a 401 stops at once.
   */
  async flush(attempts = this.o.retry.attempts): Promise<FlushOutcome> {
    const out: FlushOutcome = { sent: 0, remaining: this.outbox.size, rejected: 0 };
    while (this.outbox.size > 0) {
      const batch = this.outbox.peek(this.o.batchSize);
      let outcome: SendOutcome = { kind: 'unavailable', message: 'not sent' };
      for (let attempt = 1; attempt <= attempts; attempt++) {
        outcome = await this.o.send(batch);
        if (outcome.kind !== 'unavailable') break;
        if (attempt < attempts) {
          const delay = Math.min(this.o.retry.maxDelayMs, this.o.retry.baseDelayMs * 2 ** (attempt - 1));
          this.o.events?.retrying?.(attempt, delay, outcome.message);
          await this.o.sleep(delay);
        }
      }
      if (outcome.kind === 'sent') {
        this.outbox.remove(batch.length);
        out.sent += batch.length;
        this.o.events?.sent?.(batch.length, outcome.accepted, outcome.duplicates);
      } else if (outcome.kind === 'rejected') {
        this.outbox.remove(batch.length);
        out.rejected += batch.length;
        this.o.events?.rejected?.(batch.length, outcome.status, outcome.message);
      } else if (outcome.kind === 'unauthorized') {
        out.unauthorized = outcome.message;
        break;
      } else {
        out.unavailable = outcome.message;
        this.o.events?.unavailable?.(this.outbox.size, outcome.message);
        break;
      }
    }
    out.remaining = this.outbox.size;
    return out;
  }
}

/** Sends a batch to `POST <server>/api/observations` with the agent's token. */
export function httpSender(opts: { server: string; agent: string; token: string; timeoutMs: number; userAgent: string }): (batch: readonly AgentResult[]) => Promise<SendOutcome> {
  const url = `${opts.server}/api/observations`;
  return async (batch) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json', 'user-agent': opts.userAgent },
        body: JSON.stringify({
          agent: opts.agent,
          results: batch.map((r) => ({ checkId: r.checkId, status: r.status, message: r.message, metrics: r.metrics, durationMs: r.durationMs, checkedAt: r.checkedAt })),
        }),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      return { kind: 'unavailable', message: `${url}: ${reason}` };
    }
    const text = await res.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page): the status says enough
    }
    const err = (body as { error?: { message?: string } } | null)?.error?.message;
    if (res.ok) {
      const b = (body ?? {}) as { accepted?: number; duplicates?: number };
      return { kind: 'sent', accepted: b.accepted ?? batch.length, duplicates: b.duplicates ?? 0 };
    }
    const message = `HTTP ${res.status}${err ? `: ${err}` : ''}`;
    if (res.status === 401) return { kind: 'unauthorized', message };
    if (res.status >= 500 || res.status === 408 || res.status === 429) return { kind: 'unavailable', message: `${url}: ${message}` };
    return { kind: 'rejected', status: res.status, message };
  };
}
