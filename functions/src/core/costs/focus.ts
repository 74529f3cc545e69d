/**
 * FinOps FOCUS 1.x cost exports (CSV): the columns Signalbox reads, row checks and aggregation into
 * daily `CostRow`s per source × day.
 *
 * Facts of the spec used here: BilledCost is what is invoiced, EffectiveCost the amortized cost
 * (both decimals in BillingCurrency, an ISO 4217 code); ChargePeriodStart is inclusive and
 * ChargePeriodEnd exclusive (ISO 8601 date-times, UTC); ProviderName names the provider,
 * BillingAccountId the invoiced account, SubAccountId the account/subscription/project inside it;
 * Tags is a JSON object of key → value (a key-only tag has a null value).
 */
import { ValidationError } from '../errors';
import { environmentOf, normaliseProvider, type CostAllocation } from './allocation';
import { readCsv } from './csv';
import { money } from './days';
import { MAX_REPORTED_PROBLEMS, type CostRow, type ImportProblem } from './model';

/** Columns a file must have (in any order; other FOCUS columns are ignored). */
export const FOCUS_REQUIRED_COLUMNS = [
  'BilledCost',
  'EffectiveCost',
  'BillingCurrency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ProviderName',
  'ServiceName',
  'BillingAccountId',
] as const;

/** Optional columns read when present. `Region` is the name FOCUS 1.0-preview used for RegionId. */
export const FOCUS_OPTIONAL_COLUMNS = ['SubAccountId', 'RegionId', 'Region', 'ResourceId', 'Tags', 'ServiceCategory', 'ChargeCategory', 'PublisherName'] as const;

/** Accepted file names: a plain name (no folders), `.csv` or `.csv.gz`. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,158}\.csv(\.gz)?$/;

/**
 * Checks a FOCUS file name from an upload, a folder or an S3 key's last segment. Refuses folders,
 * `..`, hidden and odd names, so a name can never address a path.
 * @throws ValidationError (field `name`).
 */
export function checkFocusFileName(name: string): string {
  if (!FILE_NAME.test(name) || name.includes('..')) {
    throw new ValidationError('file name must be a plain name (letters, digits, . _ -) ending in .csv or .csv.gz, without folders or ".."', 'name', 'invalid_file_name');
  }
  return name;
}

