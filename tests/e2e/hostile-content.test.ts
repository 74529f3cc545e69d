import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../functions/src/core/read-models';
import { openPortal, type PortalSession } from './portal-session';

/**
 * Hostile content in every field a producer controls, on every page that shows it, in a real
 * Chromium: nothing executes (the payloads would set `window.__pwned` or open a dialog), no
 * `javascript:` URL becomes a link, and the text is shown as text.
 */
const UI_TIMEOUT = 15_000;

const SERVICE = `<script>window.__pwned='service'</script><img src=x onerror="window.__pwned='service-img'">`;
const ENVIRONMENT = `javascript:window.__pwned='env'//<svg onload=alert(1)>`;
const ARTIFACT = `pkg:oci/evil@1.0?tag=<img src=x onerror="alert('artifact')">`;
const SOURCE = `javascript:alert('source')`;
const CUSTOM = `<iframe src="javascript:alert('custom')"></iframe><a href="javascript:alert(2)">click</a>`;

let session: PortalSession;
let page: Page;
let key: string;
const dialogs: string[] = [];

async function pwned(p: Page): Promise<unknown> {
  return p.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned ?? null);
}

beforeAll(async () => {
  session = await openPortal({ prefix: 'sbx-e2e-hostile-', uiTimeoutMs: UI_TIMEOUT });
  page = session.page;
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const { rt } = session;
  const events = [
    {
      context: { specversion: '0.5.1', id: 'hostile-1', source: SOURCE, type: 'dev.cdevents.service.deployed.0.3.0', timestamp: new Date().toISOString() },
      subject: { id: SERVICE, source: SOURCE, content: { environment: { id: ENVIRONMENT, source: SOURCE }, artifactId: ARTIFACT } },
      customData: { note: CUSTOM, link: 'javascript:alert(3)' },
    },
    {
      context: { specversion: '0.5.1', id: 'hostile-2', source: SOURCE, type: 'dev.cdevents.environment.created.0.2.0', timestamp: new Date().toISOString() },
      subject: { id: ENVIRONMENT, source: SOURCE, content: { name: CUSTOM, url: 'javascript:alert(4)' } },
    },
  ];
  const res = await fetch(`${rt.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(202);
  const results = ((await res.json()) as { results: IngestResult[] }).results;
  expect(results.map((r) => r.status)).toEqual(['stored', 'stored']);
  key = results[0]!.key!;
  await rt.idle();
}, 300_000);

afterAll(async () => {
  await session?.close();
});

/** Nothing ran, no dialog opened, no javascript: link and no injected element exists. */
async function assertInert(where: string): Promise<void> {
  expect(await pwned(page), where).toBeNull();
  expect(dialogs, where).toEqual([]);
  expect(await page.locator('a[href^="javascript:" i], [src^="javascript:" i]').count(), where).toBe(0);
  expect(await page.locator('main img, main iframe, main svg[onload], main script').count(), where).toBe(0);
}

describe('hostile event fields in the portal', () => {
  const pages = () => [
    { name: 'matrix', path: '/', shows: [SERVICE, ENVIRONMENT] },
    { name: 'service page', path: `/services/?name=${encodeURIComponent(SERVICE)}`, shows: [SERVICE, ENVIRONMENT] },
    { name: 'environment list', path: '/environments/', shows: [ENVIRONMENT] },
    { name: 'environment page', path: `/environments/?name=${encodeURIComponent(ENVIRONMENT)}`, shows: [ENVIRONMENT, SERVICE] },
    { name: 'timeline', path: '/timeline/', shows: [SERVICE] },
    { name: 'event detail', path: `/events/?key=${encodeURIComponent(key)}`, shows: [SOURCE] },
    { name: 'health', path: '/health/', shows: [] },
    { name: 'alerts', path: '/alerts/', shows: [] },
  ];

  it('shows every hostile value as text and runs none of it, on every page that shows events', async () => {
    for (const p of pages()) {
      await page.goto(`${session.rt.url}${p.path}`);
      await page.locator('main').first().waitFor();
      for (const text of p.shows) await page.getByText(text, { exact: true }).first().waitFor();
      await assertInert(p.name);
    }
    expect(session.pageErrors).toEqual([]);
  });

  it('keeps custom data and artifact ids verbatim in the event detail, as text', async () => {
    await page.goto(`${session.rt.url}/events/?key=${encodeURIComponent(key)}`);
    const raw = page.getByTestId('raw-json');
    await raw.waitFor();
    const shown = JSON.parse((await raw.textContent())!) as { customData: { note: string }; subject: { content: { artifactId: string } } };
    expect(shown.customData.note).toBe(CUSTOM);
    expect(shown.subject.content.artifactId).toBe(ARTIFACT);
    await assertInert('event detail (raw)');
  });
});
