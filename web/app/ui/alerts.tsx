'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import type { ApiError } from '@/lib/api';
import { absoluteTime, relativeTime } from '@/lib/format';
import { notAllowedTitle, useSession } from '@/lib/auth';
import {
  ackAlert,
  ALERT_STATE_NAMES,
  createSilence,
  deleteSilence,
  expireSilence,
  listAlerts,
  listSilences,
  MATCHER_OPS,
  matchersFor,
  matcherText,
  monitoringHrefs,
  SILENCE_DURATIONS,
  type AlertView,
  type Matcher,
  type MatcherOp,
  type SilenceView,
} from '@/lib/monitoring';
import { ActorField } from './rollout-bits';
import { LiveIndicator, StatusBadge, useLiveResource } from './monitoring-bits';
import { EmptyState, ResourceView, TableSkeleton } from './states';

const TOPICS = ['alerts'] as const;

/** `/alerts/?state=&environment=&q=&cursor=` and `/alerts/?tab=silences&scope=`. */
export function AlertsRoute() {
  const params = useSearchParams();
  const tab = params.get('tab') === 'silences' ? 'silences' : 'alerts';
  return (
    <>
      <div className="page-head page-head--actions">
        <div>
          <h1>Alerts</h1>
          <p className="page-head__lede">Firing, acknowledged and resolved alerts, newest change first. Silences mute notifications; the alert stays listed.</p>
        </div>
        <ActorField id="alerts-actor" />
      </div>
      <nav className="tabs" aria-label="Alerts or silences">
        <Link href={monitoringHrefs.alerts()} className={tab === 'alerts' ? 'tabs__tab tabs__tab--active' : 'tabs__tab'} aria-current={tab === 'alerts' ? 'page' : undefined}>
          Alerts
        </Link>
        <Link
          href={monitoringHrefs.alerts({ tab: 'silences' })}
          className={tab === 'silences' ? 'tabs__tab tabs__tab--active' : 'tabs__tab'}
          aria-current={tab === 'silences' ? 'page' : undefined}
        >
          Silences
        </Link>
      </nav>
      {tab === 'silences' ? <SilencesTab scope={params.get('scope') === 'all' ? 'all' : 'current'} cursor={params.get('cursor')} /> : <AlertsTab />}
    </>
  );
}

// ---- alerts -----------------------------------------------------------------------------------

function textOf(view: AlertView): string {
  const a = view.alert;
  return [a.fingerprint, a.severity, view.status, ...Object.entries(a.labels).map(([k, v]) => `${k}=${v}`), ...Object.values(a.annotations)].join('\n').toLowerCase();
}

function AlertsTab() {
  const params = useSearchParams();
  const state = params.get('state') || null;
  const environment = params.get('environment') || null;
  const cursor = params.get('cursor') || null;
  const text = params.get('q')?.trim() || null;
  const key = `alerts:${state}:${environment}:${cursor}`;
  const list = useLiveResource(key, (signal) => listAlerts({ state, environment, cursor }, { signal }), TOPICS);
  const now = Date.now();
  const items = list.data ? (text ? list.data.items.filter((a) => textOf(a).includes(text.toLowerCase())) : list.data.items) : [];
  const filtered = !!(state || environment || text);
  const firing = list.data ? list.data.items.filter((a) => a.alert.state === 'firing').length : 0;

  return (
    <>
      <AlertFilters state={state} environment={environment} text={text} />
      <div className="list-head">
        <LiveIndicator status={list.live} />
        {list.data && items.length > 0 ? (
          <span className="muted" data-testid="alert-count">
            {items.length} shown{firing ? `, ${firing} firing on this page` : ''}
          </span>
        ) : null}
      </div>
      <ResourceView
        resource={list}
        loading={<TableSkeleton rows={5} columns={6} label="Loading alerts" />}
        failed="Could not load alerts"
        empty={(data) =>
          items.length === 0 ? (
            <EmptyState title={filtered ? 'No alerts match these filters' : 'No alerts'}>
              {filtered ? (
                <p>
                  <Link href={monitoringHrefs.alerts()}>Clear the filters</Link>
                </p>
              ) : (
                <p>Nothing has fired. Alert rules live in the config folder&apos;s alerts file; a failing check fires its rule after the rule&apos;s duration.</p>
              )}
            </EmptyState>
          ) : null
        }
      >
        {(data) => (
          <>
            <ul className="alert-list" data-testid="alert-list">
              {items.map((a) => (
                <AlertItem key={a.alert.fingerprint} view={a} now={now} onChanged={list.reload} />
              ))}
            </ul>
          </>
        )}
      </ResourceView>
      {list.data ? (
        <nav className="pager" aria-label="Alert pages">
          {cursor ? <Link href={monitoringHrefs.alerts({ state, environment, q: text })}>← Newest</Link> : null}
          {list.data.next ? (
            <Link href={monitoringHrefs.alerts({ state, environment, q: text, cursor: list.data.next })} className="button">
              Older alerts →
            </Link>
          ) : (
            <span className="muted">No older alerts.</span>
          )}
        </nav>
      ) : null}
    </>
  );
}

