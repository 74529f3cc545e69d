import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTable, percentile, ratioOf, runBenches, type BenchResultFile } from '../../bench/harness';

// The harness wiring in quick mode on tiny benches written here; no timing is asserted.
const HARNESS = join(import.meta.dirname, '..', '..', 'bench', 'harness.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signalbox-bench-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeBench(name: string, body: string): Promise<void> {
  await writeFile(join(dir, `${name}.bench.ts`), `import type { BenchContext, BenchResult } from ${JSON.stringify(HARNESS)};\n${body}\n`);
}

describe('bench harness', () => {
  it('runs discovered benches in quick mode, prints one table and writes JSON with machine info', async () => {
    await writeBench(
      'tiny',
      `export async function run(ctx: BenchContext): Promise<BenchResult> {
        ctx.log('working');
        return { name: 'tiny', rows: [
          { name: 'things', value: ctx.quick ? 40 : 1, unit: 'ops/s', baseline: 80, ratio: 0.5, goal: '>= 0.5', met: true },
          { name: 'size', value: 1234, unit: 'bytes', note: 'tmp ' + (ctx.tmpDir.length > 0) },
        ], meta: { quickSeen: ctx.quick } };
      }`,
    );
    await writeBench('broken', `export async function run(_ctx: BenchContext): Promise<BenchResult> { throw new Error('boom'); }`);
    const logs: string[] = [];
    let printed = '';
    const results = join(dir, 'results');
    const summary = await runBenches({ benchDir: dir, resultsDir: results, quick: true, log: (l) => logs.push(l), out: (t) => (printed += t) });

    expect(summary.failed).toEqual(['broken']);
    expect(logs).toContain('[tiny] working');
    const lines = printed.split('\n');
    expect(lines[0]).toMatch(/^bench\s+name\s+value\s+unit\s+baseline\s+ratio\s+goal\s+met\s+note$/);
    const row = lines.find((l) => l.startsWith('tiny') && l.includes('things'));
    expect(row?.split(/\s{2,}/)).toEqual(['tiny', 'things', '40', 'ops/s', '80', '0.500', '>= 0.5', 'yes']);
    expect(printed).toContain('failed: broken');

    const tiny = JSON.parse(await readFile(join(results, 'tiny.json'), 'utf8')) as BenchResultFile;
    expect(tiny.name).toBe('tiny');
    expect(tiny.quick).toBe(true);
    expect(tiny.meta).toEqual({ quickSeen: true });
    expect(tiny.rows[0]).toMatchObject({ name: 'things', value: 40, unit: 'ops/s', baseline: 80, ratio: 0.5, met: true });
    expect(tiny.machine.cpus).toBeGreaterThan(0);
    expect(tiny.machine.node).toMatch(/^v\d+/);
    expect(Number.isNaN(Date.parse(tiny.machine.date))).toBe(false);
    const broken = JSON.parse(await readFile(join(results, 'broken.json'), 'utf8')) as BenchResultFile;
    expect(broken.error).toContain('boom');
    expect(broken.rows).toEqual([]);
  });

  it('runs only the benches named and refuses unknown names', async () => {
    await writeBench('a', `export async function run(): Promise<BenchResult> { return { name: 'a', rows: [{ name: 'x', value: 1, unit: 'u' }] }; }`);
    await writeBench('b', `export async function run(): Promise<BenchResult> { throw new Error('b must not run'); }`);
    const summary = await runBenches({ benchDir: dir, resultsDir: join(dir, 'r'), quick: true, only: ['a'], log: () => undefined, out: () => undefined });
    expect(summary.results.map((r) => r.name)).toEqual(['a']);
    expect(summary.failed).toEqual([]);
    await expect(runBenches({ benchDir: dir, resultsDir: join(dir, 'r'), quick: true, only: ['nope'], log: () => undefined, out: () => undefined })).rejects.toThrow(/unknown benchmark/);
  });

  it('computes percentiles and ratios', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(ratioOf(1, 3)).toBe(0.333);
    expect(ratioOf(1, 0)).toBeUndefined();
    expect(formatTable([{ name: 'n', rows: [{ name: 'r', value: 2, unit: 'u', met: false }] }])).toMatch(/n\s+r\s+2\s+u\s+NO/);
  });
});
