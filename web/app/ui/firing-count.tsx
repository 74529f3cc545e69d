'use client';
import { listAlerts } from '@/lib/monitoring';
import { useLiveResource } from './monitoring-bits';

const TOPICS = ['alerts'] as const;

async function firing(signal: AbortSignal): Promise<{ count: number; more: boolean }> {
  const page = await listAlerts({ state: 'firing' }, { signal, limit: 200 });
  // Silenced and inhibited alerts are muted on purpose: the badge counts what needs a person.
  return { count: page.items.filter((a) => a.status === 'firing').length, more: page.next !== null };
}

/** The number of firing (not muted) alerts, for the nav; nothing when none or when alerts are unavailable. */
export function FiringCount() {
  const res = useLiveResource('nav:firing', firing, TOPICS);
  const data = res.data;
  if (!data || data.count === 0) return null;
  const text = `${data.count}${data.more ? '+' : ''}`;
  return (
    <span className="nav__count" data-testid="firing-count" title={`${text} firing alert${data.count === 1 ? '' : 's'}`}>
      <span aria-hidden="true">{text}</span>
      <span className="visually-hidden">, {text} firing</span>
    </span>
  );
}