function AlertItem({ view, now, onChanged }: { view: AlertView; now: number; onChanged: () => void }) {
  const a = view.alert;
  const { can } = useSession();
  const [open, setOpen] = useState<'ack' | 'silence' | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const name = a.labels.alertname ?? a.fingerprint.slice(0, 12);
  const summary = a.annotations.summary ?? a.annotations.description ?? null;
  const labels = Object.entries(a.labels).filter(([k]) => k !== 'alertname');
  const lastAck = a.ackedBy ? { by: a.ackedBy, at: a.ackedAt, comment: a.ackComment } : null;
  return (
    <li className={`alert alert--${view.status}`} data-fingerprint={a.fingerprint} data-alertname={name} data-status={view.status} data-state={a.state}>
      <div className="alert__head">
        <StatusBadge status={view.status} title={view.status !== a.state ? `stored state: ${a.state}` : undefined} />
        <span className={`badge severity severity--${a.severity}`}>{a.severity}</span>
        <strong className="alert__name">{name}</strong>
        {summary ? <span className="alert__summary">{summary}</span> : null}
      </div>
      <p className="alert__labels" aria-label="Labels">
        {labels.map(([k, v]) => (
          <code key={k} className="label-chip">
            {k}={v}
          </code>
        ))}
      </p>
      <p className="alert__meta muted">
        {a.state === 'resolved' ? 'resolved ' : 'since '}
        <time dateTime={a.state === 'resolved' ? (a.endsAt ?? a.stateSince) : a.startsAt} title={absoluteTime(a.state === 'resolved' ? (a.endsAt ?? a.stateSince) : a.startsAt)}>
          {relativeTime(a.state === 'resolved' ? (a.endsAt ?? a.stateSince) : a.startsAt, now)}
        </time>
        {a.state === 'resolved' ? (
          <>
            {' '}
            · fired <time dateTime={a.startsAt}>{relativeTime(a.startsAt, now)}</time>
          </>
        ) : null}
        {' '}· {a.observations} observation{a.observations === 1 ? '' : 's'} · last seen {relativeTime(a.lastObservedAt, now)}
        {a.labels.check ? (
          <>
            {' '}
            · <Link href={monitoringHrefs.check(a.labels.check)}>check {a.labels.check}</Link>
          </>
        ) : null}
        {a.labels.system ? (
          <>
            {' '}
            · <Link href={monitoringHrefs.system(a.labels.system)}>system {a.labels.system}</Link>
          </>
        ) : null}
      </p>
      {view.silencedBy.length > 0 ? (
        <p className="alert__marker" data-testid="silenced-marker">
          Silenced by {view.silencedBy.length} silence{view.silencedBy.length === 1 ? '' : 's'}:{' '}
          {view.silencedBy.map((id) => (
            <code key={id}>{id.slice(0, 8)}</code>
          ))}
        </p>
      ) : null}
      {view.inhibitedBy.length > 0 ? (
        <p className="alert__marker" data-testid="inhibited-marker">
          Inhibited: a parent system&apos;s alert is active ({view.inhibitedBy.map((f) => f.slice(0, 8)).join(', ')}).
        </p>
      ) : null}
      {lastAck ? (
        <p className="alert__ack" data-testid="ack-note">
          Acknowledged by <strong>{lastAck.by}</strong>
          {lastAck.at ? <> {relativeTime(lastAck.at, now)}</> : null}
          {lastAck.comment ? <>: “{lastAck.comment}”</> : null}
        </p>
      ) : null}
      {note ? (
        <p className="alert__note" role="status">
          {note}
        </p>
      ) : null}
      <div className="alert__actions">
        {a.state === 'firing' && can('alerts:ack') ? (
          <button type="button" className="button" aria-expanded={open === 'ack'} onClick={() => setOpen(open === 'ack' ? null : 'ack')}>
            Acknowledge…
          </button>
        ) : null}
        {can('silences:write') ? (
          <button type="button" className="button" aria-expanded={open === 'silence'} onClick={() => setOpen(open === 'silence' ? null : 'silence')}>
            Silence…
          </button>
        ) : null}
      </div>
      {open === 'ack' ? (
        <AckForm
          fingerprint={a.fingerprint}
          name={name}
          onDone={() => {
            setOpen(null);
            setNote('Acknowledged.');
            onChanged();
          }}
        />
      ) : null}
      {open === 'silence' ? (
        <SilenceForm
          labels={a.labels}
          name={name}
          onCancel={() => setOpen(null)}
          onDone={(s) => {
            setOpen(null);
            setNote(`Silenced until ${absoluteTime(s.endsAt)} (silence ${s.id.slice(0, 8)}).`);
            onChanged();
          }}
        />
      ) : null}
    </li>
  );
}

