/** Options of {@link batchingTarget}. */
export interface BatchingOptions {
  /** Most items handed to one call of the batch function; default 100. */
  maxBatch?: number;
  /** Most batch calls running at once; items arriving meanwhile wait and form the next batches. Default 2. */
  maxConcurrency?: number;
}

/**
 * Turns a function over many items into a function over one item, the way an SQS-fed Lambda
 * receives a batch: items handed over in the same turn of the event loop — and, under load, all
 * those that arrive while `maxConcurrency` batches are running — are passed to `run` together. Each
 * item's promise settles with its batch (resolves when `run` resolves, rejects with its error), so
 * the caller's per-item retry and dead-lettering keep working unchanged. Bounded: at most
 * `maxConcurrency` calls of `run` at once, so a burst queues here instead of starting thousands of
 * store requests together.
 */
export interface BatchingTarget<T> {
  (item: T): Promise<void>;
  /** Items handed over and not yet settled (queued or in a running batch). */
  pending(): number;
}

export function batchingTarget<T>(run: (items: T[]) => Promise<void>, opts: BatchingOptions = {}): BatchingTarget<T> {
  const maxBatch = opts.maxBatch ?? 100;
  const maxConcurrency = opts.maxConcurrency ?? 2;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be a whole number ≥ 1');
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new RangeError('maxConcurrency must be a whole number ≥ 1');
  const queue: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  let running = 0;
  let inBatches = 0;
  let scheduled = false;

  const pump = () => {
    scheduled = false;
    while (running < maxConcurrency && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      running += 1;
      inBatches += batch.length;
      let outcome: Promise<void>;
      try {
        outcome = run(batch.map((b) => b.item));
      } catch (error) {
        outcome = Promise.reject(error);
      }
      outcome
        .then(
          () => batch.forEach((b) => b.resolve()),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          running -= 1;
          inBatches -= batch.length;
          schedule();
        });
    }
  };
  // setImmediate: everything handed over in this turn (the bus schedules each delivery with
  // setImmediate too) is queued before the batch is cut.
  const schedule = () => {
    if (scheduled || queue.length === 0 || running >= maxConcurrency) return;
    scheduled = true;
    setImmediate(pump);
  };

  const target = (item: T) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
  return Object.assign(target, { pending: () => queue.length + inBatches });
}
