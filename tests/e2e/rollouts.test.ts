import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutDetail, RolloutPhase } from '../../functions/src/core/rollouts/model';
import type { LocalRuntime } from '../../local/runtime';
import type { TestBrowser } from './browser';
import { openPortal, type PortalSession } from './portal-session';
import { authHeaders } from '../helpers/auth';

/** A cold page load. */
const UI_TIMEOUT = 15_000;
/** A whole demo rollout: real traffic through the local proxy, real analysis intervals. */
const ROLLOUT_TIMEOUT = 150_000;
/** The signed-in operator (openPortal's default role) the portal acts as. */
const ACTOR = 'olu.operator@example.com';

async function api<T>(rt: LocalRuntime, path: string): Promise<T> {
  const response = await fetch(`${rt.url}${path}`, { headers: authHeaders(rt, 'viewer') });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

/** Picks the preset whose name or title matches, from the start form's select; returns its title. */
async function pickPreset(page: Page, pattern: RegExp, not?: RegExp): Promise<string> {
  const select = page.locator('#sf-preset');
  await select.locator('option:not([value=""])').first().waitFor({ state: 'attached' });
  const options = await select.locator('option:not([value=""])').evaluateAll((nodes) =>
    nodes.map((n) => ({ value: n.getAttribute('value') ?? '', title: n.textContent ?? '' })),
  );
  const found = options.find((o) => pattern.test(`${o.value} ${o.title}`) && !(not && not.test(`${o.value} ${o.title}`)));
  expect(found, `a preset matching ${pattern} among ${JSON.stringify(options)}`).toBeDefined();
  await select.selectOption(found!.value);
  // The form is prefilled from the preset.
  expect(await page.locator('#sf-service').inputValue()).not.toBe('');
  return found!.title;
}

function rolloutIdOf(page: Page): string {
  const id = new URL(page.url()).searchParams.get('id');
  expect(id).toBeTruthy();
  return id!;
}

const phaseBadge = (page: Page, phase: RolloutPhase) => page.locator(`#rollout-heading [data-phase="${phase}"]`);

/**
 * Waits on the rollout page until the rollout ends in `final`, approving every gate that asks on
 * the way (the page polls by itself: no reloads). Returns how many gates it approved.
 */
async function driveToEnd(page: Page, final: RolloutPhase, opts: { approve: boolean }): Promise<number> {
  let approved = 0;
  const deadline = Date.now() + ROLLOUT_TIMEOUT;
  const gate = page.getByTestId('gate-panel');
  const ended = page.locator('#rollout-heading [data-phase="Promoted"], #rollout-heading [data-phase="RolledBack"], #rollout-heading [data-phase="Aborted"]');
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`the rollout did not reach ${final}; page says: ${await page.getByTestId('rollout-message').textContent()}`);
    await (opts.approve ? gate.or(ended) : ended).first().waitFor({ timeout: left });
    if (await ended.count()) break;
    // A gate waits: the live chart already shows the canary share the rollout set before it.
    const description = await page.locator('[data-testid="weight-chart"] desc').textContent();
    expect(description).toMatch(/Now [1-9]\d*%/);
    const heading = (await page.locator('#gate-heading').textContent()) ?? '';
    await page.getByLabel('Comment', { exact: true }).fill('checked by the e2e test');
    await page.getByRole('button', { name: /^Approve / }).click();
    approved += 1;
    await page.locator('#gate-heading', { hasText: heading }).waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  }
  await phaseBadge(page, final).waitFor({ timeout: UI_TIMEOUT });
  return approved;
}

