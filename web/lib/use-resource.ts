'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export type Resource<T> =
  | { status: 'loading'; data: null; error: null }
  | { status: 'ready'; data: T; error: null }
  /** `data` is the last good value when a refresh failed (stale but still shown). */
  | { status: 'error'; data: T | null; error: ApiError };

type Loaded<T> = { key: string; data: T | null; error: ApiError | null };

/**
 * Loads `load()` when `key` changes, optionally again every `refreshMs` while the tab is visible,
 * and on `reload()`. A failed refresh keeps the last data so the screen does not blank at 3 a.m.;
 * data loaded for another key is never shown (no flash of the previous page's rows).
 */
export function useResource<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  opts: { refreshMs?: number } = {},
): Resource<T> & { reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setLoaded({ key, data, error: null });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError =
          error instanceof ApiError ? error : new ApiError('client_error', null, (error as Error)?.message ?? String(error), 0);
        setLoaded((prev) => ({ key, data: prev?.key === key ? prev.data : null, error: apiError }));
      },
    );
    return () => controller.abort();
  }, [key, tick]);

  useEffect(() => {
    if (!opts.refreshMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, opts.refreshMs);
    return () => clearInterval(timer);
  }, [opts.refreshMs, key]);

  const reload = useCallback(() => {
    // A retry from the error state shows the skeleton again; a refresh with data keeps the data.
    setLoaded((prev) => (prev && prev.data === null ? null : prev));
    setTick((t) => t + 1);
  }, []);

  if (!loaded || loaded.key !== key) return { status: 'loading', data: null, error: null, reload };
  if (loaded.error) return { status: 'error', data: loaded.data, error: loaded.error, reload };
  return { status: 'ready', data: loaded.data as T, error: null, reload };
}
