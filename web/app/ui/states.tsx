import type { ReactNode } from 'react';
import type { ApiError } from '@/lib/api';
import type { Resource } from '@/lib/use-resource';

/** A failed load, with what went wrong and a way to try again. */
export function ErrorState({ error, onRetry, title = 'Could not load this' }: { error: ApiError; onRetry?: () => void; title?: string }) {
  return (
    <div className="state state--error" role="alert">
      <p className="state__title">{title}</p>
      <p className="state__detail">
        {error.message}
        {error.code ? <span className="muted"> ({error.code}{error.status ? `, HTTP ${error.status}` : ''})</span> : null}
      </p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** A refresh failed but older data is still on screen. */
export function StaleNotice({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  return (
    <p className="stale" role="status">
      Showing older data: the last refresh failed ({error.message}).{' '}
      <button type="button" className="link-button" onClick={onRetry}>
        Retry now
      </button>
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state--empty">
      <p className="state__title">{title}</p>
      {children}
    </div>
  );
}

/** Grey bars in the shape of the table that is loading. */
export function TableSkeleton({ rows = 6, columns = 5, label = 'Loading' }: { rows?: number; columns?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" aria-label={label}>
      <span className="visually-hidden">{label}…</span>
      {Array.from({ length: rows }, (_, r) => (
        <div className="skeleton__row" key={r} aria-hidden="true">
          {Array.from({ length: columns }, (_, c) => (
            <span className="skeleton__cell" key={c} />
          ))}
        </div>
      ))}
    </div>
  );
}

export function BlockSkeleton({ lines = 4, label = 'Loading' }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-label={label}>
      <span className="visually-hidden">{label}…</span>
      {Array.from({ length: lines }, (_, i) => (
        <span className="skeleton__line" key={i} aria-hidden="true" style={{ width: `${90 - i * 12}%` }} />
      ))}
    </div>
  );
}

/**
 * The loading / failed / empty / stale switch of a page over one `useResource`: `loading` until
 * the first answer; when the first load failed, the error with Retry titled `failed` (or, for a
 * 404 and when `notFound` is given, titled `notFound` without Retry); `empty(data)` when it returns
 * something; else `children(data)`, under a stale notice when the last refresh failed.
 */
export function ResourceView<T>({
  resource,
  loading,
  failed,
  notFound,
  empty,
  children,
}: {
  resource: Resource<T> & { reload: () => void };
  loading: ReactNode;
  failed: string;
  notFound?: string;
  empty?: (data: T) => ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (resource.status === 'loading') return <>{loading}</>;
  if (resource.status === 'error' && resource.data === null) {
    const missing = notFound !== undefined && resource.error.notFound;
    return <ErrorState error={resource.error} onRetry={missing ? undefined : resource.reload} title={missing ? notFound : failed} />;
  }
  const data = resource.data as T;
  const nothing = empty?.(data);
  if (nothing !== undefined && nothing !== null && nothing !== false) return <>{nothing}</>;
  return (
    <>
      {resource.status === 'error' ? <StaleNotice error={resource.error} onRetry={resource.reload} /> : null}
      {children(data)}
    </>
  );
}
