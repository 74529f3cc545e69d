import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../functions/src/core/read-models';
import type { LocalRuntime } from '../../local/runtime';
import type { TestBrowser } from './browser';
import { openPortal, type PortalSession } from './portal-session';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
/** Long enough for a cold page load plus one 10 s auto-refresh of the matrix. */
const UI_TIMEOUT = 15_000;

/** The body of the curl command the empty matrix offers, checked against a real ingest below. */
let firstEventSnippet: unknown = null;

const HOSTILE_SERVICE = '<script>window.__pwned=1</script>';
const HOSTILE_ENVIRONMENT = 'javascript:window.__pwned=2';
const HOSTILE_ARTIFACT = 'pkg:oci/evil@1.0?tag=<img src=x onerror="window.__pwned=3">';

function serviceEvent(opts: {
  id: string;
  predicate: 'deployed' | 'upgraded';
  service: string;
  environment: string;
  artifactId: string;
  at: Date;
  source?: string;
}): Record<string, unknown> {
  return {
    context: {
      specversion: '0.5.1',
      id: opts.id,
      source: opts.source ?? '/e2e/ci',
      type: `dev.cdevents.service.${opts.predicate}.0.3.0`,
      timestamp: opts.at.toISOString(),
    },
    subject: {
      id: opts.service,
      source: opts.source ?? '/e2e/ci',
      content: { environment: { id: opts.environment }, artifactId: opts.artifactId },
    },
  };
}

