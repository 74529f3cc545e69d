/**
 * Maps with at most `limit` calls in flight, keeping the input order in the output. When a call
 * fails, the worker that made it stops, the others go on, and the first failure is thrown once all
 * of them are done.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  // A caller that rejects must not leave calls still running behind it (in a Lambda they would
  // run on during a later invocation).
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return out;
}
