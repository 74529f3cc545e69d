/**
 * Portal first-load JavaScript per route, from the static export (`web/out`, built first when its
 * sources changed, with `ensureWebBuilt`'s lock so parallel builds cannot collide). A route's
 * first-load JS is every `_next/static/**.js` its HTML loads: `<script src>`, preload links and the
 * chunks the inlined React Server Components payload names (they load before hydration), not
 * `noModule` polyfills. Sizes are
 * gzip (level 9, as Next's build output reported them) in kB (1 000 bytes).
 *
 * Baseline: the smallest route's first load (`/_not-found`: the framework runtime alone), so the
 * ratio says how much a page adds to what every page pays anyway.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureWebBuilt, WEB_OUT } from '../local/web-build';
import { ratioOf, type BenchContext, type BenchResult, type BenchRow } from './harness';

const MATRIX_GOAL_KB = 200;

/** The distinct JS files (as `_next/static/...js`, in first-seen order) an exported page's HTML loads. */
export function chunksInHtml(html: string): string[] {
  // `noModule` scripts (legacy polyfills) are skipped by every browser with ES modules.
  const legacy = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="\/?(?:_next\/)?([^"]+\.js)"[^>]*\bnoModule\b[^>]*>/gi)) legacy.add(`_next/${m[1]}`);
  const found = new Set<string>();
  for (const m of html.matchAll(/(?:\/_next\/)?static\/(?:chunks|[A-Za-z0-9_-]+)\/[A-Za-z0-9_\-.~/]*?\.js(?![A-Za-z0-9])/g)) {
    const path = m[0].replace(/^\/?(?:_next\/)?/, '');
    if (!legacy.has(`_next/${path}`)) found.add(`_next/${path}`);
  }
  return [...found];
}

/** `index.html` → `/`, `services/index.html` → `/services`, `404.html` → `/404.html`. */
export function routeOf(relativeHtmlPath: string): string {
  const p = relativeHtmlPath.split(sep).join('/');
  if (p === 'index.html') return '/';
  if (p.endsWith('/index.html')) return `/${p.slice(0, -'/index.html'.length)}`;
  return `/${p}`;
}

async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== '_next') out.push(...(await htmlFiles(p)));
    } else if (e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

export interface RouteLoad {
  route: string;
  files: number;
  gzipBytes: number;
  rawBytes: number;
}

/** First-load JS of every route of a static export folder. */
export async function firstLoadByRoute(outDir: string): Promise<RouteLoad[]> {
  const sizes = new Map<string, { raw: number; gzip: number }>();
  const sizeOf = async (file: string) => {
    let s = sizes.get(file);
    if (!s) {
      const buf = await readFile(join(outDir, file));
      s = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
      sizes.set(file, s);
    }
    return s;
  };
  const loads: RouteLoad[] = [];
  for (const html of (await htmlFiles(outDir)).sort()) {
    const route = routeOf(relative(outDir, html));
    if (route === '/404.html') continue; // the same page as /404
    let gzipBytes = 0;
    let rawBytes = 0;
    const chunks = chunksInHtml(await readFile(html, 'utf8'));
    for (const c of chunks) {
      const s = await sizeOf(c);
      gzipBytes += s.gzip;
      rawBytes += s.raw;
    }
    loads.push({ route, files: chunks.length, gzipBytes, rawBytes });
  }
  return loads;
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const rebuilt = await ensureWebBuilt((l) => {
    for (const line of l.split('\n')) if (line.trim()) ctx.log(line.trimEnd());
  });
  ctx.log(rebuilt ? 'portal rebuilt' : 'portal build is current');
  const loads = await firstLoadByRoute(WEB_OUT);
  if (loads.length === 0) throw new Error(`no pages in ${WEB_OUT}`);
  const kb = (b: number) => Math.round(b / 100) / 10;
  const floor = loads.find((l) => l.route === '/_not-found') ?? [...loads].sort((a, b) => a.gzipBytes - b.gzipBytes)[0]!;
  const rows: BenchRow[] = loads.map((l) => {
    const ratio = ratioOf(l.gzipBytes, floor.gzipBytes);
    return {
      name: `first-load JS ${l.route}`,
      value: kb(l.gzipBytes),
      unit: 'kB gzip',
      baseline: kb(floor.gzipBytes),
      ...(ratio !== undefined ? { ratio } : {}),
      ...(l.route === '/' ? { goal: `< ${MATRIX_GOAL_KB} kB (matrix)`, met: l.gzipBytes < MATRIX_GOAL_KB * 1000 } : {}),
      note: `${l.files} files, ${kb(l.rawBytes)} kB raw`,
    };
  });
  return { name: 'portal', rows, meta: { outDir: WEB_OUT, rebuilt, baselineRoute: floor.route, gzip: 'zlib level 9, kB = 1000 bytes' } };
}
