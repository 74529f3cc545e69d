'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import {
  createToken,
  getAudit,
  getSettings,
  getTokens,
  getUsers,
  putSetting,
  revokeToken,
  SETTING_KINDS,
  verificationText,
  verifyAudit,
  when,
  type AuditFilters,
  type AuditVerification,
  type Setting,
} from '@/lib/admin';
import { ApiError } from '@/lib/api';
import { useSession } from '@/lib/auth';
import { useLive } from '@/lib/live';
import { useResource } from '@/lib/use-resource';
import { EmptyState, ErrorState, ResourceView, TableSkeleton } from './states';

const TABS = [
  { id: 'settings', label: 'Settings' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'users', label: 'Users and roles' },
  { id: 'audit', label: 'Audit log' },
] as const;
type Tab = (typeof TABS)[number]['id'];

function asError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError('client_error', null, (error as Error)?.message ?? String(error), 0);
}

function When({ iso }: { iso: string | null }) {
  const w = when(iso);
  return <time title={w.title}>{w.text}</time>;
}

/** `/admin/?tab=settings|tokens|users|audit`: what an admin manages. */
export function AdminPage() {
  const params = useSearchParams();
  const tab: Tab = (TABS.find((t) => t.id === params.get('tab'))?.id ?? 'settings') as Tab;
  const { user, can } = useSession();
  return (
    <>
      <div className="page-head">
        <h1>Admin</h1>
        <p className="page-head__lede">Settings, producer and agent tokens, users and the tamper-evident audit log.</p>
      </div>
      {user && !can('settings:write') ? (
        <p className="state state--error" role="note">
          You are signed in as {user.name} ({user.role}): only admins may change settings or see tokens, users and the audit log.
        </p>
      ) : null}
      <nav aria-label="Admin sections" className="admin-tabs" role="tablist">
        {TABS.map((t) => (
          <Link key={t.id} href={`/admin/?tab=${t.id}`} role="tab" aria-selected={t.id === tab} className={t.id === tab ? 'admin-tab admin-tab--active' : 'admin-tab'}>
            {t.label}
          </Link>
        ))}
      </nav>
      <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label} data-testid={`admin-${tab}`}>
        {tab === 'settings' ? <SettingsTab /> : tab === 'tokens' ? <TokensTab /> : tab === 'users' ? <UsersTab /> : <AuditTab />}
      </div>
    </>
  );
}

// ---- settings ---------------------------------------------------------------------------------

