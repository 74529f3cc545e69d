import { describe, expect, it } from 'vitest';
import { InMemoryCostStore } from '../../functions/src/adapters/local/in-memory-cost-store';
import { allocationFromEnvironments, environmentOf, normaliseProvider } from '../../functions/src/core/costs/allocation';
import { readCsv } from '../../functions/src/core/costs/csv';
import type { CostDeps } from '../../functions/src/core/costs/deps';
import { checkFocusFileName, readFocusFile } from '../../functions/src/core/costs/focus';
import { importFocusFile } from '../../functions/src/core/costs/import-focus';
import { flagAnomalies, getCostAnomalies, getCostForecast, getCostReport } from '../../functions/src/core/costs/report';
import type { InventoryStore } from '../../functions/src/core/ports/inventory-store';
import { generateFocusFiles } from '../../local/seed/focus';

const HEADER = 'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceName,BillingAccountId,SubAccountId,RegionId,Tags';
const row = (o: Partial<Record<string, string>> = {}) => {
  const v = { billed: '10.5', effective: '9', currency: 'USD', start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z', provider: 'Microsoft', service: 'Virtual Machines', account: 'ba-1', sub: 'sub-1', region: 'westeurope', tags: '"{""environment"":""prod-azure-westeurope""}"', ...o };
  return [v.billed, v.effective, v.currency, v.start, v.end, v.provider, v.service, v.account, v.sub, v.region, v.tags].join(',');
};
const file = (...rows: string[]) => `${HEADER}\r\n${rows.join('\r\n')}\r\n`;
const allocation = allocationFromEnvironments([{ name: 'staging-gcp-europe-west4', accounts: ['acme-staging'] }]);

function deps(now = '2026-11-23T10:00:00.000Z'): CostDeps & { costs: InMemoryCostStore } {
  let n = 0;
  const inventory = { listCells: async () => [], listHistory: async () => ({ items: [], next: null }) } as unknown as InventoryStore;
  return {
    costs: new InMemoryCostStore(),
    costAllocation: async () => allocation,
    inventory,
    clock: { now: () => now },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    newId: () => `imp-${++n}`,
  };
}

describe('readCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM, with start lines', () => {
    const text = '\ufeffa,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,,3\n';
    const items = [...readCsv(text)];
    expect(items).toEqual([
      { kind: 'record', line: 1, fields: ['a', 'b', 'c'] },
      { kind: 'record', line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { kind: 'record', line: 4, fields: ['1', '', '3'] },
    ]);
  });

  it('reports a quote in an unquoted field, text after a closing quote and an unclosed quote, and goes on', () => {
    const items = [...readCsv('a,b\nx"y,1\n"ok"z,2\ngood,3\n"never closed,4\n')];
    expect(items).toEqual([
      { kind: 'record', line: 1, fields: ['a', 'b'] },
      { kind: 'problem', line: 2, message: 'a quote inside an unquoted field' },
      { kind: 'problem', line: 3, message: 'unexpected text after a closing quote' },
      { kind: 'record', line: 4, fields: ['good', '3'] },
      { kind: 'problem', line: 5, message: 'quoted field is never closed' },
    ]);
  });
});

