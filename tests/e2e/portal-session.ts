import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime';
import { launchBrowser, type TestBrowser } from './browser';
import { ensureWebBuilt } from './web-build';

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
 * dir, no seed) and a fresh headless Chromium page on it.
 */
export async function openPortal(opts: {
  prefix: string;
  uiTimeoutMs: number;
  runtime?: Partial<LocalRuntimeOptions>;
  viewport?: { width?: number; height?: number };
}): Promise<PortalSession> {
  await ensureWebBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), opts.prefix));
  const rt = await startLocalRuntime({ port: 0, dataDir, seed: false, quiet: true, log: () => {}, ...opts.runtime });
  const browser = await launchBrowser(opts.viewport);
  const page = browser.page;
  page.setDefaultTimeout(opts.uiTimeoutMs);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
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