const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a FOCUS date-time (UTC unless an offset is given) to epoch ms, or null. */
function parseDateTime(value: string): number | null {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return null;
  const iso = `${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}${m[5] ?? ''}${m[6] ? (m[6] === 'Z' ? 'Z' : m[6].length === 5 ? `${m[6].slice(0, 3)}:${m[6].slice(3)}` : m[6]) : 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** The result of reading one file: rows by `source` and day, or the problems that reject it. */
export interface FocusFileResult {
  /** Aggregated rows; empty when there is any problem. */
  readonly rows: CostRow[];
  readonly rowsRead: number;
  readonly problems: ImportProblem[];
  readonly problemCount: number;
}

/**
 * Reads a FOCUS CSV: checks the header for the required columns, every row's fields (decimals,
 * currency code, date-times with end after start, Tags as a JSON object), and sums the rows into
 * one `CostRow` per day × provider × environment × service × account × region × currency. The
 * source of a row is `focus:<provider>:<BillingAccountId>`, so re-importing an export of the same
 * billing account replaces its days and different accounts never replace each other. A charge is
 * counted on the UTC day its ChargePeriodStart falls on.
 *
 * All or nothing: with any problem `rows` is empty; every problem (file, line, field) is counted and
 * the first `MAX_REPORTED_PROBLEMS` are listed. Never throws for bad content.
 */
export function readFocusFile(file: string, text: string, allocation: CostAllocation): FocusFileResult {
  const problems: ImportProblem[] = [];
  let problemCount = 0;
  const report = (line: number | null, field: string | null, message: string) => {
    problemCount++;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push({ file, line, field, message });
  };
  const records = readCsv(text);
  const first = records.next();
  if (first.done) {
    report(1, null, 'the file is empty (a header row is required)');
    return { rows: [], rowsRead: 0, problems, problemCount };
  }
  if (first.value.kind === 'problem') {
    report(first.value.line, null, `header: ${first.value.message}`);
    return { rows: [], rowsRead: 0, problems, problemCount };
  }
  const header = first.value.fields.map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name)) report(1, name, `column ${name} appears twice`);
    else index.set(name, i);
  });
  for (const column of FOCUS_REQUIRED_COLUMNS) if (!index.has(column)) report(1, column, `required column ${column} is missing`);
  if (problemCount > 0) return { rows: [], rowsRead: 0, problems, problemCount };

  const col = (fields: string[], name: string): string | undefined => {
    const i = index.get(name);
    return i === undefined ? undefined : fields[i];
  };
  const totals = new Map<string, { row: Omit<CostRow, 'billed' | 'effective'>; billed: number; effective: number }>();
  let rowsRead = 0;
  for (const item of records) {
    if (item.kind === 'problem') {
      report(item.line, null, item.message);
      continue;
    }
    rowsRead++;
    const { line, fields } = item;
    if (fields.length !== header.length) {
      report(line, null, `expected ${header.length} fields (as in the header), found ${fields.length}`);
      continue;
    }
    const before = problemCount;
    const decimal = (name: string): number => {
      const raw = col(fields, name)!.trim();
      if (!DECIMAL.test(raw)) report(line, name, raw === '' ? `${name} is empty` : `${name} is not a decimal number: ${JSON.stringify(raw.slice(0, 40))}`);
      return Number(raw);
    };
    const billed = decimal('BilledCost');
    const effective = decimal('EffectiveCost');
    const currency = col(fields, 'BillingCurrency')!.trim();
    if (!CURRENCY.test(currency)) report(line, 'BillingCurrency', `BillingCurrency must be an ISO 4217 code such as USD, found ${JSON.stringify(currency.slice(0, 20))}`);
    const start = parseDateTime(col(fields, 'ChargePeriodStart')!);
    if (start === null) report(line, 'ChargePeriodStart', 'ChargePeriodStart is not an ISO 8601 date-time');
    const end = parseDateTime(col(fields, 'ChargePeriodEnd')!);
    if (end === null) report(line, 'ChargePeriodEnd', 'ChargePeriodEnd is not an ISO 8601 date-time');
    else if (start !== null && end <= start) report(line, 'ChargePeriodEnd', 'ChargePeriodEnd must be after ChargePeriodStart');
    const providerName = col(fields, 'ProviderName')!.trim();
    if (!providerName) report(line, 'ProviderName', 'ProviderName is empty');
    const billingAccount = col(fields, 'BillingAccountId')!.trim();
    if (!billingAccount) report(line, 'BillingAccountId', 'BillingAccountId is empty');
    let tags: Record<string, string> = {};
    const rawTags = col(fields, 'Tags')?.trim();
    if (rawTags) {
      try {
        const parsed = JSON.parse(rawTags) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        tags = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
      } catch {
        report(line, 'Tags', 'Tags is not a JSON object');
      }
    }
    if (problemCount > before || problemCount > 0) continue;
    const provider = normaliseProvider(providerName);
    const subAccount = col(fields, 'SubAccountId')?.trim() ?? '';
    const row: Omit<CostRow, 'billed' | 'effective'> = {
      date: new Date(start!).toISOString().slice(0, 10),
      provider,
      environment: environmentOf(allocation, tags, [subAccount, billingAccount]),
      service: col(fields, 'ServiceName')!.trim() || 'Other',
      account: subAccount || billingAccount,
      region: (col(fields, 'RegionId') ?? col(fields, 'Region') ?? '').trim(),
      currency,
      source: `focus:${provider}:${billingAccount}`,
    };
    const key = [row.source, row.date, row.environment, row.service, row.account, row.region, row.currency].join('\u0000');
    const t = totals.get(key);
    if (t) {
      t.billed += billed;
      t.effective += effective;
    } else totals.set(key, { row, billed, effective });
  }
  if (rowsRead === 0 && problemCount === 0) report(null, null, 'the file has a header but no rows');
  if (problemCount > 0) return { rows: [], rowsRead, problems, problemCount };
  const rows = [...totals.values()].map(({ row, billed, effective }) => ({ ...row, billed: money(billed), effective: money(effective) }));
  return { rows, rowsRead, problems, problemCount };
}
