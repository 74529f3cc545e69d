import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Node } from 'constructs';
import type { ConfigFile, SignalboxConfig } from '../functions/src/core/config/model';
import { formatIssue, parseConfig } from '../functions/src/core/config/parse';
import { placeholdersIn } from '../functions/src/core/config/placeholders';
import {
  MONITORING_BUNDLE_FORMAT,
  MONITORING_BUNDLE_PATH_IN_LAYER,
  MONITORING_BUNDLE_VERSION,
  type MonitoringConfigBundle,
} from '../functions/src/shared/monitoring-bundle';
import { REPO_ROOT } from './config';

/** Context keys of the monitoring part (`cdk.json` "context", or `-c key=value`). */
export const MONITORING_CONTEXT_KEYS = {
  /** The config folder, relative to the repository (default `signalbox`). */
  configDir: 'monitoringConfigDir',
  /** Values of `${NAME}` placeholders: a JSON object, or `NAME=value,NAME=value`. */
  placeholders: 'monitoringPlaceholders',
} as const;

export interface MonitoringContext {
  /** Absolute path of the config folder. */
  configDir: string;
  placeholders: Record<string, string>;
}

const PLACEHOLDER_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Reads the monitoring context keys; throws naming the key when a value is malformed. */
export function readMonitoringContext(node: Node): MonitoringContext {
  const rawDir = node.tryGetContext(MONITORING_CONTEXT_KEYS.configDir) as unknown;
  const dir = typeof rawDir === 'string' && rawDir.trim() !== '' ? rawDir.trim() : 'signalbox';
  return {
    configDir: isAbsolute(dir) ? dir : resolve(REPO_ROOT, dir),
    placeholders: parsePlaceholders(node.tryGetContext(MONITORING_CONTEXT_KEYS.placeholders) as unknown),
  };
}

function parsePlaceholders(raw: unknown): Record<string, string> {
  const key = MONITORING_CONTEXT_KEYS.placeholders;
  if (raw === undefined || raw === null || raw === '') return {};
  let entries: [string, unknown][];
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('{')) {
      try {
        return parsePlaceholders(JSON.parse(text) as unknown);
      } catch (error) {
        if (error instanceof SyntaxError) throw new Error(`Context ${key} is not valid JSON: ${error.message}`);
        throw error;
      }
    }
    entries = text.split(',').filter((part) => part.trim() !== '').map((part) => {
      const eq = part.indexOf('=');
      if (eq < 1) throw new Error(`Context ${key} holds "${part.trim()}", which is not NAME=value`);
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    });
  } else if (typeof raw === 'object' && !Array.isArray(raw)) {
    entries = Object.entries(raw as Record<string, unknown>);
  } else {
    throw new Error(`Context ${key} must be an object of NAME: value, or NAME=value,NAME=value`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!PLACEHOLDER_NAME.test(name)) throw new Error(`Context ${key}: placeholder name "${name}" must be upper-case (A-Z, 0-9, _)`);
    if (typeof value !== 'string' || value.trim() === '') throw new Error(`Context ${key}: ${name} must be a non-empty text`);
    out[name] = value.trim();
  }
  return out;
}

/** The config folder's YAML files, named as `adapters/local/config-folder.ts` names them (synchronous, for synth). */
export function readConfigFolderSync(folder: string): ConfigFile[] {
  const paths = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return paths.map((path) => ({ name: relative(folder, path).split(sep).join('/'), text: readFileSync(path, 'utf8') }));
}

/** Thrown at synth when the config folder has problems; the message lists them as `file:line:column field: message`. */
export class MonitoringConfigError extends Error {
  constructor(
    readonly folder: string,
    readonly problems: readonly string[],
  ) {
    super(`The monitoring config in ${folder} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'MonitoringConfigError';
  }
}

/**
 * Parses the config folder with the same parser `npm start` uses and returns the config; any issue
 * (or an unreadable folder) fails the synth with every problem listed, so a bad config never deploys.
 */
export function loadMonitoringConfigForSynth(folder: string): SignalboxConfig {
  let files: ConfigFile[];
  try {
    files = readConfigFolderSync(folder);
  } catch (error) {
    throw new MonitoringConfigError(folder, [`cannot read the config folder: ${(error as Error).message}`]);
  }
  const { config, issues } = parseConfig(files);
  if (issues.length > 0) throw new MonitoringConfigError(folder, issues.map(formatIssue));
  return config;
}

/** The bundle the functions read (see shared/monitoring-bundle.ts). */
export function monitoringBundle(folder: string, config: SignalboxConfig): MonitoringConfigBundle {
  const origin = relative(REPO_ROOT, folder).split(sep).join('/') || '.';
  return { format: MONITORING_BUNDLE_FORMAT, version: MONITORING_BUNDLE_VERSION, origin, config };
}

/** Writes the bundle into a fresh directory laid out as the layer's content; returns the directory. */
export function writeMonitoringBundle(bundle: MonitoringConfigBundle): string {
  const dir = mkdtempSync(join(tmpdir(), 'signalbox-monitoring-layer-'));
  const file = join(dir, MONITORING_BUNDLE_PATH_IN_LAYER);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(bundle, null, 2)}\n`);
  return dir;
}

/** Placeholder names the config uses (URLs, hosts, receiver URLs and topics). */
export function placeholdersUsed(config: SignalboxConfig): string[] {
  return placeholdersIn(JSON.stringify(config)).sort();
}
