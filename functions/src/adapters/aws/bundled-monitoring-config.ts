import { readFileSync } from 'node:fs';
import { emptyMonitoringConfig, type MonitoringConfigSnapshot } from '../../core/monitoring/deps';
import { MONITORING_BUNDLE_FORMAT, MONITORING_BUNDLE_VERSION, type MonitoringConfigBundle } from '../../shared/monitoring-bundle';

/**
 * The monitoring config of a deployed stack: the JSON bundle CDK wrote at synth (parsed and
 * validated there, so it carries no issues), read once at cold start, with the placeholder values
 * of the function's environment. Read synchronously because the composition root is synchronous and
 * the notifiers are built from it. Never throws: for a missing or foreign file the snapshot is
 * empty and its `errors` say why, so `/api/health` shows the problem instead of failing.
 */
export function readMonitoringBundle(file: string, placeholders: Readonly<Record<string, string | undefined>>): MonitoringConfigSnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return emptyMonitoringConfig([`${file}: cannot read the deployed monitoring config: ${(error as Error).message}`], placeholders);
  }
  let bundle: Partial<MonitoringConfigBundle> | null;
  try {
    bundle = JSON.parse(text) as Partial<MonitoringConfigBundle> | null;
  } catch {
    return emptyMonitoringConfig([`${file}: the deployed monitoring config is not JSON`], placeholders);
  }
  if (bundle?.format !== MONITORING_BUNDLE_FORMAT || bundle.version !== MONITORING_BUNDLE_VERSION || !isConfig(bundle.config)) {
    return emptyMonitoringConfig([`${file}: not a ${MONITORING_BUNDLE_FORMAT} version ${MONITORING_BUNDLE_VERSION} file (redeploy the stack)`], placeholders);
  }
  return { config: bundle.config, errors: [], placeholders };
}

function isConfig(value: unknown): value is MonitoringConfigBundle['config'] {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return ['environments', 'systems', 'checks', 'alerts'].every((key) => Array.isArray(c[key]));
}