describe('rollout pages', () => {
  let rt: LocalRuntime;
  let browser: TestBrowser;
  let page: Page;
  const pageErrors: string[] = [];
  let healthy: RolloutDetail | null = null;
  let bad: RolloutDetail | null = null;

  let session: PortalSession | undefined;

  beforeAll(async () => {
    // The demo: three real demo-api versions behind the weighted proxy, with load, and its presets.
    session = await openPortal({
      prefix: 'signalbox-e2e-rollouts-',
      uiTimeoutMs: UI_TIMEOUT,
      runtime: { demo: { ratePerSecond: 40, badErrorRate: 0.5 } },
      viewport: { width: 1280, height: 1000 },
    });
    ({ rt, browser, page } = session);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows the empty list with a way to start', async () => {
    await page.goto(`${rt.url}/rollouts/`);
    await page.getByText('No rollouts yet').waitFor();
    await page.getByRole('link', { name: 'Start rollout' }).click();
    await page.waitForURL(/\/rollouts\/new\/$/);
    await page.getByRole('heading', { name: 'Start a rollout', level: 1 }).waitFor();
  });

  it('shows the server field error next to the field it names', async () => {
    await page.goto(`${rt.url}/rollouts/new/`);
    await pickPreset(page, /healthy|good/i);
    // Well-formed for the form, wrong for the server: only the server knows durations.
    await page.locator('#sf-steps').fill('[{ "setWeight": 10 }, { "pause": { "duration": "soon" } }]');
    await page.getByRole('button', { name: 'Start rollout' }).click();
    const error = page.locator('[data-slot="steps"] .field__error');
    await error.waitFor();
    expect(await error.textContent()).toContain('steps[1].pause.duration');
    expect(await page.locator('#sf-steps').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/\/rollouts\/new\/$/);
    expect((await api<{ items: unknown[] }>(rt, '/api/rollouts')).items).toEqual([]);

    // The editor says at once when the JSON does not parse.
    await page.locator('#sf-steps').fill('[{ "setWeight": 10 ');
    await page.locator('[data-slot="steps"] .field__hint--bad').getByText('Not valid JSON').waitFor();
  });

  it(
    'starts the healthy canary from its preset, approves the gate and ends Promoted',
    async () => {
      await page.goto(`${rt.url}/rollouts/new/`);
      await pickPreset(page, /healthy|good/i);
      await page.getByRole('button', { name: 'Start rollout' }).click();
      await page.waitForURL(/\/rollouts\/\?id=/);
      const id = rolloutIdOf(page);
      await page.locator('#rollout-heading').waitFor();
      expect(await page.locator('ol.steps li').count()).toBeGreaterThan(1);

      const approved = await driveToEnd(page, 'Promoted', { approve: true });
      expect(approved).toBeGreaterThan(0);

      healthy = await api<RolloutDetail>(rt, `/api/rollouts/${encodeURIComponent(id)}`);
      expect(healthy.phase).toBe('Promoted');
      expect(healthy.actions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ verb: 'start', actor: ACTOR }),
          expect.objectContaining({ verb: 'approve', actor: ACTOR, comment: 'checked by the e2e test' }),
        ]),
      );
      // The page shows what the API says: every step, the approval in the log, no operator buttons but undo.
      const steps = page.locator('ol.steps li');
      expect(await steps.count()).toBe(healthy.plan.length);
      expect(await steps.locator('[data-phase="Failed"]').count()).toBe(0);
      await page.locator('table.actions tbody tr', { hasText: 'approve' }).getByText(ACTOR).waitFor();
      expect(await page.getByRole('button', { name: 'Undo' }).isEnabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Abort…' }).isDisabled()).toBe(true);
      if (healthy.analysisRuns.length > 0) {
        await page.locator('[data-testid="analysis-run"][data-phase="Successful"]').first().waitFor();
        expect(await page.locator('table.measurements tbody tr').count()).toBeGreaterThan(0);
      }
      expect(await page.getByRole('link', { name: `Timeline of ${healthy.spec.service} →` }).getAttribute('href')).toBe(
        `/timeline/?service=${encodeURIComponent(healthy.spec.service)}`,
      );
    },
    ROLLOUT_TIMEOUT + 30_000,
  );

  it(
    'starts the bad canary and sees it roll back on its analysis',
    async () => {
      await page.goto(`${rt.url}/rollouts/new/`);
      await pickPreset(page, /bad|fails|error/i, /healthy/i);
      await page.getByRole('button', { name: 'Start rollout' }).click();
      await page.waitForURL(/\/rollouts\/\?id=/);
      const id = rolloutIdOf(page);

      // Approve any gate before the failing analysis too: the analysis, not a person, must end it.
      await driveToEnd(page, 'RolledBack', { approve: true });
      bad = await api<RolloutDetail>(rt, `/api/rollouts/${encodeURIComponent(id)}`);
      expect(bad.phase).toBe('RolledBack');
      await page.locator('[data-testid="analysis-run"][data-phase="Failed"]').first().waitFor();
      const failedValues = page.locator('[data-testid="analysis-run"][data-phase="Failed"] table.measurements tbody tr');
      expect(await failedValues.count()).toBeGreaterThan(0);
      expect(await page.getByTestId('rollout-message').textContent()).toContain(bad.message);
      expect(await page.getByRole('button', { name: 'Retry' }).isEnabled()).toBe(true);
    },
    ROLLOUT_TIMEOUT + 30_000,
  );

  it('lists both rollouts with their phases and filters by status in the URL', async () => {
    expect(healthy && bad).toBeTruthy();
    await page.goto(`${rt.url}/rollouts/`);
    await page.locator(`tr[data-id="${healthy!.id}"][data-phase="Promoted"]`).waitFor();
    await page.locator(`tr[data-id="${bad!.id}"][data-phase="RolledBack"]`).waitFor();

    await page.locator('#rf-status').selectOption('RolledBack');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/rollouts\/\?status=RolledBack$/);
    await page.locator(`tr[data-id="${bad!.id}"]`).waitFor();
    expect(await page.locator('table.rollouts tbody tr').count()).toBe(1);

    await page.locator(`tr[data-id="${bad!.id}"] td`).first().getByRole('link').click();
    await page.waitForURL(new RegExp(`/rollouts/\\?id=${bad!.id}$`));
    await phaseBadge(page, 'RolledBack').waitFor();
  });

  it('shows every step of the rollouts in the timeline', async () => {
    expect(healthy && bad).toBeTruthy();
    await rt.idle();
    await page.goto(`${rt.url}/timeline/?type=dev.cdevents.taskrun.`);
    const rows = page.locator('table.timeline tbody tr');
    await rows.first().waitFor();
    // Started and finished per step that ran; at least every step of the promoted rollout.
    expect(await rows.count()).toBeGreaterThanOrEqual(Math.min(healthy!.plan.length, 50));

    await page.goto(`${rt.url}/timeline/?type=dev.cdevents.pipelinerun.`);
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThanOrEqual(4);

    await page.goto(`${rt.url}/timeline/?service=${encodeURIComponent(healthy!.spec.service)}`);
    await rows.first().waitFor();
    const types = await rows.evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(types.some((t) => /service\.(upgraded|deployed)/.test(t))).toBe(true);
    expect(types.some((t) => t.includes('service.rolledback'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
