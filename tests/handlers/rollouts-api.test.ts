import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { BAD_VERSION, demoArtifact, DEMO_ENVIRONMENT, DEMO_SERVICE } from '../../functions/src/wiring/demo-rollouts';
import type { EventSummary, Inventory, Page } from '../../functions/src/core/read-models';
import type { RolloutDetail, RolloutPreset, RolloutSpec, RolloutSummary } from '../../functions/src/core/rollouts/model';
import { authHeaders } from '../helpers/auth';

/*
 * Rollouts through the public API of the local runtime, on real traffic: three real demo-api
 * servers behind the real weighted proxy, a load generator, the real ASL run by the local
 * interpreter, DynamoDB (dynalite) and the bus. Specs are the demo presets with short timings.
 */

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-rollouts-', {
    seed: false,
    retry: { attempts: 2, baseDelayMs: 1 },
    demo: { ratePerSecond: 60, badErrorRate: 0.5 },
  });
});

afterAll(async () => {
  await rt?.stop();
});

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rt.url}${path}`, {
    method,
    headers: authHeaders(rt, 'operator'),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function presets(): Promise<RolloutPreset[]> {
  return (await call<{ items: RolloutPreset[] }>('GET', '/api/rollout-presets')).body.items;
}

/** A preset with short timings so a test takes seconds, not minutes. */
function quick(spec: RolloutSpec): RolloutSpec {
  const s = structuredClone(spec);
  for (const t of s.analysisTemplates ?? []) for (const m of t.metrics) Object.assign(m, { initialDelay: '1s', interval: '1s', count: 2, minSamples: 5 });
  if (s.strategy === 'canary') s.steps = s.steps.map((step) => ('pause' in step && step.pause.duration ? { pause: { duration: '1s' } } : step));
  return s;
}

async function until(id: string, done: (r: RolloutDetail) => boolean, what: string): Promise<RolloutDetail> {
  for (let i = 0; i < 300; i++) {
    const r = (await call<RolloutDetail>('GET', `/api/rollouts/${id}`)).body;
    if (done(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`rollout ${id} never reached: ${what}`);
}

const FINAL = ['Promoted', 'RolledBack', 'Aborted'];

describe('rollouts API on the local demo', () => {
  it('refuses a bad spec with 400 naming the field', async () => {
    const [good] = await presets();
    const spec = structuredClone(good!.spec) as RolloutSpec & { steps: unknown[] };
    spec.steps[0] = { setWeight: 150 };
    const res = await call<{ error: { code: string; field: string } }>('POST', '/api/rollouts', spec);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('steps[0].setWeight');
    const notJson = await fetch(`${rt.url}/api/rollouts`, { method: 'POST', headers: authHeaders(rt, 'operator'), body: '{' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { field: string } }).error.field).toBe('body');
  });

  it('answers 404 for an unknown rollout and 400 for an unknown verb', async () => {
    expect((await call('GET', '/api/rollouts/nope')).status).toBe(404);
    expect((await call('POST', '/api/rollouts/nope/promote')).status).toBe(404);
    expect((await call<{ error: { field: string } }>('POST', '/api/rollouts/nope/explode')).body.error.field).toBe('verb');
  });

  it('promotes a healthy canary after the gate is approved, on real traffic, every step in the timeline', async () => {
    const preset = (await presets()).find((p) => p.name === 'demo-canary-good')!;
    const started = await call<RolloutDetail>('POST', '/api/rollouts', quick(preset.spec));
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ createdBy: 'olu.operator@example.com', spec: { service: DEMO_SERVICE } });
    const id = started.body.id;

    const waiting = await until(id, (r) => r.gates.some((g) => g.status === 'Waiting') || FINAL.includes(r.phase), 'the gate');
    expect(waiting.phase).toBe('Paused');
    expect(waiting.pause).toMatchObject({ reason: 'Gate', gate: 'go-live' });
    // The analysis judged real requests that reached the canary through the proxy.
    const run = waiting.analysisRuns.find((a) => a.kind === 'step')!;
    expect(run.phase).toBe('Successful');
    const errorRate = run.metrics.find((m) => m.name === 'error-rate')!;
    expect(errorRate.measurements.every((m) => (m.samples ?? 0) >= 5 && m.value === 0)).toBe(true);
    expect(rt.demo!.proxy.weights()).toEqual({ stable: 50, canary: 50 });

    // A verb that does not fit the phase is a 409, not a silent no-op.
    expect((await call('POST', `/api/rollouts/${id}/undo`)).status).toBe(409);

    const approved = await call<RolloutDetail>('POST', `/api/rollouts/${id}/gates/go-live/approve`, { comment: 'looks good' });
    expect(approved.status).toBe(200);
    const done = await until(id, (r) => FINAL.includes(r.phase), 'the end');
    expect(done.phase).toBe('Promoted');
    expect(done.gates[0]).toMatchObject({ status: 'Approved', decidedBy: 'olu.operator@example.com', comment: 'looks good' });
    expect(done.weights.find((w) => w.role === 'canary')).toMatchObject({ desired: 100, actual: 100 });
    expect(rt.demo!.proxy.weights()).toEqual({ stable: 0, canary: 100 });
    expect(done.actions.map((a) => a.verb)).toEqual(['start', 'approve']);

    // The rollout's last events are published just after its final state is saved: wait for them
    // to be on the bus and through it (not only for the bus to be idle at one instant).
    await vi.waitFor(
      async () => {
        await rt.idle();
        const inventory = (await call<Inventory>('GET', '/api/inventory')).body;
        expect(inventory.cells.find((c) => c.service === DEMO_SERVICE && c.environment === DEMO_ENVIRONMENT)).toMatchObject({
          artifactId: preset.spec.toVersion,
          lastEventType: 'dev.cdevents.service.upgraded.0.3.0',
        });
      },
      { timeout: 30_000, interval: 200 },
    );
    const events = (await call<Page<EventSummary>>('GET', '/api/events?limit=200')).body.items.map((e) => e.type);
    for (const type of [
      'dev.cdevents.pipelinerun.queued.0.3.0',
      'dev.cdevents.pipelinerun.started.0.3.0',
      'dev.cdevents.taskrun.started.0.3.0',
      'dev.cdevents.taskrun.finished.0.3.0',
      'dev.cdevents.pipelinerun.finished.0.3.0',
    ]) {
      expect(events, type).toContain(type);
    }
    expect(events.some((t) => t.startsWith('dev.cdeventsx.signalbox-rollout.'))).toBe(true);

    const list = (await call<Page<RolloutSummary>>('GET', `/api/rollouts?status=finished&service=${DEMO_SERVICE}`)).body;
    expect(list.items.map((r) => r.id)).toContain(id);
  });

  it('rolls a bad canary back when the analysis sees its real errors', async () => {
    const preset = (await presets()).find((p) => p.name === 'demo-canary-bad')!;
    expect(preset.spec.toVersion).toBe(demoArtifact(BAD_VERSION));
    const started = await call<RolloutDetail>('POST', '/api/rollouts', quick(preset.spec));
    const done = await until(started.body.id, (r) => FINAL.includes(r.phase), 'the end');
    expect(done.phase).toBe('RolledBack');
    expect(done.message).toMatch(/error-rate/);
    const measured = done.analysisRuns.flatMap((a) => a.metrics).find((m) => m.name === 'error-rate')!;
    expect(measured.phase).toBe('Failed');
    expect(measured.measurements.at(-1)!.value!).toBeGreaterThan(0.05);
    // Traffic on exactly one version, the stable one.
    expect(rt.demo!.proxy.weights().canary).toBe(0);
    await vi.waitFor(
      async () => {
        await rt.idle();
        const events = (await call<Page<EventSummary>>('GET', '/api/events?limit=200')).body.items.map((e) => e.type);
        expect(events).toContain('dev.cdevents.service.rolledback.0.3.0');
        expect(events).toContain('dev.cdevents.incident.detected.0.3.0');
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it('aborts at the gate: traffic goes back and the rollout ends Aborted; retry starts it again', async () => {
    const preset = (await presets()).find((p) => p.name === 'demo-canary-good')!;
    const started = await call<RolloutDetail>('POST', '/api/rollouts', quick(preset.spec));
    const id = started.body.id;
    await until(id, (r) => r.gates.some((g) => g.status === 'Waiting'), 'the gate');
    const aborted = await call<RolloutDetail>('POST', `/api/rollouts/${id}/abort`, { comment: 'not today' });
    expect(aborted.status).toBe(200);
    const done = await until(id, (r) => FINAL.includes(r.phase), 'the end');
    expect(done.phase).toBe('Aborted');
    expect(rt.demo!.proxy.weights().canary).toBe(0);
    const retried = await call<RolloutDetail>('POST', `/api/rollouts/${id}/retry`);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ retryOf: id, spec: { toVersion: preset.spec.toVersion } });
    await call('POST', `/api/rollouts/${retried.body.id}/abort`);
    await until(retried.body.id, (r) => FINAL.includes(r.phase), 'the end of the retry');
  });
});
