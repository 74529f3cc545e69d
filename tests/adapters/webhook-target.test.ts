import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  verifyWebhookSignature,
  WebhookTarget,
  type WebhookPayload,
  type WebhookTargetSpec,
} from '../../functions/src/adapters/http/webhook-target';
import { DependencyError } from '../../functions/src/core/errors';
import type { TargetContext } from '../../functions/src/core/ports/traffic-target';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  payload: WebhookPayload;
}

type Answer = { status: number; body?: unknown } | 'hang';

/** A real owner endpoint on loopback: answers from a script (the last answer repeats) and records every call. */
async function ownerEndpoint(script: Answer[]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body, payload: JSON.parse(body) as WebhookPayload });
      const answer = script[Math.min(received.length - 1, script.length - 1)]!;
      if (answer === 'hang') return; // never answers: the caller's timeout must fire
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  opened.push(server);
  return { url: `http://127.0.0.1:${port}/hooks/signalbox`, received };
}

const opened: Server[] = [];
afterEach(async () => {
  for (const server of opened.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ctx: TargetContext = {
  rolloutId: 'ro-123',
  service: 'payments',
  environment: 'production',
  phase: 'Progressing',
  step: 2,
  stable: { artifactId: 'pkg:oci/payments@sha256:aa?tag=1.4.0', version: '1.4.0' },
  canary: { artifactId: 'pkg:oci/payments@sha256:bb?tag=1.5.0', version: '1.5.0' },
  metadata: { team: 'payments' },
  weights: { stable: 80, canary: 20 },
};

const SECRET = 'owner-shared-secret';
const secrets = { 'payments-hook': SECRET };
const resolveSecret = async (name: string) => {
  const value = secrets[name as keyof typeof secrets];
  if (!value) throw new Error(`no secret ${name}`);
  return value;
};

function target(url: string, extra: Partial<WebhookTargetSpec> = {}) {
  return new WebhookTarget({ type: 'webhook', url, ...extra }, { resolveSecret, backoffMs: 5 });
}

describe('WebhookTarget', () => {
  it('posts the set-weight payload and returns the split the endpoint reports', async () => {
    const owner = await ownerEndpoint([{ status: 200, body: { weights: { stable: 75, canary: 25 } } }]);
    const split = await target(owner.url, { metadata: { region: 'eu-west-1' } }).setWeight(ctx, 30);

    expect(split).toEqual({ stable: 75, canary: 25 });
    expect(owner.received).toHaveLength(1);
    const { payload, headers } = owner.received[0]!;
    expect(payload).toEqual({
      type: 'set-weight',
      rollout: 'ro-123',
      environment: 'production',
      service: 'payments',
      phase: 'Progressing',
      step: 2,
      weights: { stable: 70, canary: 30 },
      metadata: { region: 'eu-west-1', team: 'payments' },
      versions: { stable: ctx.stable, canary: ctx.canary },
    });
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-signalbox-signature']).toBeUndefined();
    expect(headers['x-signalbox-delivery']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('assumes the requested split when the endpoint answers 2xx without weights', async () => {
    const owner = await ownerEndpoint([{ status: 204 }]);
    expect(await target(owner.url).setWeight(ctx, 40)).toEqual({ stable: 60, canary: 40 });
  });

  it('sends get-weight, deploy-preview and scale-down with their types', async () => {
    const owner = await ownerEndpoint([{ status: 200, body: { weights: { stable: 90, canary: 10 } } }]);
    const t = target(owner.url);
    expect(await t.getWeight(ctx)).toEqual({ stable: 90, canary: 10 });
    await t.deployPreview(ctx);
    await t.scaleDown(ctx, 'stable');
    expect(owner.received.map((r) => r.payload.type)).toEqual(['get-weight', 'deploy-preview', 'scale-down']);
    expect(owner.received[2]!.payload.which).toBe('stable');
    expect(owner.received[0]!.payload.weights).toEqual({ stable: 80, canary: 20 });
  });

  it('fails get-weight when the answer carries no weights', async () => {
    const owner = await ownerEndpoint([{ status: 200, body: { ok: true } }]);
    await expect(target(owner.url).getWeight(ctx)).rejects.toMatchObject({ name: 'DependencyError', code: 'TARGET_UNAVAILABLE' });
  });

  it('signs the body with the named secret so the owner can verify it', async () => {
    const owner = await ownerEndpoint([{ status: 200 }]);
    await target(owner.url, { secretName: 'payments-hook' }).hook(ctx, 'pre-rollout');

    const { headers, body, payload } = owner.received[0]!;
    const timestamp = headers['x-signalbox-timestamp'] as string;
    const signature = headers['x-signalbox-signature'] as string;
    expect(payload.type).toBe('pre-rollout');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, timestamp, body, signature)).toBe(true);
    expect(verifyWebhookSignature('another-secret', timestamp, body, signature)).toBe(false);
    expect(verifyWebhookSignature(SECRET, timestamp, body.replace('payments', 'payment$'), signature)).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(Number(timestamp) + 1), body, signature)).toBe(false);
    expect(verifyWebhookSignature(SECRET, timestamp, body, signature, { toleranceSeconds: 300, nowSeconds: Number(timestamp) + 301 })).toBe(
      false,
    );
    expect(verifyWebhookSignature(SECRET, timestamp, body, undefined)).toBe(false);
    expect(body).not.toContain(SECRET);
  });

  it('retries a 503 and succeeds, keeping one delivery id', async () => {
    const owner = await ownerEndpoint([{ status: 503 }, { status: 503 }, { status: 200, body: { weights: { stable: 50, canary: 50 } } }]);
    expect(await target(owner.url, { retries: 2 }).setWeight(ctx, 50)).toEqual({ stable: 50, canary: 50 });
    expect(owner.received).toHaveLength(3);
    expect(new Set(owner.received.map((r) => r.headers['x-signalbox-delivery'])).size).toBe(1);
  });

  it('retries 429 too and throws TARGET_UNAVAILABLE once retries are spent', async () => {
    const owner = await ownerEndpoint([{ status: 429 }]);
    const error = await target(owner.url, { retries: 1 })
      .setWeight(ctx, 10)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: 'TARGET_UNAVAILABLE', field: 'target.url' });
    expect(owner.received).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    const owner = await ownerEndpoint([{ status: 400, body: { error: 'unknown service' } }, { status: 200 }]);
    const error = await target(owner.url, { retries: 3 })
      .setWeight(ctx, 10)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DependencyError', code: 'TARGET_UNAVAILABLE' });
    expect((error as Error).message).toContain('HTTP 400');
    expect((error as Error).message).toContain('unknown service');
    expect(owner.received).toHaveLength(1);
  });

  it('times out a request that never answers, and retries it', async () => {
    const owner = await ownerEndpoint(['hang']);
    const error = await target(owner.url, { timeoutSeconds: 0.2, retries: 1 })
      .deployPreview(ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ code: 'TARGET_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/unreachable for deploy-preview after 2 attempt/);
    expect(owner.received).toHaveLength(2);
  });

  it('answers proceed:false for a hook that refuses, without throwing', async () => {
    const owner = await ownerEndpoint([{ status: 403, body: 'not during the freeze' }]);
    const result = await target(owner.url).hook(ctx, 'confirm-promotion');
    expect(result.proceed).toBe(false);
    expect(result.message).toContain('HTTP 403');
    expect(result.message).toContain('not during the freeze');
    expect(owner.received).toHaveLength(1);
  });

  it('answers proceed:true for a 2xx hook and sends the current weights', async () => {
    const owner = await ownerEndpoint([{ status: 202 }]);
    expect(await target(owner.url).hook(ctx, 'confirm-traffic-increase')).toEqual({ proceed: true });
    expect(owner.received[0]!.payload).toMatchObject({ type: 'confirm-traffic-increase', weights: { stable: 80, canary: 20 } });
  });

  it('throws TARGET_UNAVAILABLE when nothing listens', async () => {
    const owner = await ownerEndpoint([{ status: 200 }]);
    const url = owner.url;
    for (const server of opened.splice(0)) await new Promise((resolve) => server.close(resolve));
    await expect(target(url, { retries: 1 }).hook(ctx, 'rollback')).rejects.toMatchObject({ code: 'TARGET_UNAVAILABLE' });
  });

  it('refuses to sign with a secret it cannot resolve', async () => {
    const owner = await ownerEndpoint([{ status: 200 }]);
    await expect(target(owner.url, { secretName: 'missing' }).setWeight(ctx, 10)).rejects.toMatchObject({
      code: 'TARGET_UNAVAILABLE',
      field: 'target.secretName',
    });
    expect(owner.received).toHaveLength(0);
  });
});
