'use client';
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { absoluteTime, relativeTime } from '@/lib/format';
import { useLive, type LiveStatus, type LiveTopic } from '@/lib/live';
import { useResource, type Resource } from '@/lib/use-resource';
import {
  FALLBACK_REFRESH_MS,
  monitoringHrefs,
  sinceOf,
  statusTone,
  type AlertView,
  type CheckStatus,
  type CheckSummary,
  type HealthNode,
  type StripSlot,
} from '@/lib/monitoring';

/** A check, node or alert status as a pill; the word carries the meaning, the colour only helps. */
export function StatusBadge({ status, title }: { status: CheckStatus | AlertView['status']; title?: string }) {
  return (
    <span className={`badge phase phase--${statusTone(status)} status-badge`} data-status={status} title={title}>
      {status}
    </span>
  );
}

export function FlappingFlag({ changes }: { changes: number }) {
  return (
    <span className="badge flapping" title={`${changes} status changes in the last hour`} data-flapping="true">
      flapping
    </span>
  );
}

function clock(iso: string): string {
  return iso.slice(11, 16);
}

/**
 * The last hour of a check, one slot a minute, oldest left. The slots are decorative for screen
 * readers: the label says in words how many minutes had which status.
 */
export function HistoryStrip({ slots, name }: { slots: readonly StripSlot[]; name: string }) {
  if (slots.length === 0) return null;
  const counts = new Map<string, number>();
  for (const s of slots) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const words = [...counts.entries()].map(([status, n]) => `${n} ${status === 'none' ? 'without data' : status}`).join(', ');
  const label = `History of ${name} from ${clock(slots[0]!.start)} to ${clock(slots[slots.length - 1]!.end)} UTC: ${words}`;
  return (
    <span className="strip" role="img" aria-label={label} data-testid="history-strip">
      {slots.map((s) => (
        <span key={s.start} className={`strip__slot strip__slot--${s.status}`} title={`${absoluteTime(s.start)}: ${s.status === 'none' ? 'no data' : s.status}`} />
      ))}
    </span>
  );
}

/** "since 13:42 UTC (5m ago)", or "for over 1 h" when the whole strip has the status. */
export function SinceText({ check, now }: { check: Pick<CheckSummary, 'status' | 'checkedAt' | 'strip' | 'since'>; now: number }) {
  const since = sinceOf(check);
  if (!since.iso) return <span className="muted">no result yet</span>;
  return (
    <span className="since" title={`${since.atLeast ? 'at least since' : 'since'} ${absoluteTime(since.iso)}`}>
      {since.atLeast ? 'for over ' : 'since '}
      <time dateTime={since.iso}>
        {since.atLeast ? relativeTime(since.iso, now).replace(/ ago$/, '') : `${clock(since.iso)} UTC (${relativeTime(since.iso, now)})`}
      </time>
    </span>
  );
}

/** A system or service name; systems link to their page. */
export function NodeName({ node }: { node: Pick<HealthNode, 'kind' | 'name'> }) {
  return node.kind === 'system' ? (
    <Link href={monitoringHrefs.system(node.name)} className="node-name">
      {node.name}
    </Link>
  ) : (
    <span className="node-name">{node.name}</span>
  );
}

export function CheckLink({ name }: { name: string }) {
  return (
    <Link href={monitoringHrefs.check(name)} className="node-name">
      {name}
    </Link>
  );
}

/** The live connection's state in words, next to the page title. */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  const text = status === 'live' ? 'live' : status === 'connecting' ? 'connecting…' : `refreshing every ${FALLBACK_REFRESH_MS / 1000} s`;
  return (
    <span className={`live live--${status}`} role="status" data-live={status}>
      <span className="live__dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/**
 * Reloads on every live message of `topics` (bursts collapse into one reload), and tells the caller
 * whether to poll: pages pass `refreshMs: pollMs(status)` to `useResource`.
 */
export function useLiveReload(topics: readonly LiveTopic[], reload: () => void): LiveStatus {
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const status = useLive(topics, () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      reloadRef.current();
    }, 250);
  });
  // Messages sent while the socket was down are lost: catch up once it is live (again).
  const wasLive = useRef(false);
  useEffect(() => {
    if (status === 'live' && !wasLive.current) reloadRef.current();
    wasLive.current = status === 'live';
  }, [status]);
  return status;
}

/** Poll only while the socket is not live (the fallback of the brief: every 15 s). */
export function pollMs(status: LiveStatus): number | undefined {
  return status === 'live' ? undefined : FALLBACK_REFRESH_MS;
}

/**
 * `useResource` that reloads on live messages of `topics` and polls every 15 s only while the
 * socket is not live.
 */
export function useLiveResource<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  topics: readonly LiveTopic[],
): Resource<T> & { reload: () => void; live: LiveStatus } {
  const reloadRef = useRef<() => void>(() => undefined);
  const live = useLiveReload(topics, () => reloadRef.current());
  const resource = useResource(key, load, { refreshMs: pollMs(live) });
  reloadRef.current = resource.reload;
  return { ...resource, live };
}
