import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { authHeaders } from '../helpers/auth';
import { openPortal, type PortalSession } from './portal-session';

const UI_TIMEOUT = 15_000;
const TEST_TIMEOUT = 120_000;

/**
 * Sign-in as a person meets it: nobody signed in is sent to /sign-in/; picking a demo user signs
 * in as that role; a viewer sees no acknowledge or start buttons, an operator acknowledges, an
 * admin opens the admin page. One firing alert (a check on a target that answers 500).
 */
describe('sign-in and roles in the portal', () => {
  let session: PortalSession | undefined;
  let rt: LocalRuntime;
  let page: Page;
  let dir: string;
  let target: Server;

  beforeAll(async () => {
    target = createServer((_req, res) => {
      res.writeHead(500);
      res.end('broken');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    dir = await mkdtemp(join(tmpdir(), 'signalbox-e2e-sign-in-config-'));
    const config = join(dir, 'config');
    await mkdir(config);
    await writeFile(
      join(config, 'all.yaml'),
      [
        'environments:',
        '  - { name: lab, provider: local, kind: local }',
        'systems:',
        '  - { name: shop, services: [web] }',
        'checks:',
        '  - { name: web-http, type: http, service: web, environment: lab, url: "${TARGET_URL}/", interval: 30s }',
        'alerts:',
        '  - { name: web-down, severity: critical, system: shop, condition: { check: web-http, status: critical }, summary: web is down }',
        '',
      ].join('\n'),
    );
    session = await openPortal({
      prefix: 'signalbox-e2e-sign-in-',
      uiTimeoutMs: UI_TIMEOUT,
      role: null,
      runtime: {
        monitoring: { configDir: config, evmNode: false, loopMs: 0, alertInbox: false, placeholders: { TARGET_URL: `http://127.0.0.1:${(target.address() as AddressInfo).port}` } },
      },
      viewport: { width: 1280, height: 900 },
    });
    ({ rt, page } = session);
    expect((await rt.monitor.runNow()).alertTransitions.map((t) => t.kind)).toEqual(['fired']);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await new Promise((r) => target?.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function signIn(name: RegExp): Promise<void> {
    await page.getByRole('button', { name }).click();
  }

  it(
    'sends a visitor without a session to the sign-in page; a viewer sees the alert but no acknowledge, silence or start buttons',
    async () => {
      await page.goto(`${rt.url}/alerts/`);
      await page.waitForURL(/\/sign-in\/\?next=%2Falerts%2F/);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signIn(/Vera Viewer/);
      await page.waitForURL(/\/alerts\/$/);
      await page.getByText('web is down').first().waitFor();
      expect(await page.getByTestId('session-role').textContent()).toBe('viewer');
      expect(await page.getByRole('button', { name: /Acknowledge/ }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /Silence/ }).count()).toBe(0);
      await page.goto(`${rt.url}/rollouts/new/`);
      const start = page.getByRole('button', { name: 'Start rollout' });
      await start.waitFor();
      expect(await start.isDisabled()).toBe(true);
      expect(await start.getAttribute('title')).toContain('rollouts:start needs role operator');
    },
    TEST_TIMEOUT,
  );

  it(
    'signs out, and an operator acknowledges the alert as themselves',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/sign-in\/$/);
      await signIn(/Olu Operator/);
      await page.waitForURL((url) => url.pathname === '/');
      await page.goto(`${rt.url}/alerts/`);
      expect(await page.getByTestId('session-role').textContent()).toBe('operator');
      await page.getByRole('button', { name: 'Acknowledge…' }).click();
      await page.getByLabel('Comment (optional)').fill('on it, signed in');
      await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
      await page.getByText(/Acknowledged by/).first().waitFor();
      const list = (await (await fetch(`${rt.url}/api/alerts`, { headers: authHeaders(rt, 'viewer') })).json()) as { items: { alert: { ackedBy: string } }[] };
      expect(list.items[0]!.alert.ackedBy).toBe('olu.operator@example.com');
    },
    TEST_TIMEOUT,
  );

  it(
    'an admin signs in and opens the admin page',
    async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/sign-in\/$/);
      await signIn(/Ada Admin/);
      await page.waitForURL((url) => url.pathname === '/');
      await page.goto(`${rt.url}/admin/`);
      expect(await page.getByTestId('session-role').textContent()).toBe('admin');
      await page.waitForURL(/\/admin\//);
      expect(await page.locator('[role="alert"]', { hasText: /needs role|forbidden/i }).count()).toBe(0);
      expect(session!.pageErrors).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
