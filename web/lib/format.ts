/**
 * Pure display helpers: times and versions as an operator reads them at a glance. No backend
 * knowledge; `api.ts` uses them to build view types.
 */

/** Milliseconds since the epoch of an RFC 3339 timestamp (any number of fractional digits), or null. */
export function parseTime(text: string | null | undefined): number | null {
  if (!text) return null;
  // Producers send up to 9 fractional digits; Date only promises 3.
  const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : ms;
}

/** Compact age: `45s`, `3m`, `3h`, `12d`, `5mo`, `2y`. Future times (clock skew) read `0s`. */
export function ageOf(text: string | null | undefined, now: number): string {
  const ms = parseTime(text);
  if (ms === null) return '?';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 60) return `${d}d`;
  const mo = Math.floor(d / 30);
  if (mo < 24) return `${mo}mo`;
  return `${Math.floor(d / 365)}y`;
}

/** `3h ago`, or `just now`. */
export function relativeTime(text: string | null | undefined, now: number): string {
  const ms = parseTime(text);
  if (ms === null) return text ? text : 'unknown time';
  if (now - ms < 10_000) return 'just now';
  return `${ageOf(text, now)} ago`;
}

/** `2026-11-23 14:27:05 UTC`: unambiguous at 3 a.m. in any time zone. */
export function absoluteTime(text: string | null | undefined): string {
  const ms = parseTime(text);
  if (ms === null) return text ?? '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** Within the last 24 hours of `now`. */
export function isRecent(text: string | null | undefined, now: number): boolean {
  const ms = parseTime(text);
  return ms !== null && now - ms < 24 * 3600 * 1000;
}

/**
 * A version short enough for a matrix cell: digests become `sha256:0b31b1c`, long strings are
 * cut with an ellipsis. The full value goes in the tooltip.
 */
export function shortVersion(version: string | null | undefined, max = 18): string {
  if (!version) return '—';
  const digest = /^([a-z0-9]+):([0-9a-f]{16,})$/i.exec(version);
  if (digest) return `${digest[1]}:${digest[2]!.slice(0, 7)}`;
  if (/^[0-9a-f]{32,}$/i.test(version)) return version.slice(0, 7);
  return version.length > max ? `${version.slice(0, max - 1)}…` : version;
}

/** `service.deployed` from `dev.cdevents.service.deployed.0.3.0`; custom types keep their tool. */
export function shortType(type: string): string {
  const match = /^dev\.cdevents(x?)\.([^.]+)\.([^.]+)\./.exec(type);
  if (!match) return type;
  return `${match[1] ? 'x:' : ''}${match[2]}.${match[3]}`;
}