describe('readFocusFile', () => {
  it('sums rows per source × day × environment × service × account × region and maps tags and accounts', () => {
    const out = readFocusFile('a.csv', file(row(), row({ billed: '1.25', effective: '1' }), row({ provider: 'Google Cloud', service: 'Compute Engine', account: 'gba', sub: 'acme-staging', region: 'europe-west4', tags: '' }), row({ tags: '{}', sub: 'nobody' })), allocation);
    expect(out.problems).toEqual([]);
    expect(out.rowsRead).toBe(4);
    expect(out.rows).toEqual(
      expect.arrayContaining([
        { date: '2026-11-01', provider: 'azure', environment: 'prod-azure-westeurope', service: 'Virtual Machines', account: 'sub-1', region: 'westeurope', currency: 'USD', billed: 11.75, effective: 10, source: 'focus:azure:ba-1' },
        { date: '2026-11-01', provider: 'gcp', environment: 'staging-gcp-europe-west4', service: 'Compute Engine', account: 'acme-staging', region: 'europe-west4', currency: 'USD', billed: 10.5, effective: 9, source: 'focus:gcp:gba' },
        expect.objectContaining({ environment: 'unallocated', account: 'nobody' }),
      ]),
    );
    expect(out.rows).toHaveLength(3);
  });

  it('rejects the whole file and lists every malformed row with line and field', () => {
    const out = readFocusFile(
      'bad.csv',
      file(row(), row({ billed: 'ten' }), row({ currency: 'usd', start: 'yesterday' }), row({ end: '2026-10-31T00:00:00Z' }), row({ tags: '"[1,2]"' }), '1,2,3'),
      allocation,
    );
    expect(out.rows).toEqual([]);
    expect(out.problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'BilledCost'],
      [4, 'BillingCurrency'],
      [4, 'ChargePeriodStart'],
      [5, 'ChargePeriodEnd'],
      [6, 'Tags'],
      [7, null],
    ]);
    expect(out.problems.every((p) => p.file === 'bad.csv')).toBe(true);
  });

  it('checks the header for the required columns', () => {
    const out = readFocusFile('h.csv', 'BilledCost,ServiceName\n1,x\n', allocation);
    expect(out.problems.map((p) => p.field)).toEqual(['EffectiveCost', 'BillingCurrency', 'ChargePeriodStart', 'ChargePeriodEnd', 'ProviderName', 'BillingAccountId']);
    expect(out.problems[0]).toMatchObject({ line: 1, message: 'required column EffectiveCost is missing' });
  });

  it('caps the listed problems at 50 but counts them all', () => {
    const out = readFocusFile('many.csv', file(...Array.from({ length: 120 }, () => row({ billed: 'x' }))), allocation);
    expect(out.problems).toHaveLength(50);
    expect(out.problemCount).toBe(120);
  });
});

describe('environment allocation', () => {
  it('prefers the signalbox:environment tag, then environment, then env, then the account mapping', () => {
    expect(environmentOf(allocation, { env: 'c', Environment: 'b', 'signalbox:environment': 'a' }, [])).toBe('a');
    expect(environmentOf(allocation, { env: 'c', ENVIRONMENT: 'b' }, [])).toBe('b');
    expect(environmentOf(allocation, { env: ' ' }, ['x', 'acme-staging'])).toBe('staging-gcp-europe-west4');
    expect(environmentOf(allocation, {}, ['x'])).toBe('unallocated');
    expect(['AWS', 'Amazon Web Services', 'Microsoft', 'Google Cloud', 'Oracle', 'IBM', 'Hetzner Online'].map(normaliseProvider)).toEqual(['aws', 'aws', 'azure', 'gcp', 'oci', 'ibm', 'hetzner-online']);
  });
});

describe('checkFocusFileName', () => {
  it.each(['../etc/passwd.csv', 'a/b.csv', '..csv', '.hidden.csv', 'x.txt', 'a\\b.csv', '%2e%2e.csv'])('refuses %s', (name) => {
    expect(() => checkFocusFileName(name)).toThrow(/file name/);
  });
  it('accepts plain names', () => {
    expect(checkFocusFileName('azure-2026-11.csv.gz')).toBe('azure-2026-11.csv.gz');
  });
});