function SettingsTab() {
  const list = useResource('admin:settings', (signal) => getSettings(signal));
  // Another admin's change (or ours) arrives on the live `settings` topic: reload.
  useLive(['settings'], () => list.reload());
  return (
    <ResourceView resource={list} loading={<TableSkeleton rows={8} columns={5} label="Loading settings" />} failed="Could not load the settings">
      {(data) => (
        <>
          {SETTING_KINDS.map((kind) => {
            const items = data.items.filter((i) => i.kind === kind);
            return (
              <section key={kind} className="section" aria-labelledby={`settings-${kind}`}>
                <h2 id={`settings-${kind}`}>{kind === 'environment' ? 'Environments' : kind === 'service' ? 'Services' : 'Providers'}</h2>
                {kind === 'environment' ? <p className="muted">From the YAML config in Git; a disabled environment&apos;s checks are skipped.</p> : null}
                {items.length === 0 ? (
                  <p className="muted">None yet.</p>
                ) : (
                  <table className="table admin-settings">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Enabled</th>
                        <th scope="col">Settings</th>
                        <th scope="col">Changed</th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((item) => (
                        <SettingRow key={`${item.kind}/${item.name}`} item={item} onSaved={list.reload} />
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
            );
          })}
        </>
      )}
    </ResourceView>
  );
}

function SettingRow({ item, onSaved }: { item: Setting; onSaved: () => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = `${item.kind}-${item.name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const mayWrite = useSession().can('settings:write');

  const save = async (body: { enabled?: boolean; settings?: unknown }) => {
    setBusy(true);
    setError(null);
    try {
      await putSetting(item.kind, item.name, { revision: item.revision, ...body });
      setEditing(false);
      onSaved();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      setError(new ApiError('invalid_json', 'settings', 'not valid JSON', 0));
      return;
    }
    void save({ settings: parsed });
  };

  return (
    <tr data-setting={`${item.kind}/${item.name}`} data-enabled={String(item.enabled)}>
      <th scope="row">
        {item.name}
        {item.origin === 'stored' ? <span className="muted"> (not in config or events)</span> : null}
        {item.details ? (
          <div className="muted">
            {[item.details.provider, item.details.kind, item.details.tier].filter((v) => typeof v === 'string').join(' · ')}
          </div>
        ) : null}
      </th>
      <td>
        <label className="admin-toggle">
          <input type="checkbox" checked={item.enabled} disabled={busy || !mayWrite} onChange={(e) => void save({ enabled: e.target.checked })} aria-label={`${item.name} enabled`} />
          {item.enabled ? 'enabled' : 'disabled'}
        </label>
        {item.configEnabled === false && item.revision === 0 ? <span className="muted"> (disabled in YAML)</span> : null}
      </td>
      <td>
        {editing ? (
          <form onSubmit={submit} className="admin-json">
            <label htmlFor={`json-${id}`} className="visually-hidden">
              Settings of {item.name} (JSON)
            </label>
            <textarea id={`json-${id}`} value={text} onChange={(e) => setText(e.target.value)} rows={6} spellCheck={false} aria-invalid={error ? true : undefined} aria-describedby={error ? `err-${id}` : undefined} />
            <div className="admin-json__actions">
              <button className="button" type="submit" disabled={busy}>
                Save
              </button>
              <button className="button" type="button" onClick={() => (setEditing(false), setError(null))}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <>
            <code className="admin-json__preview">{Object.keys(item.settings).length ? JSON.stringify(item.settings) : '{}'}</code>{' '}
            {mayWrite ? (
              <button
                className="button"
                type="button"
                onClick={() => {
                  setText(JSON.stringify(item.settings, null, 2));
                  setEditing(true);
                  setError(null);
                }}
              >
                Edit
              </button>
            ) : null}
          </>
        )}
        {error ? (
          <p className="field__error" role="alert" id={`err-${id}`} data-testid="setting-error">
            {error.field ? <code>{error.field}</code> : null} {error.status === 409 ? 'Someone changed this meanwhile; reload and try again.' : error.message}
          </p>
        ) : null}
      </td>
      <td>
        {item.updatedBy ? (
          <>
            {item.updatedBy}, <When iso={item.updatedAt} /> (rev. {item.revision})
          </>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
    </tr>
  );
}

// ---- tokens -----------------------------------------------------------------------------------

function TokensTab() {
  const list = useResource('admin:tokens', (signal) => getTokens(signal));
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'producer' | 'agent'>('producer');
  const [agent, setAgent] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const out = await createToken({ name, kind, ...(kind === 'agent' && agent ? { agent } : {}) });
      setCreated({ name: out.token.name, secret: out.secret });
      setName('');
      list.reload();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string, tokenName: string) => {
    if (!window.confirm(`Revoke ${tokenName}? Producers using it are refused at once.`)) return;
    try {
      await revokeToken(id);
      list.reload();
    } catch (e) {
      setError(asError(e));
    }
  };

  return (
    <>
      <section className="section" aria-labelledby="new-token">
        <h2 id="new-token">New token</h2>
        <form onSubmit={create} className="admin-form">
          <label>
            Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} aria-invalid={error?.field === 'name' ? true : undefined} />
          </label>
          <label>
            Kind{' '}
            <select value={kind} onChange={(e) => setKind(e.target.value as 'producer' | 'agent')}>
              <option value="producer">producer (POST /api/events)</option>
              <option value="agent">agent (POST /api/observations)</option>
            </select>
          </label>
          {kind === 'agent' ? (
            <label>
              Agent <input value={agent} onChange={(e) => setAgent(e.target.value)} placeholder="agent name" />
            </label>
          ) : null}
          <button className="button button--primary" type="submit" disabled={busy}>
            Create
          </button>
        </form>
        {error ? (
          <p className="field__error" role="alert">
            {error.field ? <code>{error.field}</code> : null} {error.message}
          </p>
        ) : null}
        {created ? (
          <div className="admin-secret" role="status" data-testid="token-secret">
            <p>
              Token <strong>{created.name}</strong> created. Copy the secret now: it is shown only once and stored hashed.
            </p>
            <code>{created.secret}</code>{' '}
            <button className="button" type="button" onClick={() => void navigator.clipboard?.writeText(created.secret)}>
              Copy
            </button>{' '}
            <button className="button" type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        ) : null}
      </section>
      <section className="section" aria-labelledby="tokens-list">
        <h2 id="tokens-list">Tokens</h2>
        {list.status === 'loading' ? (
          <TableSkeleton rows={4} columns={6} label="Loading tokens" />
        ) : list.status === 'error' && !list.data ? (
          <ErrorState error={list.error} onRetry={list.reload} title="Could not load the tokens" />
        ) : list.data!.items.length === 0 ? (
          <EmptyState title="No tokens" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data!.items.map((t) => (
                <tr key={t.id} data-token={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>
                    {t.kind}
                    {t.agent ? ` (${t.agent})` : ''}
                  </td>
                  <td>
                    {t.createdBy}, <When iso={t.createdAt} />
                  </td>
                  <td>
                    <When iso={t.lastUsedAt} />
                  </td>
                  <td>{t.revokedAt ? <>revoked <When iso={t.revokedAt} /></> : 'active'}</td>
                  <td>
                    {t.revokedAt ? null : (
                      <button className="button" type="button" onClick={() => void revoke(t.id, t.name)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

// ---- users ------------------------------------------------------------------------------------

function UsersTab() {
  const list = useResource('admin:users', (signal) => getUsers(signal));
  if (list.status === 'loading') return <TableSkeleton rows={3} columns={4} label="Loading users" />;
  if (list.status === 'error' && !list.data) return <ErrorState error={list.error} onRetry={list.reload} title="Could not read the users" />;
  const data = list.data!;
  return (
    <section className="section" aria-labelledby="users-heading">
      <h2 id="users-heading">Users and roles</h2>
      <p className="muted">
        Read from {data.source === 'cognito' ? 'the Cognito user pool (groups viewer, operator, admin)' : 'the local issuer (demo users)'}; roles are managed there.
      </p>
      {data.items.length === 0 ? (
        <EmptyState title="No users in a role group" />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Groups</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((u) => (
              <tr key={u.username} data-user={u.username}>
                <th scope="row">{u.email ?? u.username}</th>
                <td data-role={u.role}>{u.role}</td>
                <td>{u.groups.join(', ')}</td>
                <td>
                  {u.enabled ? 'enabled' : 'disabled'}
                  {u.status ? ` (${u.status})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// ---- audit ------------------------------------------------------------------------------------

const FILTER_KEYS = ['actor', 'action', 'resource', 'outcome', 'from', 'to'] as const;
const PAGE = 50;

function AuditTab() {
  const params = useSearchParams();
  const router = useRouter();
  const filters: AuditFilters = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) filters[k] = v;
  }
  const cursor = params.get('cursor') ?? undefined;
  const key = `admin:audit:${params.toString()}`;
  const page = useResource(key, (signal) => getAudit({ ...filters, cursor }, PAGE, signal));
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifyError, setVerifyError] = useState<ApiError | null>(null);
  const [verifying, setVerifying] = useState(false);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const search = new URLSearchParams({ tab: 'audit' });
    for (const k of FILTER_KEYS) {
      const v = String(form.get(k) ?? '').trim();
      if (v) search.set(k, v);
    }
    router.push(`/admin/?${search.toString()}`);
  };
  const verify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerification(await verifyAudit());
    } catch (e) {
      setVerifyError(asError(e));
    } finally {
      setVerifying(false);
    }
  };
  const olderHref = (next: string) => {
    const search = new URLSearchParams(params.toString());
    search.set('tab', 'audit');
    search.set('cursor', next);
    return `/admin/?${search.toString()}`;
  };

  return (
    <>
      <section className="section" aria-labelledby="audit-verify">
        <h2 id="audit-verify">Chain</h2>
        <p className="muted">Each entry carries the SHA-256 of its content and of the entry before it: an edited, deleted or reordered entry breaks the chain.</p>
        <button className="button" type="button" onClick={() => void verify()} disabled={verifying} data-testid="verify-chain">
          {verifying ? 'Verifying…' : 'Verify chain'}
        </button>{' '}
        {verification ? (
          <span role="status" data-testid="verify-result" data-ok={String(verification.ok)} className={verification.ok ? 'admin-verify admin-verify--ok' : 'admin-verify admin-verify--bad'}>
            {verificationText(verification)}
          </span>
        ) : null}
        {verifyError ? (
          <span role="alert" className="field__error">
            {verifyError.message}
          </span>
        ) : null}
      </section>
      <section className="section" aria-labelledby="audit-entries">
        <h2 id="audit-entries">Entries</h2>
        <form onSubmit={apply} className="admin-form" key={params.toString()}>
          <label>
            Actor <input name="actor" defaultValue={filters.actor ?? ''} />
          </label>
          <label>
            Action <input name="action" defaultValue={filters.action ?? ''} placeholder="settings:write" />
          </label>
          <label>
            Resource <input name="resource" defaultValue={filters.resource ?? ''} placeholder="setting/" />
          </label>
          <label>
            Outcome{' '}
            <select name="outcome" defaultValue={filters.outcome ?? ''}>
              <option value="">any</option>
              <option value="success">success</option>
              <option value="failure">failure</option>
            </select>
          </label>
          <label>
            From <input name="from" type="date" defaultValue={filters.from ?? ''} />
          </label>
          <label>
            To <input name="to" type="date" defaultValue={filters.to ?? ''} />
          </label>
          <button className="button" type="submit">Apply</button> <Link href="/admin/?tab=audit">Clear</Link>
        </form>
        {page.status === 'loading' ? (
          <TableSkeleton rows={8} columns={6} label="Loading the audit log" />
        ) : page.status === 'error' && !page.data ? (
          <ErrorState error={page.error} onRetry={page.reload} title={page.error.field ? `Could not load the audit log (${page.error.field})` : 'Could not load the audit log'} />
        ) : page.data!.items.length === 0 ? (
          <EmptyState title="No entries">{page.data!.next ? <Link href={olderHref(page.data!.next)}>Look further back</Link> : null}</EmptyState>
        ) : (
          <>
            <table className="table admin-audit" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Parameters</th>
                </tr>
              </thead>
              <tbody>
                {page.data!.items.map((e) => (
                  <tr key={e.seq} data-seq={e.seq} data-action={e.action} data-outcome={e.outcome.status}>
                    <td>{e.seq}</td>
                    <td>
                      <When iso={e.at} />
                    </td>
                    <td>
                      {e.actor.name}
                      <span className="muted">
                        {' '}
                        {e.actor.role ?? e.actor.kind}
                        {e.sourceIp ? ` · ${e.sourceIp}` : ''}
                      </span>
                    </td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      <code>{e.resource}</code>
                    </td>
                    <td className={e.outcome.status >= 400 ? 'admin-outcome--bad' : 'admin-outcome--ok'}>
                      {e.outcome.status}
                      {e.outcome.error ? ` ${e.outcome.error}` : ''}
                    </td>
                    <td>
                      <details>
                        <summary>show</summary>
                        <pre className="admin-json__preview">{JSON.stringify(e.parameters, null, 2)}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              {cursor ? <Link href={`/admin/?${new URLSearchParams({ tab: 'audit', ...filters }).toString()}`}>Newest</Link> : null}{' '}
              {page.data!.next ? <Link href={olderHref(page.data!.next)}>Older entries</Link> : null}
            </p>
          </>
        )}
      </section>
    </>
  );
}
