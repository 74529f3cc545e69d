import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime';
import { launchBrowser, type TestBrowser } from './browser';
import { ensureWebBuilt } from './web-build';
import type { Role } from '../../functions/src/core/auth/model';

/**
 * Puts a signed-in session for the demo user of `role` into the tab's sessionStorage before any
 * page script runs (what the sign-in page stores; the sign-in flow itself is tested in
 * sign-in.test.ts). The token is minted by the runtime's local issuer.
 */
export async function signInAs(page: Page, rt: LocalRuntime, role: Role): Promise<void> {
  const user = rt.issuer.userFor(role);
  const token = rt.issuer.issue(user);
  const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
  const session = { token, user: { name: user.email, role }, expiresAt: new Date(exp * 1000).toISOString() };
  await page.addInitScript((value) => {
    // Runs in the page (DOM), not in this Node-typed file.
    const store = (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).sessionStorage;
    if (!store.getItem('signalbox.session')) store.setItem('signalbox.session', value);
  }, JSON.stringify(session));
}

export interface PortalSession {
  rt: LocalRuntime;
  browser: TestBrowser;
  page: Page;
  /** Uncaught errors of the page, for an "and nothing broke" assertion. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * The portal as a person meets it: the built static export served by the local runtime (empty data
 * dir, no seed) and a fresh headless Chromium page on it, signed in as `role` (default operator).
 */
export async function openPortal(opts: {
  prefix: string;
  uiTimeoutMs: number;
  runtime?: Partial<LocalRuntimeOptions>;
  viewport?: { width?: number; height?: number };
  /** Who is signed in (default operator); null: nobody (the portal sends you to /sign-in/). */
  role?: Role | null;
}): Promise<PortalSession> {
  await ensureWebBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), opts.prefix));
  const rt = await startLocalRuntime({ port: 0, dataDir, seed: false, quiet: true, log: () => {}, ...opts.runtime });
  const browser = await launchBrowser(opts.viewport);
  const page = browser.page;
  page.setDefaultTimeout(opts.uiTimeoutMs);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const role = opts.role === undefined ? 'operator' : opts.role;
  if (role) await signInAs(page, rt, role);
  return {
    rt,
    browser,
    page,
    pageErrors,
    close: async () => {
      await browser.close();
      await rt.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
