import type { CheckStatus } from './model';

/** "Flapping": at least `minChanges` status changes within the last `windowSeconds`. */
export interface FlappingPolicy {
  windowSeconds: number;
  minChanges: number;
}

export interface StatusSample {
  status: CheckStatus;
  checkedAt: string;
}

export interface FlappingVerdict {
  flapping: boolean;
  /** Status changes counted in the window. */
  changes: number;
  /** Samples inside the window. */
  samples: number;
}

/**
 * Counts status changes whose later sample lies in `(now - windowSeconds, now]`; the last sample
 * before the window is the baseline, so a change right at the start of the window counts. The
 * history may come in any order. Pure.
 */
export function detectFlapping(history: readonly StatusSample[], policy: FlappingPolicy, now: string): FlappingVerdict {
  const end = Date.parse(now);
  const start = end - policy.windowSeconds * 1000;
  const sorted = history
    .map((s) => ({ status: s.status, at: Date.parse(s.checkedAt) }))
    .filter((s) => s.at <= end)
    .sort((a, b) => a.at - b.at);
  let changes = 0;
  let samples = 0;
  let prev: CheckStatus | null = null;
  for (const s of sorted) {
    if (s.at > start) {
      samples++;
      if (prev !== null && prev !== s.status) changes++;
    }
    prev = s.status;
  }
  return { flapping: changes >= policy.minChanges, changes, samples };
}