function AckForm({ fingerprint, name, onDone }: { fingerprint: string; name: string; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = `ack-${fingerprint.slice(0, 12)}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await ackAlert(fingerprint, comment);
      onDone();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="alert-form" onSubmit={submit} aria-label={`Acknowledge ${name}`}>
      <div className="field">
        <label htmlFor={`${id}-comment`}>Comment (optional)</label>
        <input
          id={`${id}-comment`}
          value={comment}
          maxLength={2000}
          placeholder="looking into it"
          aria-invalid={error?.field === 'comment' ? true : undefined}
          onChange={(e) => setComment(e.target.value)}
        />
        {error?.field === 'comment' ? <span className="field__error">{error.message}</span> : null}
      </div>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? 'Acknowledging…' : 'Acknowledge'}
      </button>
      {error && error.field !== 'comment' ? (
        <p className="field__error" role="alert">
          {error.message}
        </p>
      ) : null}
    </form>
  );
}

/** Which form slot a server field belongs to: `matchers[2].value` → `matchers.2.value`. */
function slotOf(field: string | null): string {
  if (!field) return 'form';
  const m = /^matchers\[(\d+)\]\.(name|op|value)$/.exec(field) ?? /^matchers\[(\d+)\]$/.exec(field);
  if (m) return `matchers.${m[1]}.${m[2] ?? 'value'}`;
  if (field === 'matchers') return 'matchers';
  if (field === 'endsAt' || field === 'startsAt') return 'duration';
  if (field === 'comment') return 'comment';
  return 'form';
}

function SilenceForm({
  labels,
  name,
  onCancel,
  onDone,
}: {
  labels: Readonly<Record<string, string>>;
  name: string;
  onCancel: () => void;
  onDone: (silence: SilenceView) => void;
}) {
  const [matchers, setMatchers] = useState<Matcher[]>(() => matchersFor(labels));
  const [duration, setDuration] = useState<string>(SILENCE_DURATIONS[1].value);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ slot: string; message: string } | null>(null);
  const base = `silence-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const errorAt = (slot: string) => (error?.slot === slot ? error.message : null);

  function update(i: number, patch: Partial<Matcher>) {
    setMatchers(matchers.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const ms = SILENCE_DURATIONS.find((d) => d.value === duration)?.ms ?? 3_600_000;
    try {
      const silence = await createSilence({ matchers, endsAt: new Date(Date.now() + ms).toISOString(), comment });
      onDone(silence);
    } catch (err) {
      const e = err as ApiError;
      setError({ slot: slotOf(e.field), message: e.field && slotOf(e.field) === 'form' ? `${e.field}: ${e.message}` : e.message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="alert-form silence-form" onSubmit={submit} noValidate aria-label={`Silence ${name}`}>
      <fieldset className="matchers">
        <legend>Matchers (every one must match)</legend>
        {matchers.map((m, i) => (
          <div className="matcher" key={i} data-slot={`matchers.${i}`}>
            <input aria-label={`Matcher ${i + 1} label`} value={m.name} spellCheck={false} onChange={(e) => update(i, { name: e.target.value })} aria-invalid={errorAt(`matchers.${i}.name`) ? true : undefined} />
            <select aria-label={`Matcher ${i + 1} operator`} value={m.op} onChange={(e) => update(i, { op: e.target.value as MatcherOp })}>
              {MATCHER_OPS.map((op) => (
                <option key={op} value={op}>
                  {op}
                </option>
              ))}
            </select>
            <input aria-label={`Matcher ${i + 1} value`} value={m.value} spellCheck={false} onChange={(e) => update(i, { value: e.target.value })} aria-invalid={errorAt(`matchers.${i}.value`) ? true : undefined} />
            <button type="button" className="link-button" onClick={() => setMatchers(matchers.filter((_, j) => j !== i))} aria-label={`Remove matcher ${i + 1}`}>
              remove
            </button>
            {errorAt(`matchers.${i}.name`) || errorAt(`matchers.${i}.value`) || errorAt(`matchers.${i}.op`) ? (
              <span className="field__error">{errorAt(`matchers.${i}.name`) ?? errorAt(`matchers.${i}.value`) ?? errorAt(`matchers.${i}.op`)}</span>
            ) : null}
          </div>
        ))}
        <button type="button" className="link-button" onClick={() => setMatchers([...matchers, { name: '', op: '=', value: '' }])}>
          + add matcher
        </button>
        {errorAt('matchers') ? <p className="field__error" data-slot="matchers">{errorAt('matchers')}</p> : null}
      </fieldset>
      <div className="alert-form__row">
        <div className="field" data-slot="duration">
          <label htmlFor={`${base}-duration`}>Duration</label>
          <select id={`${base}-duration`} value={duration} onChange={(e) => setDuration(e.target.value)} aria-invalid={errorAt('duration') ? true : undefined}>
            {SILENCE_DURATIONS.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
          {errorAt('duration') ? <span className="field__error">{errorAt('duration')}</span> : null}
        </div>
        <div className="field field--wide" data-slot="comment">
          <label htmlFor={`${base}-comment`}>Comment (required)</label>
          <input
            id={`${base}-comment`}
            value={comment}
            maxLength={2000}
            placeholder="why, and who to ask"
            aria-invalid={errorAt('comment') ? true : undefined}
            aria-describedby={errorAt('comment') ? `${base}-comment-error` : undefined}
            onChange={(e) => setComment(e.target.value)}
          />
          {errorAt('comment') ? (
            <span className="field__error" id={`${base}-comment-error`}>
              {errorAt('comment')}
            </span>
          ) : null}
        </div>
      </div>
      <div className="operate__buttons">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create silence'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {errorAt('form') ? (
        <p className="field__error" role="alert">
          {errorAt('form')}
        </p>
      ) : null}
    </form>
  );
}

function AlertFilters({ state, environment, text }: { state: string | null; environment: string | null; text: string | null }) {
  const router = useRouter();
  const read = () => ({ state: state ?? '', environment: environment ?? '', q: text ?? '' });
  const [values, setValues] = useState(read);
  useEffect(() => setValues(read()), [state, environment, text]);

  function submit(event: FormEvent) {
    event.preventDefault();
    router.push(monitoringHrefs.alerts({ state: values.state || null, environment: values.environment.trim() || null, q: values.q.trim() || null }));
  }

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter alerts" role="search">
      <div className="field">
        <label htmlFor="af-state">State</label>
        <select id="af-state" value={values.state} onChange={(e) => setValues({ ...values, state: e.target.value })}>
          <option value="">any</option>
          {ALERT_STATE_NAMES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="af-environment">Environment</label>
        <input id="af-environment" value={values.environment} placeholder="prod-aws-eu-west-1" autoComplete="off" spellCheck={false} onChange={(e) => setValues({ ...values, environment: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="af-q">Text</label>
        <input id="af-q" value={values.q} placeholder="label, summary or fingerprint" autoComplete="off" spellCheck={false} onChange={(e) => setValues({ ...values, q: e.target.value })} />
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply
        </button>
        <Link href={monitoringHrefs.alerts()} className="button">
          Reset
        </Link>
      </div>
    </form>
  );
}

// ---- silences ---------------------------------------------------------------------------------

function SilencesTab({ scope, cursor }: { scope: 'current' | 'all'; cursor: string | null }) {
  const list = useLiveResource(`silences:${scope}:${cursor}`, (signal) => listSilences(scope, cursor, { signal }), TOPICS);
  const now = Date.now();
  return (
    <>
      <div className="list-head">
        <nav className="range-picker" aria-label="Which silences">
          <Link href={monitoringHrefs.alerts({ tab: 'silences' })} className={scope === 'current' ? 'button button--primary' : 'button'} aria-current={scope === 'current' ? 'page' : undefined}>
            Current
          </Link>
          <Link href={monitoringHrefs.alerts({ tab: 'silences', scope: 'all' })} className={scope === 'all' ? 'button button--primary' : 'button'} aria-current={scope === 'all' ? 'page' : undefined}>
            All (incl. expired)
          </Link>
        </nav>
        <LiveIndicator status={list.live} />
      </div>
      <ResourceView
        resource={list}
        loading={<TableSkeleton rows={4} columns={6} label="Loading silences" />}
        failed="Could not load silences"
        empty={(data) =>
          data.items.length === 0 ? (
            <EmptyState title={scope === 'current' ? 'No current silences' : 'No silences'}>
              <p>Silence an alert from its &ldquo;Silence…&rdquo; button on the alerts tab.</p>
            </EmptyState>
          ) : null
        }
      >
        {(data) => (
          <>
            <div className="table-scroll">
              <table className="table" data-testid="silences-table">
                <thead>
                  <tr>
                    <th scope="col">State</th>
                    <th scope="col">Matchers</th>
                    <th scope="col">Starts</th>
                    <th scope="col">Ends</th>
                    <th scope="col">By</th>
                    <th scope="col">Comment</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((s) => (
                    <SilenceRow key={s.id} silence={s} now={now} onChanged={list.reload} />
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label="Silence pages">
              {cursor ? <Link href={monitoringHrefs.alerts({ tab: 'silences', scope })}>← First</Link> : null}
              {data.next ? (
                <Link href={monitoringHrefs.alerts({ tab: 'silences', scope, cursor: data.next })} className="button">
                  More →
                </Link>
              ) : null}
            </nav>
          </>
        )}
      </ResourceView>
    </>
  );
}

function SilenceRow({ silence: s, now, onChanged }: { silence: SilenceView; now: number; onChanged: () => void }) {
  const { can } = useSession();
  const mayWrite = can('silences:write');
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      onChanged();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      setConfirmDelete(false);
    }
  }
  const tone = s.state === 'active' ? 'running' : s.state === 'pending' ? 'waiting' : 'neutral';
  return (
    <tr data-silence={s.id} data-state={s.state}>
      <td>
        <span className={`badge phase phase--${tone}`}>{s.state}</span>
      </td>
      <td>
        {s.matchers.map((m, i) => (
          <code key={i} className="label-chip">
            {matcherText(m)}
          </code>
        ))}
      </td>
      <td className="nowrap">
        <time dateTime={s.startsAt} title={absoluteTime(s.startsAt)}>
          {relativeTime(s.startsAt, now)}
        </time>
      </td>
      <td className="nowrap">
        <time dateTime={s.endsAt} title={absoluteTime(s.endsAt)}>
          {absoluteTime(s.endsAt)}
        </time>
      </td>
      <td>{s.createdBy}</td>
      <td>{s.comment}</td>
      <td className="nowrap">
        {s.state !== 'expired' ? (
          <button type="button" className="button" disabled={busy || !mayWrite} title={mayWrite ? undefined : notAllowedTitle('silences:write')} onClick={() => run(() => expireSilence(s.id))}>
            Expire
          </button>
        ) : null}{' '}
        {confirmDelete ? (
          <>
            <button type="button" className="button button--danger" disabled={busy} onClick={() => run(() => deleteSilence(s.id))}>
              Really delete
            </button>{' '}
            <button type="button" className="link-button" onClick={() => setConfirmDelete(false)}>
              keep
            </button>
          </>
        ) : (
          <button type="button" className="button button--danger" disabled={busy || !mayWrite} title={mayWrite ? undefined : notAllowedTitle('silences:write')} onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        )}
        {error ? (
          <span className="field__error" role="alert">
            {' '}
            {error}
          </span>
        ) : null}
      </td>
    </tr>
  );
}
