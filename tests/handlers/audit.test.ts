import { DeleteItemCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/src/handlers/http/openapi';
import { auditSortKey } from '../../functions/src/adapters/aws/dynamo-audit-store';
import type { AuditEntry, AuditVerification } from '../../functions/src/core/audit';
import { DEMO_CONFIG_DIR, TABLE_NAME, type LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../helpers/runtime';
import { authHeaders, userNameFor } from '../helpers/auth';
import { serviceEvent } from '../helpers/fixtures';

let rt: LocalRuntime;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  rt = await startTestRuntime('sbx-audit-', {
    rateLimits: false,
    demo: { ratePerSecond: 0 },
    monitoring: { configDir: DEMO_CONFIG_DIR, evmNode: false, loopMs: 0, alertInbox: false, ccipLane: false },
  });
  dynamo = new DynamoDBClient({ endpoint: rt.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 60_000);

afterAll(async () => {
  dynamo?.destroy();
  await rt?.stop();
});

type Role = 'viewer' | 'operator' | 'admin';

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>>; components: unknown };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'signalbox', components: doc.components });

/** The answer matches the OpenAPI document's schema for this path, method and status. */
function documented(path: string, method: string, res: { status: number; body: unknown }): void {
  const schema = doc.paths[path]?.[method]?.responses[String(res.status)]?.content?.['application/json']?.schema;
  expect(schema, `${method} ${path} ${res.status} is documented`).toBeDefined();
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"signalbox#/components/')));
  expect(validate(res.body) ? [] : validate.errors, `${method} ${path} ${res.status}`).toEqual([]);
}