async function post(rt: LocalRuntime, event: unknown): Promise<IngestResult> {
  const response = await fetch(`${rt.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { results: IngestResult[] };
  expect(body.results[0]?.status).toBe('stored');
  // Projections run on the in-process bus after the 202; wait for them instead of sleeping.
  await rt.idle();
  return body.results[0]!;
}

async function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);
}

describe('portal', () => {
  let rt: LocalRuntime;
  let browser: TestBrowser;
  let page: Page;
  const pageErrors: string[] = [];
  const t0 = new Date(Date.now() - 60_000);

  let session: PortalSession | undefined;

  beforeAll(async () => {
    session = await openPortal({ prefix: 'signalbox-e2e-', uiTimeoutMs: UI_TIMEOUT });
    ({ rt, browser, page } = session);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows the empty state before any event', async () => {
    await page.goto(`${rt.url}/`);
    await page.getByText('No deployments yet — send a first event').waitFor();
    const snippet = await page.getByLabel('Example request').textContent();
    expect(snippet).toContain(`${rt.url}/api/events`);
    expect(snippet).toContain('Authorization: Bearer');
    firstEventSnippet = JSON.parse(/-d '([\s\S]*)'\s*$/.exec(snippet!)![1]!);
  });

  it('shows a deployed service in the matrix', async () => {
    await page.goto(`${rt.url}/`);
    await page.getByText('No deployments yet — send a first event').waitFor();
    const deployed = await post(
      rt,
      serviceEvent({
        id: 'e2e-1',
        predicate: 'deployed',
        service: 'payments',
        environment: 'staging',
        artifactId: 'pkg:oci/payments@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427?tag=1.0.0',
        at: t0,
      }),
    );
    expect(deployed.violations).toEqual([]);
    // No reload: the matrix refreshes itself.
    const cell = page.locator('td.cell[data-environment="staging"]');
    await cell.getByText('1.0.0', { exact: true }).waitFor();
    await page.getByRole('rowheader', { name: 'payments' }).waitFor();
    await page.getByRole('columnheader', { name: 'staging' }).waitFor();
    expect(await cell.getAttribute('class')).toContain('cell--recent');
    expect(await cell.locator('a').getAttribute('href')).toBe('/services/?name=payments');
  });

  it('shows an upgrade in the matrix and the history on the service page', async () => {
    const upgrade = await post(
      rt,
      serviceEvent({
        id: 'e2e-2',
        predicate: 'upgraded',
        service: 'payments',
        environment: 'staging',
        artifactId: 'pkg:oci/payments@sha256%3A1111111111111111111111111111111111111111111111111111111111111111?tag=1.1.0',
        at: new Date(t0.valueOf() + 30_000),
      }),
    );
    expect(upgrade.violations).toEqual([]);
    await page.goto(`${rt.url}/`);
    await page.locator('td.cell[data-environment="staging"]').getByText('1.1.0', { exact: true }).waitFor();

    await page.locator('td.cell[data-environment="staging"] a').click();
    await page.waitForURL(/\/services\/\?name=payments$/);
    await page.getByRole('heading', { name: 'payments', level: 1 }).waitFor();
    const history = page.locator('section[aria-labelledby="history-heading"] tbody tr');
    await history.nth(1).waitFor();
    expect(await history.count()).toBe(2);
    expect(await history.nth(0).textContent()).toContain('upgraded');
    expect(await history.nth(0).textContent()).toContain('1.1.0');
    expect(await history.nth(1).textContent()).toContain('deployed');
    expect(await history.nth(1).textContent()).toContain('1.0.0');
    expect(await page.getByRole('link', { name: /Timeline of payments/ }).getAttribute('href')).toBe('/timeline/?service=payments');
  });

  it('lists both events in the timeline and filters by type from the URL', async () => {
    await page.goto(`${rt.url}/timeline/?service=payments`);
    const rows = page.locator('table.timeline tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('service.upgraded');
    expect(await rows.nth(1).textContent()).toContain('service.deployed');

    await page.goto(`${rt.url}/timeline/?type=dev.cdevents.service.upgraded`);
    await page.locator('table.timeline tbody tr').first().waitFor();
    expect(await page.locator('table.timeline tbody tr').count()).toBe(1);
    expect(await page.locator('#f-type').inputValue()).toBe('dev.cdevents.service.upgraded');

    // The form writes the URL back.
    await page.locator('#f-type').fill('dev.cdevents.service.');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/type=dev\.cdevents\.service\.$/);
    await page.locator('table.timeline tbody tr').nth(1).waitFor();
    expect(await page.locator('table.timeline tbody tr').count()).toBe(2);
  });

  it('shows the raw JSON and the violations of an invalid event', async () => {
    const result = await post(rt, {
      context: {
        specversion: '0.5.1',
        id: 'e2e-invalid-1',
        source: '/e2e/ci',
        type: 'dev.cdevents.pipelinerun.started.0.3.0',
        timestamp: new Date().toISOString(),
      },
      subject: { id: 'run-42', content: { pipelineName: 42 } },
    });
    expect(result.violations.length).toBeGreaterThan(0);

    await page.goto(`${rt.url}/timeline/`);
    await page.locator(`tr[data-key="${result.key}"]`).getByText(`${result.violations.length} violation`).waitFor();
    await page.locator(`tr[data-key="${result.key}"]`).getByRole('link', { name: 'run-42', exact: true }).click();
    await page.waitForURL(/\/events\/\?key=/);

    const raw = page.getByTestId('raw-json');
    await raw.waitFor();
    expect(JSON.parse((await raw.textContent())!)).toMatchObject({ context: { id: 'e2e-invalid-1' }, subject: { id: 'run-42' } });
    const violationRows = page.locator('table.violations tbody tr');
    expect(await violationRows.count()).toBe(result.violations.length);
    const first = result.violations[0]!;
    expect(await violationRows.first().textContent()).toContain(first.path);
    expect(await violationRows.first().textContent()).toContain(first.message);
    expect(await page.getByTestId('normalised-json').textContent()).toContain('"run-42"');
  });

  it('renders hostile event fields as inert text', async () => {
    const result = await post(
      rt,
      serviceEvent({
        id: 'e2e-hostile-1',
        predicate: 'deployed',
        service: HOSTILE_SERVICE,
        environment: HOSTILE_ENVIRONMENT,
        artifactId: HOSTILE_ARTIFACT,
        source: 'javascript:window.__pwned=4',
        at: new Date(),
      }),
    );

    await page.goto(`${rt.url}/`);
    await page.getByRole('rowheader', { name: HOSTILE_SERVICE }).waitFor();
    await page.getByRole('columnheader', { name: HOSTILE_ENVIRONMENT }).waitFor();
    expect(await pwned(page)).toBeUndefined();

    await page.goto(`${rt.url}/timeline/`);
    await page.locator(`tr[data-key="${result.key}"]`).getByText(HOSTILE_SERVICE).first().waitFor();
    expect(await pwned(page)).toBeUndefined();

    await page.goto(`${rt.url}/events/?key=${encodeURIComponent(result.key!)}`);
    await page.getByTestId('raw-json').waitFor();
    const raw = JSON.parse((await page.getByTestId('raw-json').textContent())!) as { subject: { id: string; content: { artifactId: string } } };
    expect(raw.subject).toMatchObject({ id: HOSTILE_SERVICE, content: { artifactId: HOSTILE_ARTIFACT } });
    await page.getByText('javascript:window.__pwned=4', { exact: true }).waitFor();
    expect(await page.locator('script:not([src])').evaluateAll((nodes) => nodes.some((n) => n.textContent?.includes('__pwned')))).toBe(false);

    for (const path of ['/', '/timeline/', `/events/?key=${encodeURIComponent(result.key!)}`]) {
      await page.goto(`${rt.url}${path}`);
      await page.locator('main table, main pre').first().waitFor();
      expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
      expect(await page.locator('main img').count()).toBe(0);
      expect(await pwned(page)).toBeUndefined();
    }
    expect(pageErrors).toEqual([]);
  });

  it('shows the environment list and an environment page', async () => {
    await page.goto(`${rt.url}/environments/`);
    await page.getByRole('link', { name: 'staging', exact: true }).click();
    await page.waitForURL(/\/environments\/\?name=staging$/);
    await page.getByRole('heading', { name: 'staging', level: 1 }).waitFor();
    await page.locator('table tbody tr', { hasText: 'payments' }).getByText('1.1.0', { exact: true }).waitFor();
  });
});

describe('portal screenshot', () => {
  let rt: LocalRuntime;
  let browser: TestBrowser;
  let session: PortalSession | undefined;

  beforeAll(async () => {
    session = await openPortal({ prefix: 'signalbox-e2e-seeded-', uiTimeoutMs: UI_TIMEOUT, runtime: { seed: true }, viewport: { width: 1280, height: 800 } });
    ({ rt, browser } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('captures the seeded matrix for the README', async () => {
    const { page } = browser;
    await page.goto(`${rt.url}/`);
    await page.locator('table.matrix tbody tr').nth(5).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('table.matrix th.matrix__provider').count()).toBeGreaterThan(1);
    // docs/screenshot.png is committed: rewrite it only when asked or missing, so test runs leave
    // the tree clean.
    const committed = join(REPO_ROOT, 'docs', 'screenshot.png');
    const target =
      process.env.UPDATE_SCREENSHOT === '1' || !existsSync(committed) ? committed : join(REPO_ROOT, '.vitest-tmp', 'screenshot.png');
    await mkdir(dirname(target), { recursive: true });
    await page.screenshot({ path: target });
    expect(existsSync(target)).toBe(true);
  });

  it('filters the matrix from the search box and keeps the filter in the URL', async () => {
    const { page } = browser;
    await page.goto(`${rt.url}/`);
    const rows = page.locator('table.matrix tbody tr');
    await rows.nth(5).waitFor({ timeout: UI_TIMEOUT });
    await page.getByLabel('Filter services').fill('paym');
    await page.waitForURL(/\/\?q=paym$/);
    await page.getByRole('rowheader', { name: 'payments' }).waitFor();
    expect(await rows.count()).toBe(1);

    await page.reload();
    await page.getByRole('rowheader', { name: 'payments' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await rows.count()).toBe(1);
    expect(await page.getByLabel('Filter services').inputValue()).toBe('paym');
  });

  it('pages the timeline with the cursor in the URL', async () => {
    const { page } = browser;
    await page.goto(`${rt.url}/timeline/`);
    const rows = page.locator('table.timeline tbody tr');
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    const firstPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    await page.getByRole('link', { name: 'Older events →' }).click();
    await page.waitForURL(/\/timeline\/\?cursor=/);
    await page.getByRole('link', { name: '← Newest' }).waitFor({ timeout: UI_TIMEOUT });
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    const secondPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.filter((key) => firstPage.includes(key))).toEqual([]);
  });

  it('accepts the first event the empty matrix suggests, without violations', async () => {
    expect(firstEventSnippet).not.toBeNull();
    const result = await post(rt, firstEventSnippet);
    expect(result.violations).toEqual([]);
  });
});
