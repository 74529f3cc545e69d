import middy from '@middy/core';
import type { CostDeps } from '../../core/costs/deps';
import { importFocusFile } from '../../core/costs/import-focus';
import type { CostImportRecord } from '../../core/costs/model';
import { pullCostExplorer } from '../../core/costs/pull-cost-explorer';
import { DependencyError } from '../../core/errors';
import type { FocusObjects } from '../../core/ports/focus-objects';
import { focusText, MAX_FOCUS_TEXT_BYTES } from '../../shared/focus-body';

/** The daily schedule's tick, or S3's "Object Created" event for a FOCUS file (via EventBridge). */
export type CostsEvent =
  | { source?: 'aws.events'; 'detail-type'?: 'Scheduled Event'; time?: string }
  | { source: 'aws.s3'; 'detail-type': 'Object Created'; detail: { bucket: { name: string }; object: { key: string; size?: number } } };

export interface CostsRunSummary {
  kind: 'cost-explorer' | 'focus';
  record: CostImportRecord;
}

/**
 * The costs function: on the daily schedule, one Cost Explorer pull (`pullCostExplorer`); on an S3
 * "Object Created" event under the FOCUS bucket's `incoming/` prefix, the import of that file
 * (`importFocusFile`; a file with problems is recorded as rejected, not retried). A failed pull or a
 * store failure fails the invocation, so the schedule's retry and the dead-letter queue see it.
 */
export function createCostsHandler(deps: CostDeps & { focusObjects: FocusObjects }) {
  return middy<CostsEvent, CostsRunSummary>().handler(async (event) => {
    if (event.source === 'aws.s3') {
      const { name: bucket } = event.detail.bucket;
      const key = event.detail.object.key;
      const name = key.slice(key.lastIndexOf('/') + 1);
      const text = await focusText(await deps.focusObjects.read(bucket, key, MAX_FOCUS_TEXT_BYTES));
      const record = await importFocusFile(deps, { name, origin: `s3://${bucket}/${key}`, text, by: 'focus-bucket' });
      if (record.status === 'failed') throw new DependencyError(record.problems[0]?.message ?? `importing s3://${bucket}/${key} failed`);
      if (record.status === 'rejected') deps.logger.warn('FOCUS file rejected', { key, problems: record.problemCount, first: record.problems[0] });
      return { kind: 'focus', record };
    }
    const { record } = await pullCostExplorer(deps, { by: 'schedule' });
    return { kind: 'cost-explorer', record };
  });
}
