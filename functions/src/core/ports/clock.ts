/** Time as a port, so ordering and late-event tests are deterministic. */
export interface Clock {
  /** Now, as an ISO 8601 UTC string with milliseconds. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };
