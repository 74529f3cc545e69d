import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkFocusFileName } from '../../core/costs/focus';

/** A FOCUS file found in the local import folder. */
export interface FocusFolderFile {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  read(): Promise<Uint8Array>;
}

/**
 * The FOCUS files of a folder (`.signalbox/focus/` locally): regular files directly in it whose
 * names pass `checkFocusFileName` (so no name can lead outside the folder), sorted by name. Other
 * entries are returned in `ignored`. A missing folder has no files.
 */
export async function listFocusFolder(dir: string): Promise<{ files: FocusFolderFile[]; ignored: string[] }> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], ignored: [] };
    throw error;
  }
  const files: FocusFolderFile[] = [];
  const ignored: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    let ok = entry.isFile();
    try {
      checkFocusFileName(entry.name);
    } catch {
      ok = false;
    }
    if (!ok) {
      ignored.push(entry.name);
      continue;
    }
    const path = join(dir, entry.name);
    const s = await stat(path);
    files.push({ name: entry.name, size: s.size, mtimeMs: s.mtimeMs, read: async () => new Uint8Array(await readFile(path)) });
  }
  return { files, ignored };
}
