import { ValidationError } from '../errors';
import type { CostDeps } from './deps';
import { checkFocusFileName, readFocusFile } from './focus';
import type { CostDay, CostImportRecord, CostRow } from './model';

/** One FOCUS file to import. */
export interface FocusFileInput {
  /** The file's name (no folders); `.csv` or `.csv.gz` (already decompressed in `text`). */
  readonly name: string;
  /** `upload`, `folder`, `s3://bucket/key`. */
  readonly origin: string;
  readonly text: string;
  readonly by: string;
}

/** Groups rows into one `CostDay` per source × day. */
export function toCostDays(rows: readonly CostRow[], importId: string, importedAt: string): CostDay[] {
  const days = new Map<string, CostRow[]>();
  for (const row of rows) {
    const key = `${row.source}\u0000${row.date}`;
    const list = days.get(key);
    if (list) list.push(row);
    else days.set(key, [row]);
  }
  return [...days.values()]
    .map((list) => ({ source: list[0]!.source, date: list[0]!.date, rows: list, importId, importedAt }))
    .sort((a, b) => (a.date === b.date ? (a.source < b.source ? -1 : 1) : a.date < b.date ? -1 : 1));
}

/**
 * Imports one FOCUS export. The file is read whole first: with any malformed row NOTHING is written
 * and the record (status `rejected`) lists the problems with file, line and field. Otherwise every
 * source × day in the file replaces the stored one (each day atomically, see `CostStore.replaceDay`),
 * so importing the same file again is a no-op in effect. The attempt is always added to the import
 * history. A store failure midway leaves the days before it replaced and the rest as they were
 * (status `failed`, never a half day); importing the file again completes it.
 * @throws ValidationError for a bad file name (field `name`).
 */
export async function importFocusFile(deps: CostDeps, input: FocusFileInput): Promise<CostImportRecord> {
  checkFocusFileName(input.name);
  const startedAt = deps.clock.now();
  const id = deps.newId();
  const parsed = readFocusFile(input.name, input.text, await deps.costAllocation());
  const base = { id, kind: 'focus' as const, name: input.name, origin: input.origin, startedAt, rowsRead: parsed.rowsRead, by: input.by };
  if (parsed.problemCount > 0) {
    const record: CostImportRecord = { ...base, finishedAt: deps.clock.now(), status: 'rejected', days: [], problems: parsed.problems, problemCount: parsed.problemCount };
    await deps.costs.recordImport(record);
    return record;
  }
  const days = toCostDays(parsed.rows, id, startedAt);
  const written: string[] = [];
  try {
    for (const day of days) {
      await deps.costs.replaceDay(day);
      written.push(`${day.source}@${day.date}`);
    }
  } catch (error) {
    const message = `storing the days failed after ${written.length} of ${days.length}: ${(error as Error).message}`;
    deps.logger.error('FOCUS import failed', { file: input.name, error: (error as Error).message });
    const record: CostImportRecord = { ...base, finishedAt: deps.clock.now(), status: 'failed', days: written, problems: [{ file: input.name, line: null, field: null, message }], problemCount: 1 };
    await deps.costs.recordImport(record).catch(() => undefined);
    return record;
  }
  const record: CostImportRecord = { ...base, finishedAt: deps.clock.now(), status: 'imported', days: written, problems: [], problemCount: 0 };
  await deps.costs.recordImport(record);
  deps.logger.info('FOCUS file imported', { file: input.name, rows: parsed.rowsRead, days: written.length });
  return record;
}

/** Refuses an empty name early (the routes pass the query parameter through). */
export function requireFileName(name: string | undefined): string {
  if (!name) throw new ValidationError('name is required (the FOCUS file name, e.g. azure-2026-11.csv.gz)', 'name', 'required');
  return checkFocusFileName(name);
}
