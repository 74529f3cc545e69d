import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG_DIR, startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { writeFocusSeed } from '../../local/seed/focus';
import { tokenFor } from '../helpers/auth';
import { launchBrowser, type TestBrowser } from './browser';
import { ensureWebBuilt } from './web-build';

const UI_TIMEOUT = 20_000;

let rt: LocalRuntime;
let browser: TestBrowser;
let dataDir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureWebBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'sbx-e2e-costs-'));
  // The demo FOCUS exports, dropped into the local import folder before start (as `npm start` seeds them).
  await writeFocusSeed(join(dataDir, 'focus'), new Date().toISOString().slice(0, 10));
  // The demo config (environments with their `accounts:`), without checks running.
  rt = await startLocalRuntime({
    port: 0, dataDir, seed: false, quiet: true, log: () => {}, rateLimits: false,
    monitoring: { configDir: DEMO_CONFIG_DIR, evmNode: false, loopMs: 0, alertInbox: false, ccipLane: false },
  });
  browser = await launchBrowser({ width: 1400, height: 1000 });
  // Signed in as a viewer: every API call of the page carries the token.
  await browser.context.setExtraHTTPHeaders({ authorization: `Bearer ${tokenFor(rt, 'viewer')}` });
  browser.page.setDefaultTimeout(UI_TIMEOUT);
  browser.page.on('pageerror', (error) => pageErrors.push(String(error)));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('cost page', () => {
  it('shows the seeded five providers over 90 days, and the 30/90 and grouping toggles work', async () => {
    const { page } = browser;
    await page.goto(`${rt.url}/costs/`);
    await page.getByRole('heading', { name: 'Costs', level: 1 }).waitFor();
    const chart = page.locator('svg[data-chart="costs"]');
    await chart.waitFor();
    expect(await chart.getAttribute('data-days')).toBe('30');
    expect((await page.locator('[data-series]').evaluateAll((els) => els.map((e) => e.getAttribute('data-series')))).sort()).toEqual(['aws', 'azure', 'gcp', 'ibm', 'oci']);

    await page.getByRole('link', { name: '90 days' }).click();
    await page.waitForURL(/days=90/);
    await page.locator('svg[data-chart="costs"][data-days="90"]').waitFor();
    expect(await page.locator('svg[data-chart="costs"] rect[data-key]').evaluateAll((els) => new Set(els.map((e) => e.getAttribute('data-key'))).size)).toBe(5);
    // The Azure spike 12 days ago is marked on the chart and listed.
    await page.locator('[data-anomaly-mark]').first().waitFor();
    expect(await page.locator('[data-list="anomalies"] li').allTextContents()).toEqual([expect.stringContaining('azure')]);
    expect(await page.locator('[data-forecast="line"]').count()).toBeLessThanOrEqual(1);
    const shares = await page.locator('table[data-breakdown="provider"] tbody tr').count();
    expect(shares).toBe(5);

    await page.getByRole('link', { name: 'by environment' }).click();
    await page.waitForURL(/groupBy=environment/);
    await page.locator('[data-series="prod-azure-westeurope"]').waitFor();
    const envs = await page.locator('[data-series]').evaluateAll((els) => els.map((e) => e.getAttribute('data-series')));
    expect(envs).toEqual(expect.arrayContaining(['prod-aws-eu-west-1', 'staging-gcp-europe-west4', 'dr-ibm-eu-de', 'prod-oci-eu-frankfurt-1', 'unallocated']));
    expect(await page.locator('svg[data-chart="costs"]').getAttribute('data-days')).toBe('90');

    await page.getByRole('link', { name: '30 days' }).click();
    await page.locator('svg[data-chart="costs"][data-days="30"]').waitFor();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
