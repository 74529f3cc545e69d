/**
 * Named errors of the domain. They carry a machine `code` and the `field` at fault, never an HTTP
 * status: one edge middleware maps them (4xx for the caller's fault, 5xx otherwise).
 */
export abstract class SignalboxError extends Error {
  abstract readonly code: string;
  /** True when the caller can fix it (maps to 4xx). */
  abstract readonly callerFault: boolean;
  readonly field: string | null;

  constructor(message: string, field: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.field = field;
  }
}

/** The input is malformed or breaks a rule; `field` names where. */
export class ValidationError extends SignalboxError {
  readonly code: string;
  readonly callerFault = true;
  constructor(message: string, field: string | null = null, code = 'invalid_request') {
    super(message, field);
    this.code = code;
  }
}

/** The request body is larger than allowed. */
export class PayloadTooLargeError extends SignalboxError {
  readonly code = 'payload_too_large';
  readonly callerFault = true;
  constructor(
    message: string,
    readonly limitBytes: number,
  ) {
    super(message, 'body');
  }
}

/** No or a wrong credential. */
export class UnauthorizedError extends SignalboxError {
  readonly code = 'unauthorized';
  readonly callerFault = true;
  constructor(message = 'A valid bearer token is required', field: string | null = 'Authorization') {
    super(message, field);
  }
}

/** The caller is known but its role (or token kind) may not do the action. */
export class ForbiddenError extends SignalboxError {
  readonly code = 'forbidden';
  readonly callerFault = true;
  constructor(
    message: string,
    /** The action refused. */
    readonly action: string,
    /** The smallest role (or token kind) that may do it. */
    readonly required: string,
  ) {
    super(message, null);
  }
}

/** The caller sent too many requests; `retryAfterSeconds` says when one will be accepted again. */
export class RateLimitedError extends SignalboxError {
  readonly code = 'rate_limited';
  readonly callerFault = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, null);
  }
}

/** The addressed thing does not exist. */
export class NotFoundError extends SignalboxError {
  readonly code = 'not_found';
  readonly callerFault = true;
}

/** The request conflicts with the current state. */
export class ConflictError extends SignalboxError {
  readonly code = 'conflict';
  readonly callerFault = true;
}

/**
 * A dependency (store, bus, traffic target) failed; the caller may retry. `options.code` names the
 * failure more precisely (e.g. `TARGET_UNAVAILABLE`); default `dependency_failed`.
 */
export class DependencyError extends SignalboxError {
  readonly code: string;
  readonly callerFault = false;
  /** Seconds after which a retry may succeed, when the failure knows (else the edge's default). */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, field: string | null = null, options?: { cause?: unknown; code?: string; retryAfterSeconds?: number }) {
    super(message, field, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options?.code ?? 'dependency_failed';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
