import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseConfig, type ParseConfigResult } from '../../core/config/parse';
import type { ConfigFile } from '../../core/config/model';

/**
 * Reads every `*.yaml` / `*.yml` file under `folder` (recursively, sorted), naming each by its
 * path relative to the folder with `/` separators, so issues read `systems/ledger.yaml:12:5`.
 */
export async function readConfigFolder(folder: string): Promise<ConfigFile[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return Promise.all(
    paths.map(async (path) => ({ name: relative(folder, path).split(sep).join('/'), text: await readFile(path, 'utf8') })),
  );
}

/** Reads and parses the config folder; see `parseConfig` for what is checked. */
export async function loadConfigFolder(folder: string): Promise<ParseConfigResult> {
  return parseConfig(await readConfigFolder(folder));
}