async function call(role: Role | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const headers = role ? authHeaders(rt, role) : { 'content-type': 'application/json' };
  const res = await fetch(`${rt.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function auditPage(query = ''): Promise<{ items: AuditEntry[]; next: string | null }> {
  const res = await call('admin', 'GET', `/api/audit${query}`);
  expect(res.status).toBe(200);
  documented('/api/audit', 'get', res);
  return res.body;
}

async function verify(): Promise<AuditVerification> {
  const res = await call('admin', 'GET', '/api/audit/verify');
  expect(res.status).toBe(200);
  documented('/api/audit/verify', 'get', res);
  return res.body;
}

describe('the audit log over the local runtime', () => {
  let tokenSecret = '';
  let settingSeq = 0;

  it('records admin and operator actions with who, role, IP, action, resource, parameters and outcome', async () => {
    const put = await call('admin', 'PUT', '/api/admin/settings/service/checkout', {
      revision: 0,
      enabled: true,
      settings: { owner: 'team-pay', tier: 'critical', runbookUrl: 'https://runbooks.example/checkout', tags: ['pci'] },
    });
    expect(put.status).toBe(200);
    documented('/api/admin/settings/{kind}/{name}', 'put', put);
    expect(put.body).toMatchObject({ kind: 'service', name: 'checkout', revision: 1, updatedBy: userNameFor(rt, 'admin') });

    const silence = await call('operator', 'POST', '/api/silences', {
      matchers: [{ name: 'alertname', op: '=', value: 'disk' }],
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      comment: 'maintenance',
    });
    expect(silence.status).toBe(201);

    const token = await call('admin', 'POST', '/api/admin/tokens', { name: 'ci-pipeline', kind: 'producer' });
    expect(token.status).toBe(201);
    tokenSecret = JSON.stringify(token.body).match(/"(?:secret|token)":"([^"]{16,})"/)?.[1] ?? '';

    const { items } = await auditPage();
    const [tokenEntry, silenceEntry, settingEntry] = items;
    expect(settingEntry).toMatchObject({
      actor: { name: userNameFor(rt, 'admin'), role: 'admin', kind: 'user' },
      sourceIp: '127.0.0.1',
      action: 'settings:write',
      resource: 'setting/service/checkout',
      parameters: { path: { kind: 'service', name: 'checkout' }, body: { revision: 0, settings: { owner: 'team-pay' } } },
      outcome: { status: 200, error: null },
    });
    settingSeq = settingEntry!.seq;
    expect(silenceEntry).toMatchObject({
      actor: { name: userNameFor(rt, 'operator'), role: 'operator' },
      action: 'silences:write',
      resource: `silence/${silence.body.id}`,
      outcome: { status: 201, error: null },
    });
    expect(tokenEntry).toMatchObject({ action: 'tokens:manage', actor: { role: 'admin' }, outcome: { status: 201 } });
    expect(tokenEntry!.resource).toMatch(/^token\/.+/);
    expect(tokenEntry!.seq).toBe(settingEntry!.seq + 2);
  });

  it('never stores a secret: the created token is not in the log and secret-named parameters are redacted', async () => {
    await call('admin', 'POST', '/api/admin/tokens', { name: 'x', kind: 'producer', token: 'my-plain-secret' });
    const text = JSON.stringify(await auditPage());
    expect(tokenSecret.length).toBeGreaterThan(0);
    expect(text).not.toContain(tokenSecret);
    expect(text).not.toContain('my-plain-secret');
    expect(text).toContain('[redacted]');
  });

  it('records refusals and failures too: 403 for a too-small role, 401 without a token, 400 naming the field, 409 on a stale revision', async () => {
    const refused = await call('operator', 'PUT', '/api/admin/settings/service/checkout', { revision: 1, enabled: false });
    expect(refused.status).toBe(403);
    const anonymous = await call(null, 'POST', '/api/silences', { matchers: [] });
    expect(anonymous.status).toBe(401);
    const invalid = await call('admin', 'PUT', '/api/admin/settings/service/checkout', { revision: 1, settings: { runbookUrl: 'ftp://nope' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.field).toBe('settings.runbookUrl');
    documented('/api/admin/settings/{kind}/{name}', 'put', invalid);
    const stale = await call('admin', 'PUT', '/api/admin/settings/service/checkout', { revision: 0, enabled: false });
    expect(stale.status).toBe(409);
    documented('/api/admin/settings/{kind}/{name}', 'put', stale);

    const { items } = await auditPage('?limit=4');
    expect(items.map((e) => [e.action, e.outcome.status, e.outcome.error, e.actor.role])).toEqual([
      ['settings:write', 409, 'conflict', 'admin'],
      ['settings:write', 400, 'invalid_setting', 'admin'],
      ['silences:write', 401, 'unauthorized', null],
      ['settings:write', 403, 'forbidden', 'operator'],
    ]);
    expect(items[3]!.actor.name).toBe(userNameFor(rt, 'operator'));
    expect(items[2]!.actor.kind).toBe('anonymous');
    // The refused change did not happen.
    expect((await call('admin', 'GET', '/api/admin/settings/service/checkout')).body).toMatchObject({ enabled: true, revision: 1 });
  });

  it('does not audit reads or ingest', async () => {
    const before = (await auditPage('?limit=1')).items[0]!.seq;
    await call('viewer', 'GET', '/api/inventory');
    const ingest = await fetch(`${rt.url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' }, body: JSON.stringify(serviceEvent({ service: 'audited-not', id: 'a-1' })) });
    expect(ingest.status).toBe(202);
    expect((await auditPage('?limit=1')).items[0]!.seq).toBe(before);
  });

  it('filters and pages through GET /api/audit, for admins only', async () => {
    expect((await call('viewer', 'GET', '/api/audit')).status).toBe(403);
    expect((await call('operator', 'GET', '/api/audit/verify')).status).toBe(403);
    const failures = await auditPage('?outcome=failure&action=settings:write');
    expect(failures.items.map((e) => e.outcome.status)).toEqual([409, 400, 403]);
    const byOperator = await auditPage(`?actor=${encodeURIComponent(userNameFor(rt, 'operator'))}`);
    expect(byOperator.items.map((e) => e.action)).toEqual(['settings:write', 'silences:write']);
    expect((await auditPage('?resource=setting/service/')).items).toHaveLength(4);
    const first = await auditPage('?limit=2');
    const second = await auditPage(`?limit=2&cursor=${encodeURIComponent(first.next!)}`);
    expect(second.items[0]!.seq).toBe(first.items[1]!.seq - 1);
    expect((await call('admin', 'GET', '/api/audit?outcome=maybe')).body.error.field).toBe('outcome');
  });

  it('verifies the chain, then fails at an entry edited behind the API, then with a gap when one is deleted', async () => {
    const ok = await verify();
    expect(ok).toMatchObject({ ok: true });
    expect(ok.checked).toBe(8);

    const key = { pk: { S: 'AUDIT' }, sk: { S: auditSortKey(settingSeq) } };
    const original = (await dynamo.send(new GetItemCommand({ TableName: TABLE_NAME, Key: key }))).Item!.doc!.S!;
    expect(original).toContain('"team-pay"');
    // Someone with table access rewrites history: the owner was someone else.
    await dynamo.send(
      new UpdateItemCommand({
        TableName: TABLE_NAME,
        Key: key,
        UpdateExpression: 'SET #doc = :doc',
        ExpressionAttributeNames: { '#doc': 'doc' },
        ExpressionAttributeValues: { ':doc': { S: original.replace('"team-pay"', '"team-mallory"') } },
      }),
    );
    expect(await verify()).toMatchObject({ ok: false, checked: settingSeq - 1, firstBad: { seq: settingSeq, reason: 'hash' } });

    // Put it back: the chain is whole again.
    await dynamo.send(
      new UpdateItemCommand({ TableName: TABLE_NAME, Key: key, UpdateExpression: 'SET #doc = :doc', ExpressionAttributeNames: { '#doc': 'doc' }, ExpressionAttributeValues: { ':doc': { S: original } } }),
    );
    expect(await verify()).toMatchObject({ ok: true });

    await dynamo.send(new DeleteItemCommand({ TableName: TABLE_NAME, Key: { pk: { S: 'AUDIT' }, sk: { S: auditSortKey(settingSeq + 1) } } }));
    expect(await verify()).toMatchObject({ ok: false, firstBad: { seq: settingSeq + 1, reason: 'gap' } });
  });
});

