import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG_DIR, type LocalRuntime } from '../../local/runtime';
import { tokenFor, userNameFor } from '../helpers/auth';
import { serviceEvent } from '../helpers/fixtures';
import { openPortal, signInAs, type PortalSession } from './portal-session';

const UI_TIMEOUT = 15_000;
const TEST_TIMEOUT = 120_000;
/** A change pushed over the live socket (no polling fallback on this page). */
const LIVE_TIMEOUT = 30_000;

describe('admin page: settings, audit log and chain verification', () => {
  let session: PortalSession | undefined;
  let rt: LocalRuntime;
  let page: Page;

  beforeAll(async () => {
    session = await openPortal({
      prefix: 'signalbox-e2e-admin-',
      uiTimeoutMs: UI_TIMEOUT,
      runtime: { monitoring: { configDir: DEMO_CONFIG_DIR, evmNode: false, loopMs: 0, alertInbox: false, ccipLane: false } },
      viewport: { width: 1400, height: 1000 },
      role: 'admin',
    });
    ({ rt, page } = session);
    const ingest = await fetch(`${rt.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(serviceEvent({ service: 'checkout', environment: 'local-demo', id: 'admin-e2e-1' })),
    });
    expect(ingest.status).toBe(202);
    await rt.idle();
  }, 180_000);

  afterAll(async () => {
    await session?.close();
  });

  it('shows the admin nav entry to admins only', async () => {
    await page.goto(`${rt.url}/`);
    await page.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Admin' }).waitFor();
    const other = await session!.browser.page.context().newPage();
    try {
      await signInAs(other, rt, 'operator');
      await other.goto(`${rt.url}/`);
      await other.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Alerts' }).waitFor();
      expect(await other.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Admin' }).count()).toBe(0);
    } finally {
      await other.close();
    }
  }, TEST_TIMEOUT);

  it('toggles a service off, refuses invalid JSON settings naming the field, saves valid ones', async () => {
    await page.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL(/\/admin\//);
    const row = page.locator('tr[data-setting="service/checkout"]');
    await row.waitFor();
    expect(await row.getAttribute('data-enabled')).toBe('true');
    await row.getByRole('checkbox', { name: 'checkout enabled' }).click();
    await page.locator('tr[data-setting="service/checkout"][data-enabled="false"]').waitFor();
    await row.getByText(userNameFor(rt, 'admin')).waitFor();

    await row.getByRole('button', { name: 'Edit' }).click();
    await row.locator('textarea').fill('{"owner": "team-pay", "runbookUrl": "not a url"}');
    await row.getByRole('button', { name: 'Save' }).click();
    const error = row.getByTestId('setting-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('settings.runbookUrl');
    await row.locator('textarea').fill('{"owner": "team-pay", "runbookUrl": "https://runbooks.example/checkout"}');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('"owner":"team-pay"').waitFor();

    // Another admin switches an environment off: the open page shows it without a reload (live `settings` topic).
    await page.evaluate(() => ((globalThis as unknown as { __sbxMark: number }).__sbxMark = 7));
    const other = await fetch(`${rt.url}/api/admin/settings/environment/local-demo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokenFor(rt, 'admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ revision: 0, enabled: false }),
    });
    expect(other.status).toBe(200);
    await page.locator('tr[data-setting="environment/local-demo"][data-enabled="false"]').waitFor({ timeout: LIVE_TIMEOUT });
    expect(await page.evaluate(() => (globalThis as unknown as { __sbxMark?: number }).__sbxMark)).toBe(7);

    const stored = await fetch(`${rt.url}/api/admin/settings/service/checkout`, { headers: { authorization: `Bearer ${tokenFor(rt, 'admin')}` } });
    expect(await stored.json()).toMatchObject({ enabled: false, settings: { owner: 'team-pay' }, revision: 2 });
  }, TEST_TIMEOUT);

  it('creates a producer token (secret shown once), revokes it, and lists the users with their roles', async () => {
    await page.goto(`${rt.url}/admin/?tab=tokens`);
    await page.getByLabel('Name').fill('e2e pipeline');
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByTestId('token-secret');
    await secret.waitFor();
    const text = (await secret.locator('code').textContent()) ?? '';
    expect(text.length).toBeGreaterThan(20);
    // The secret works for ingest, and the list shows its last use.
    const ingest = await fetch(`${rt.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${text}`, 'content-type': 'application/json' },
      body: JSON.stringify(serviceEvent({ service: 'checkout', environment: 'local-demo', id: 'admin-e2e-2' })),
    });
    expect(ingest.status).toBe(202);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.reload();
    const row = page.locator('tr', { has: page.getByRole('rowheader', { name: 'e2e pipeline' }) });
    await row.waitFor();
    expect(await row.textContent()).not.toContain('never');
    expect(await page.getByTestId('token-secret').count()).toBe(0);
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();

    await page.goto(`${rt.url}/admin/?tab=users`);
    await page.locator('td[data-role="admin"]').waitFor();
    expect(await page.locator('tr[data-user] td[data-role]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-role')).sort())).toEqual(['admin', 'operator', 'viewer']);
  }, TEST_TIMEOUT);

  it('shows the changes in the audit log, filters it, and the verify button reports an intact chain', async () => {
    await page.goto(`${rt.url}/admin/?tab=audit`);
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    const rows = table.locator('tbody tr[data-action="settings:write"]');
    await rows.first().waitFor();
    // Toggle (200), invalid settings (400), valid settings (200), the other admin's environment toggle (200): newest first.
    expect(await table.locator('tbody tr[data-action="tokens:manage"]').count()).toBe(2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-outcome')))).toEqual(['200', '200', '400', '200']);
    expect(await rows.first().textContent()).toContain('setting/environment/local-demo');
    expect(await rows.nth(1).textContent()).toContain('setting/service/checkout');
    expect(await rows.first().textContent()).toContain(userNameFor(rt, 'admin'));

    await page.locator('select[name="outcome"]').selectOption('failure');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/outcome=failure/);
    await page.locator('tbody tr[data-outcome="400"]').waitFor();
    expect(await page.locator('tbody tr[data-outcome="200"]').count()).toBe(0);
    expect(await page.locator('tbody tr[data-outcome="400"]').count()).toBe(1);

    await page.getByTestId('verify-chain').click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain('Chain intact: 6 entries verified');
    expect(session!.pageErrors).toEqual([]);
  }, TEST_TIMEOUT);
});
