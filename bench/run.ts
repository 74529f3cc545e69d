/**
 * `npm run bench [-- --quick] [name ...]`: runs `bench/*.bench.ts` in sequence, prints one table,
 * writes `bench/results/<name>.json`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverBenches, runBenches } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));

const HELP = `Usage: npm run bench -- [--quick] [--results DIR] [name ...]

Runs every bench/*.bench.ts (or only the names given, e.g. "ingest read") in sequence,
prints one table (name / value / unit / baseline / ratio / goal / met) and writes
bench/results/<name>.json with the rows and machine info.

  --quick        short smoke run (seconds instead of minutes, small data sets)
  --results DIR  write JSON files to DIR instead of bench/results
  --list         list the benchmarks and exit
  --help         this text

No absolute time is asserted: each benchmark measures its own baseline in the same run.`;

async function main(argv: string[]): Promise<number> {
  let quick = false;
  let list = false;
  let resultsDir = join(here, "results");
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") {
      process.stdout.write(`${HELP}\n`);
      return 0;
    } else if (a === "--quick") quick = true;
    else if (a === "--list") list = true;
    else if (a === "--results") {
      const v = argv[++i];
      if (!v) throw new Error("--results needs a directory");
      resultsDir = v;
    } else if (a.startsWith("-")) {
      process.stderr.write(`unknown option ${a}\n${HELP}\n`);
      return 2;
    } else only.push(a.replace(/\.bench\.ts$/, ""));
  }
  if (list) {
    for (const b of await discoverBenches(here)) process.stdout.write(`${b.name}\n`);
    return 0;
  }
  const summary = await runBenches({ benchDir: here, resultsDir, quick, only });
  return summary.failed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