describe('importFocusFile', () => {
  it('imports nothing from a file with a malformed row and records the rejection', async () => {
    const d = deps();
    const record = await importFocusFile(d, { name: 'a.csv', origin: 'upload', text: file(row(), row({ billed: '' })), by: 'ops' });
    expect(record).toMatchObject({ status: 'rejected', problemCount: 1, days: [] });
    expect(await d.costs.listDays('2026-01-01', '2026-12-31')).toEqual([]);
    expect((await d.costs.listImports(10)).items[0]).toMatchObject({ status: 'rejected', problems: [{ file: 'a.csv', line: 3, field: 'BilledCost' }] });
  });

  it('replaces a re-imported source × day whole and leaves other days and accounts alone', async () => {
    const d = deps();
    await importFocusFile(d, { name: 'a.csv', origin: 'upload', text: file(row(), row({ start: '2026-11-02T00:00:00Z', end: '2026-11-03T00:00:00Z' }), row({ account: 'ba-2' })), by: 'ops' });
    const again = await importFocusFile(d, { name: 'a2.csv', origin: 'upload', text: file(row({ billed: '1', service: 'Storage' })), by: 'ops' });
    expect(again.days).toEqual(['focus:azure:ba-1@2026-11-01']);
    const days = await d.costs.listDays('2026-11-01', '2026-11-02');
    expect(days.map((x) => [x.source, x.date, x.rows.map((r) => `${r.service}:${r.billed}`)])).toEqual([
      ['focus:azure:ba-1', '2026-11-01', ['Storage:1']],
      ['focus:azure:ba-2', '2026-11-01', ['Virtual Machines:10.5']],
      ['focus:azure:ba-1', '2026-11-02', ['Virtual Machines:10.5']],
    ]);
  });
});

describe('cost report, anomalies and forecast on the seeded FOCUS files', async () => {
  const d = deps();
  for (const f of generateFocusFiles('2026-11-23')) {
    const r = await importFocusFile(d, { name: f.name.replace(/\.gz$/, ''), origin: 'test', text: f.csv, by: 'seed' });
    expect(r.status, JSON.stringify(r.problems)).toBe('imported');
  }

  it('shows five providers over 90 days, stacked, with shares that add up to 1', async () => {
    const report = await getCostReport(d, { days: '90', groupBy: 'provider' });
    expect(report.from).toBe('2026-08-26');
    expect(report.daily).toHaveLength(90);
    expect(report.keys.sort()).toEqual(['aws', 'azure', 'gcp', 'ibm', 'oci']);
    expect(report.breakdowns.provider.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 4);
    expect(report.daily.at(-1)!.total).toBe(0); // today: no export yet
    const byEnv = await getCostReport(d, { days: '30', groupBy: 'environment', provider: 'gcp' });
    expect(byEnv.keys).toEqual(['staging-gcp-europe-west4']);
    expect((await getCostReport(d, { groupBy: 'environment' })).keys).toContain('unallocated');
  });

  it('flags the Azure spike and not the AWS step change', async () => {
    const { items } = await getCostAnomalies(d, {});
    expect(items.map((a) => `${a.provider}@${a.start}`)).toEqual(['azure@2026-11-11']);
  });

  it('forecasts each provider to the end of the month with the labelled linear method', async () => {
    const f = await getCostForecast(d);
    expect(f.end).toBe('2026-12-01');
    expect(f.providers.map((p) => p.method)).toEqual(Array(5).fill('linear-30d'));
    expect(f.providers[0]!.days.map((x) => x.date)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']);
    expect(f.monthTotal).toBeGreaterThan(f.monthToDate);
  });

  it('refuses a window other than 30 or 90 days and unknown groupings', async () => {
    await expect(getCostReport(d, { days: '7' })).rejects.toMatchObject({ field: 'days' });
    await expect(getCostReport(d, { groupBy: 'region' })).rejects.toMatchObject({ field: 'groupBy' });
  });
});

describe('flagAnomalies', () => {
  it('needs 14 days of baseline and flags only above mean + 3σ', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      date: `2026-10-${String(i + 1).padStart(2, '0')}`, provider: 'oci', environment: 'e', service: 's', account: '', region: '', currency: 'USD',
      billed: i === 29 ? 400 : i === 5 ? 300 : 100 + (i % 2), effective: 0, source: 'focus:oci:t',
    }));
    expect(flagAnomalies(rows, '2026-10-01', '2026-10-30', 'USD').map((a) => a.start)).toEqual(['2026-10-30']);
  });
});
