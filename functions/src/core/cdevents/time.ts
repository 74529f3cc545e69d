const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Turns an RFC 3339 timestamp into a sortable UTC string with nine fractional digits
 * (`2026-11-23T09:00:00.123456789Z`), keeping precision that `Date` would drop (producers send 6 to
 * 9 digits and numeric offsets). Returns null when the text is not a usable timestamp. Pure.
 */
export function toSortableUtc(timestamp: unknown): string | null {
  if (typeof timestamp !== 'string') return null;
  const m = RFC3339.exec(timestamp.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', z, sign, oh, om] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Math.min(Number(s), 59));
  if (Number.isNaN(ms)) return null;
  if (!z && sign) {
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    ms += sign === '+' ? -offset : offset;
  }
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 || date.getUTCFullYear() < 0) return null;
  const whole = date.toISOString().slice(0, 19);
  return `${whole}.${frac.padEnd(9, '0')}Z`;
}

/** `YYYY-MM-DD` of a sortable UTC string. */
export function dayOf(sortable: string): string {
  return sortable.slice(0, 10);
}

/** The sortable form of an ISO instant produced by a `Clock`. */
export function sortableFromIso(iso: string): string {
  return toSortableUtc(iso) ?? `${iso.slice(0, 19)}.000000000Z`;
}