describe('local-only demo endpoints', () => {
  it('audits POST /local/demo/services/{version}/stop and /start with the caller and outcome', async () => {
    const version = rt.demo!.services[0]!.version;
    const stop = await fetch(`${rt.url}/local/demo/services/${version}/stop`, { method: 'POST', headers: authHeaders(rt, 'operator') });
    expect(stop.status).toBe(200);
    const missing = await fetch(`${rt.url}/local/demo/services/nope/start`, { method: 'POST' });
    expect(missing.status).toBe(404);
    await rt.demo!.services[0]!.restart();
    const { items } = await auditPage('?action=local:demo');
    expect(items.map((e) => [e.resource, e.actor.name, e.outcome.status, e.parameters])).toEqual([
      ['demo-service/nope', 'anonymous', 404, { verb: 'start' }],
      [`demo-service/${version}`, userNameFor(rt, 'operator'), 200, { verb: 'stop' }],
    ]);
    // Chained like every other entry.
    expect(items[0]!.prevHash).toBe(items[1]!.hash);
  });
});

describe('admin settings over the local runtime', () => {
  it('lists environments from the YAML config, providers and services with the schema of each kind', async () => {
    const res = await call('viewer', 'GET', '/api/admin/settings');
    expect(res.status).toBe(200);
    documented('/api/admin/settings', 'get', res);
    documented('/api/admin/settings/{kind}/{name}', 'get', await call('viewer', 'GET', '/api/admin/settings/environment/local-demo'));
    documented('/api/admin/settings/{kind}/{name}', 'get', await call('viewer', 'GET', '/api/admin/settings/environment/nowhere'));
    const keys = (res.body.items as { kind: string; name: string; origin: string }[]).map((i) => `${i.kind}/${i.name}:${i.origin}`);
    expect(keys).toContain('environment/local-demo:config');
    expect(keys).toContain('provider/azure:builtin');
    expect(keys).toContain('service/checkout:stored');
    expect(Object.keys(res.body.schemas).sort()).toEqual(['environment', 'provider', 'service']);
    expect((await call('admin', 'GET', '/api/admin/settings/environment/nowhere')).status).toBe(404);
    expect((await call('admin', 'PUT', '/api/admin/settings/environment/nowhere', { revision: 0, enabled: false })).status).toBe(404);
    expect((await call('admin', 'PUT', '/api/admin/settings/widget/x', { revision: 0, enabled: false })).status).toBe(404);
  });

  it('skips the checks of an environment the admin disables, and runs them again when enabled', async () => {
    const before = await rt.monitor.runNow();
    expect(before.ran.map((r) => r.checkId)).toContain('demo-api-health');
    const off = await call('admin', 'PUT', '/api/admin/settings/environment/local-demo', { revision: 0, enabled: false, settings: { notes: 'demo host patched', maintenanceWindow: { days: ['sat'], start: '02:00', durationMinutes: 60 } } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, configEnabled: true, revision: 1 });
    const during = await rt.monitor.runNow();
    expect(during.ran.map((r) => r.checkId)).not.toContain('demo-api-health');
    expect(during.skipped).toContain('demo-api-health');
    expect((await call('admin', 'PUT', '/api/admin/settings/environment/local-demo', { revision: 1, enabled: true })).status).toBe(200);
    expect((await rt.monitor.runNow()).ran.map((r) => r.checkId)).toContain('demo-api-health');
  });

  it('puts each change on the bus as a CDEvent in the timeline', async () => {
    await rt.idle();
    const res = await call('viewer', 'GET', '/api/events?type=dev.cdeventsx.signalbox-setting.');
    expect(res.status).toBe(200);
    expect((res.body.items as { subjectId: string }[]).map((e) => e.subjectId)).toEqual(expect.arrayContaining(['service/checkout', 'environment/local-demo']));
  });

  it('lists the users of the identity provider (locally the demo users), for admins', async () => {
    expect((await call('operator', 'GET', '/api/admin/users')).status).toBe(403);
    const res = await call('admin', 'GET', '/api/admin/users');
    expect(res.status).toBe(200);
    documented('/api/admin/users', 'get', res);
    expect(res.body.source).toBe('local');
    expect((res.body.items as { role: string }[]).map((u) => u.role).sort()).toEqual(['admin', 'operator', 'viewer']);
  });
});
