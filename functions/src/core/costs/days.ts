/** UTC day arithmetic on `YYYY-MM-DD` strings. */

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Every day from `from` to `to`, inclusive. */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The first day of the month after `day`'s. */
export function firstOfNextMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** A valid calendar day? */
export function isDay(value: string): boolean {
  return DAY_PATTERN.test(value) && new Date(`${value}T00:00:00.000Z`).toISOString().slice(0, 10) === value;
}

/** Rounds money to 1e-6 (sums of many small float amounts drift). */
export function money(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
