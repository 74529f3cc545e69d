import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { DEMO_CONFIG_DIR } from '../../local/runtime';
import { openPortal, type PortalSession } from './portal-session';
import { authHeaders } from '../helpers/auth';

/** A cold page load, or a change to show up (live push, or the 15 s polling fallback). */
const UI_TIMEOUT = 15_000;
const LIVE_TIMEOUT = 40_000;
/** A test with a few live waits (each bounded by LIVE_TIMEOUT). */
const TEST_TIMEOUT = 120_000;
/** The signed-in operator (openPortal's default role) the portal acts as. */
const ACTOR = 'olu.operator@example.com';
const HOSTILE_LABEL = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const HOSTILE_SUMMARY = `<b>demo-api</b> down<script>window.__pwned=3</script>`;

interface AlertItem {
  status: string;
  alert: { fingerprint: string; labels: Record<string, string>; state: string; ackedBy: string | null; ackComment: string | null };
}

async function api<T>(rt: LocalRuntime, path: string): Promise<T> {
  const response = await fetch(`${rt.url}${path}`, { headers: authHeaders(rt, 'viewer') });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

/**
 * A copy of the repository's `signalbox/` folder where `demo-api-down` fires on the first failing run
 * (`for: 0s`) and carries a label and a summary written by an attacker, and demo-api-health has no
 * latency thresholds.
 */
async function configCopy(dir: string): Promise<string> {
  const target = join(dir, 'signalbox');
  await cp(DEMO_CONFIG_DIR, target, { recursive: true });
  const file = join(target, 'alerts.yaml');
  const text = await readFile(file, 'utf8');
  const rule = /(- name: demo-api-down\n(?:[ \t]+.*\n)*?)[ \t]+for: 1m\n[ \t]+labels: \{ team: payments, service: demo-api \}\n[ \t]+summary: .*\n/;
  expect(text, 'alerts.yaml still declares demo-api-down as this test expects').toMatch(rule);
  const patched = text.replace(
    rule,
    (_all, head: string) =>
      `${head}    for: 0s\n    labels: { team: payments, service: demo-api, note: ${JSON.stringify(HOSTILE_LABEL)} }\n    summary: ${JSON.stringify(HOSTILE_SUMMARY)}\n`,
  );
  await writeFile(file, patched);
  // No latency thresholds: on a busy machine a slow answer must not turn the check yellow.
  const checksFile = join(target, 'checks.yaml');
  const checks = await readFile(checksFile, 'utf8');
  const latency = /(- name: demo-api-health\n(?:[ \t]+.*\n)*?)[ \t]+thresholds:\n[ \t]+latencyMs: .*\n/;
  expect(checks, 'checks.yaml still declares demo-api-health with latency thresholds').toMatch(latency);
  await writeFile(checksFile, checks.replace(latency, (_all, head: string) => head));
  return target;
}

/** Marks the document; a reload or a full navigation loses the mark. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { __sbxMark: number }).__sbxMark = 42;
  });
}

async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as { __sbxMark?: number }).__sbxMark === 42);
}

async function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned ?? null);
}

describe('health and alert pages (demo-api stops and comes back)', () => {
  let session: PortalSession | undefined;
  let rt: LocalRuntime;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signalbox-e2e-monitoring-config-'));
    const configDir = await configCopy(dir);
    session = await openPortal({
      prefix: 'signalbox-e2e-monitoring-',
      uiTimeoutMs: UI_TIMEOUT,
      runtime: { demo: { ratePerSecond: 0 }, monitoring: { configDir, evmNode: false, loopMs: 0 } },
      viewport: { width: 1280, height: 1000 },
    });
    ({ rt, page } = session);
    expect(rt.monitoringConfigErrors).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the systems tree with every layer and the status of each check', async () => {
    const run = await rt.monitor.runNow();
    expect(run.ran.find((r) => r.checkId === 'demo-api-health')?.result.status).toBe('ok');

    await page.goto(`${rt.url}/health/`);
    const tree = page.getByTestId('health-tree');
    await tree.waitFor();
    // system → subsystem → service → check, each with its own status.
    const check = tree.locator('[data-node="payments-platform"] [data-node="edge"] [data-node="demo-api"] [data-check="demo-api-health"]');
    await check.first().waitFor();
    expect(await check.first().getAttribute('data-status')).toBe('ok');
    expect(await check.first().getByTestId('history-strip').count()).toBe(1);
    expect(await tree.locator('[data-node="edge"]').first().getAttribute('data-status')).toBe('ok');
    // A shared subsystem appears under each parent.
    expect(await tree.locator('[data-node="payments-platform"] [data-node="settlement"]').count()).toBeGreaterThan(0);
    expect(await tree.locator('[data-node="ledger-network"] [data-node="settlement"]').count()).toBeGreaterThan(0);
    // Unresolved placeholders make the EVM checks unknown, and the page says so.
    expect(await tree.locator('[data-check="evm-node"]').first().getAttribute('data-status')).toBe('unknown');

    // The text filter narrows the tree to the matching branch.
    await page.locator('#hf-q').fill('demo-api');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/health\/\?q=demo-api/);
    await tree.locator('[data-node="ledger-network"]').waitFor({ state: 'detached' });
    await tree.locator('[data-check="demo-api-health"]').first().waitFor();
  }, TEST_TIMEOUT);

  it('fires the alert on the open alerts page without a reload, renders hostile labels inert, and takes an ack', async () => {
    await page.goto(`${rt.url}/alerts/`);
    await page.getByText('No alerts', { exact: true }).waitFor();
    await markDocument(page);

    await rt.demo!.services[0]!.stop();
    const run = await rt.monitor.runNow();
    expect(run.ran.find((r) => r.checkId === 'demo-api-health')?.result.status).toBe('critical');

    const item = page.locator('li.alert[data-alertname="demo-api-down"]');
    await item.waitFor({ timeout: LIVE_TIMEOUT });
    expect(await stillSameDocument(page)).toBe(true);
    expect(await item.getAttribute('data-status')).toBe('firing');
    // The nav counts firing alerts on every page.
    await page.locator('nav[aria-label="Main"] [data-testid="firing-count"]', { hasText: '1' }).waitFor({ timeout: LIVE_TIMEOUT });

    // Hostile text is shown as text: no element made from it, no script run.
    expect(await item.locator('.label-chip', { hasText: 'note=' }).textContent()).toBe(`note=${HOSTILE_LABEL}`);
    expect(await item.locator('.alert__summary').textContent()).toBe(HOSTILE_SUMMARY);
    expect(await page.locator('li.alert img, li.alert script, li.alert b').count()).toBe(0);
    expect(await pwned(page)).toBeNull();

    await item.getByRole('button', { name: 'Acknowledge…' }).click();
    await item.getByLabel('Comment (optional)').fill('on it, e2e');
    await item.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await page.locator('li.alert[data-alertname="demo-api-down"][data-status="acknowledged"]').waitFor();
    await item.getByTestId('ack-note').getByText('on it, e2e').waitFor();
    // Acknowledged is not firing: the nav count goes away.
    await page.getByTestId('firing-count').waitFor({ state: 'detached', timeout: LIVE_TIMEOUT });
    expect(await stillSameDocument(page)).toBe(true);

    const list = await api<{ items: AlertItem[] }>(rt, '/api/alerts');
    const alert = list.items.find((a) => a.alert.labels.alertname === 'demo-api-down')!;
    expect(alert.alert).toMatchObject({ state: 'acknowledged', ackedBy: ACTOR, ackComment: 'on it, e2e' });
    expect(alert.alert.labels.note).toBe(HOSTILE_LABEL);
  }, TEST_TIMEOUT);

  it('creates a silence from the alert, showing the server field error next to its field', async () => {
    const item = page.locator('li.alert[data-alertname="demo-api-down"]');
    await item.getByRole('button', { name: 'Silence…' }).click();
    const form = item.getByRole('form', { name: 'Silence demo-api-down' });
    // Prefilled with the alert's labels as `=` matchers, alertname first.
    expect(await form.getByLabel('Matcher 1 label').inputValue()).toBe('alertname');
    expect(await form.getByLabel('Matcher 1 value').inputValue()).toBe('demo-api-down');
    expect(await form.locator('.matcher').count()).toBe(Object.keys((await api<{ items: AlertItem[] }>(rt, '/api/alerts')).items[0]!.alert.labels).length);

    // No comment: the server answers 400 with field `comment`, shown under the comment input.
    await form.getByRole('button', { name: 'Create silence' }).click();
    const commentError = form.locator('[data-slot="comment"] .field__error');
    await commentError.waitFor();
    expect(await commentError.textContent()).toMatch(/required/);
    expect(await form.getByLabel('Comment (required)').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Comment (required)').fill('maintenance, e2e');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await form.waitFor({ state: 'detached' });
    const silences = await api<{ items: { id: string; createdBy: string; comment: string; matchers: { name: string; op: string; value: string }[] }[] }>(rt, '/api/silences');
    expect(silences.items).toHaveLength(1);
    expect(silences.items[0]).toMatchObject({ createdBy: ACTOR, comment: 'maintenance, e2e' });
    expect(silences.items[0]!.matchers).toContainEqual({ name: 'note', op: '=', value: HOSTILE_LABEL });

    await page.getByRole('link', { name: 'Silences' }).click();
    const row = page.locator(`[data-testid="silences-table"] tr[data-silence="${silences.items[0]!.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('active');
    await row.getByRole('button', { name: 'Expire' }).click();
    await page.getByText('No current silences').waitFor();
    expect(await pwned(page)).toBeNull();
  }, TEST_TIMEOUT);

  it('shows the failing check on the health, system and check pages', async () => {
    await page.getByRole('link', { name: 'Health', exact: true }).click();
    const check = page.locator('[data-testid="health-tree"] [data-check="demo-api-health"]').first();
    await check.waitFor();
    expect(await check.getAttribute('data-status')).toBe('critical');
    expect(await page.locator('[data-testid="health-tree"] [data-node="edge"]').first().getAttribute('data-status')).toBe('critical');
    expect(await page.locator('[data-testid="health-tree"] [data-node="edge"] > .health-node__reason').first().textContent()).toContain('demo-api-health');

    await page.goto(`${rt.url}/systems/?id=edge`);
    await page.locator('#system-heading [data-status="critical"]').waitFor();
    const services = page.getByTestId('services-table');
    expect(await services.locator('tr[data-node="demo-api"]').getAttribute('data-status')).toBe('critical');
    expect(await page.getByTestId('checks-table').locator('tr[data-check="demo-api-health"]').getAttribute('data-status')).toBe('critical');

    await page.getByTestId('checks-table').getByRole('link', { name: 'demo-api-health' }).click();
    await page.waitForURL(/\/checks\/\?id=demo-api-health/);
    await page.locator('#check-heading [data-status="critical"]').waitFor();
    expect(await page.getByTestId('check-message').textContent()).toContain('HTTP 502');
    expect(await page.getByTestId('uptime').textContent()).toMatch(/50(\.00)? %/);
    await page.getByTestId('range-strip').waitFor();
    await page.locator('.check-alerts li', { hasText: 'demo-api-down' }).waitFor();
    await page.getByRole('link', { name: '7 days' }).click();
    await page.waitForURL(/range=7d/);
    await page.getByText('Uptime over 7 days').waitFor();
  }, TEST_TIMEOUT);

  it('resolves the alert on the open page once demo-api is back', async () => {
    const stable = rt.demo!.services[0]! as { restart?: () => Promise<void> };
    expect(typeof stable.restart, 'DemoService.restart() (helper A) exists').toBe('function');
    await page.goto(`${rt.url}/alerts/`);
    await page.locator('li.alert[data-alertname="demo-api-down"][data-status="acknowledged"]').waitFor();
    await markDocument(page);

    await stable.restart!();
    const run = await rt.monitor.runNow();
    expect(run.ran.find((r) => r.checkId === 'demo-api-health')?.result.status).toBe('ok');

    await page.locator('li.alert[data-alertname="demo-api-down"][data-status="resolved"]').waitFor({ timeout: LIVE_TIMEOUT });
    expect(await stillSameDocument(page)).toBe(true);
    expect(await page.getByRole('button', { name: 'Acknowledge…' }).count()).toBe(0);
    expect(session!.pageErrors).toEqual([]);
    expect(await pwned(page)).toBeNull();
  }, TEST_TIMEOUT);
  it('shows config errors, the empty state and a failed load with retry on the health page', async () => {
    const problem = 'checks.yaml:7:11 checks[1].type: unknown check type "carrier-pigeon"';
    let answer: 'errors' | 'fail' = 'errors';
    let failed = 0;
    await page.route('**/api/health', (route) => {
      if (answer === 'errors') return route.fulfill({ json: { generatedAt: new Date().toISOString(), configErrors: [problem], roots: [], checks: [] } });
      failed += 1;
      return route.fulfill({ status: 500, json: { error: { code: 'boom', field: null, message: 'the store is down' } } });
    });
    try {
      await page.goto(`${rt.url}/health/`);
      const panel = page.getByTestId('config-errors');
      await panel.getByText(problem).waitFor();
      expect(await panel.getByRole('heading').textContent()).toBe('1 problem in the config folder');
      await page.getByText('No systems declared').waitFor();

      answer = 'fail';
      await page.reload();
      const error = page.getByRole('alert').filter({ hasText: 'Could not load health' });
      // Once live, the page reloads once to catch up (a second failed read); after that nothing
      // reloads by itself, as no checks run.
      await page.locator('[data-live="live"]').waitFor({ timeout: LIVE_TIMEOUT });
      await expect.poll(() => failed, { timeout: LIVE_TIMEOUT }).toBeGreaterThanOrEqual(2);
      await error.getByText('the store is down').waitFor();
      answer = 'errors';
      await error.getByRole('button', { name: 'Retry' }).click();
      await page.getByTestId('config-errors').waitFor();
    } finally {
      await page.unroute('**/api/health');
    }
  }, TEST_TIMEOUT);
});
