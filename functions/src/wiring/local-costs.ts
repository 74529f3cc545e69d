import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFocusFolder } from '../adapters/local/focus-folder';
import type { CostDeps } from '../core/costs/deps';
import { importFocusFile } from '../core/costs/import-focus';
import type { CostImportRecord } from '../core/costs/model';
import { focusText } from '../shared/focus-body';

/** What the local folder import did. */
export interface FocusFolderImport {
  readonly records: CostImportRecord[];
  /** Files unchanged since their last import (same size and modification time). */
  readonly unchanged: string[];
  /** Entries that are not FOCUS file names (or not files). */
  readonly ignored: string[];
}

const STATE_FILE = '.imported.json';

/**
 * Imports the FOCUS files of the local folder (`<dataDir>/focus/`) that are new or changed since
 * their last successful import (remembered in `<dir>/.imported.json` by size and mtime). A file with
 * problems is recorded as rejected and tried again next time only if it changes.
 */
export async function importFocusFolder(deps: CostDeps, dir: string, by = 'local-folder'): Promise<FocusFolderImport> {
  const statePath = join(dir, STATE_FILE);
  const state: Record<string, string> = await readFile(statePath, 'utf8')
    .then((t) => JSON.parse(t) as Record<string, string>)
    .catch(() => ({}));
  const { files, ignored } = await listFocusFolder(dir);
  const records: CostImportRecord[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const stamp = `${file.size}:${Math.floor(file.mtimeMs)}`;
    if (state[file.name] === stamp) {
      unchanged.push(file.name);
      continue;
    }
    let text: string;
    try {
      text = await focusText(await file.read());
    } catch (error) {
      deps.logger.warn('FOCUS file skipped', { file: file.name, error: (error as Error).message });
      continue;
    }
    const record = await importFocusFile(deps, { name: file.name, origin: 'folder', text, by });
    records.push(record);
    if (record.status !== 'failed') state[file.name] = stamp;
  }
  if (records.length > 0) await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
  return { records, unchanged, ignored };
}
