/**
 * Shared types and runner for Signalbox benchmarks (`npm run bench`).
 *
 * A benchmark is a module `bench/<name>.bench.ts` exporting `run(ctx): Promise<BenchResult>`.
 * Every benchmark measures its own baseline in the same run and reports the ratio; no absolute
 * time is asserted anywhere (the machines are shared and noisy).
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem, platform, arch, loadavg } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** What the runner hands a benchmark. */
export interface BenchContext {
  /** Short smoke run (seconds, small data) instead of the full measurement. */
  quick: boolean;
  /** Progress line for long work (printed to stderr by the runner). */
  log(line: string): void;
  /** A scratch directory owned by this benchmark, removed after it runs. */
  tmpDir: string;
}

/** One measured figure. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same figure measured for the baseline in the same run. */
  baseline?: number;
  /** value / baseline (or the ratio the goal is stated in). */
  ratio?: number;
  /** Human-readable goal, e.g. ">= 0.5 of raw store". */
  goal?: string;
  met?: boolean;
  note?: string;
}

/** What a benchmark returns. */
export interface BenchResult {
  name: string;
  rows: BenchRow[];
  meta?: Record<string, unknown>;
}

/** A benchmark module. */
export interface BenchModule {
  run(ctx: BenchContext): Promise<BenchResult>;
}

/** Machine facts written next to every result. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  arch: string;
  loadavg: number[];
  date: string;
}

/** The JSON written to `bench/results/<name>.json`. */
export interface BenchResultFile extends BenchResult {
  quick: boolean;
  durationMs: number;
  machine: MachineInfo;
  error?: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? "unknown",
    memoryBytes: totalmem(),
    node: process.version,
    platform: platform(),
    arch: arch(),
    loadavg: loadavg(),
    date: new Date().toISOString(),
  };
}

/** Ratio helper: value / baseline, rounded to 3 decimals; undefined when the baseline is 0. */
export function ratioOf(value: number, baseline: number): number | undefined {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return undefined;
  return Math.round((value / baseline) * 1000) / 1000;
}

/** Percentile (nearest-rank) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function fmt(n: number | undefined): string {
  if (n === undefined) return "";
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 1 ? n.toFixed(2) : n.toFixed(3);
}

/** Renders result rows as one plain-text table. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ["bench", "name", "value", "unit", "baseline", "ratio", "goal", "met", "note"];
  const lines: string[][] = [header];
  for (const r of results) {
    for (const row of r.rows) {
      lines.push([
        r.name,
        row.name,
        fmt(row.value),
        row.unit,
        fmt(row.baseline),
        fmt(row.ratio),
        row.goal ?? "",
        row.met === undefined ? "" : row.met ? "yes" : "NO",
        row.note ?? "",
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  const render = (l: string[]): string =>
    l.map((cell, i) => (i === l.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  return [render(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.slice(1).map(render)].join("\n");
}

export interface RunOptions {
  /** Directory holding `*.bench.ts`. */
  benchDir: string;
  /** Where `<name>.json` files go. */
  resultsDir: string;
  quick: boolean;
  /** Only these benchmark names (file name without `.bench.ts`); all when empty. */
  only?: readonly string[];
  /** Progress output (default: stderr). */
  log?: (line: string) => void;
  /** Table output (default: stdout). */
  out?: (text: string) => void;
}

export interface RunSummary {
  results: BenchResultFile[];
  table: string;
  failed: string[];
}

/** Finds `*.bench.ts` files in a directory, sorted by name. */
export async function discoverBenches(benchDir: string): Promise<{ name: string; file: string }[]> {
  const entries = await readdir(benchDir);
  return entries
    .filter((f) => f.endsWith(".bench.ts"))
    .sort()
    .map((f) => ({ name: basename(f, ".bench.ts"), file: resolve(benchDir, f) }));
}

/** Runs benchmarks in sequence, prints one table and writes one JSON file per benchmark. */
export async function runBenches(opts: RunOptions): Promise<RunSummary> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const out = opts.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  let benches = await discoverBenches(opts.benchDir);
  if (opts.only && opts.only.length > 0) {
    const unknown = opts.only.filter((n) => !benches.some((b) => b.name === n));
    if (unknown.length > 0) {
      throw new Error(`unknown benchmark(s): ${unknown.join(", ")}; have: ${benches.map((b) => b.name).join(", ")}`);
    }
    benches = benches.filter((b) => opts.only!.includes(b.name));
  }
  await mkdir(opts.resultsDir, { recursive: true });
  const results: BenchResultFile[] = [];
  const failed: string[] = [];
  for (const b of benches) {
    const started = Date.now();
    const tmpDir = await mkdtemp(join(tmpdir(), `signalbox-bench-${b.name}-`));
    log(`[${b.name}] start${opts.quick ? " (quick)" : ""}`);
    const ctx: BenchContext = { quick: opts.quick, tmpDir, log: (l) => log(`[${b.name}] ${l}`) };
    let file: BenchResultFile;
    try {
      const mod = (await import(pathToFileURL(b.file).href)) as Partial<BenchModule>;
      if (typeof mod.run !== "function") throw new Error(`${b.file} does not export run(ctx)`);
      const r = await mod.run(ctx);
      file = { ...r, name: r.name || b.name, quick: opts.quick, durationMs: Date.now() - started, machine: machineInfo() };
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`[${b.name}] FAILED: ${message}`);
      failed.push(b.name);
      file = { name: b.name, rows: [], quick: opts.quick, durationMs: Date.now() - started, machine: machineInfo(), error: message };
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
    await writeFile(join(opts.resultsDir, `${b.name}.json`), `${JSON.stringify(file, null, 2)}\n`);
    log(`[${b.name}] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    results.push(file);
  }
  const table = formatTable(results);
  out(table);
  if (failed.length > 0) out(`\nfailed: ${failed.join(", ")}`);
  return { results, table, failed };
}
