'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { ApiError } from '@/lib/api';
import { absoluteTime, relativeTime } from '@/lib/format';
import {
  DEFAULT_RANGE,
  formatNumber,
  getHealth,
  getRangeHistory,
  HISTORY_RANGES,
  historyWords,
  isHistoryRange,
  listAlerts,
  metricSeries,
  monitoringHrefs,
  type AlertView,
  type CheckSummary,
  type HealthNode,
  type HistoryRange,
  type RangeHistory,
} from '@/lib/monitoring';
import { FlappingFlag, HistoryStrip, LiveIndicator, SinceText, StatusBadge, useLiveResource } from './monitoring-bits';
import { MetricChart, RangeStrip } from './monitoring-charts';
import { BlockSkeleton, EmptyState, ResourceView } from './states';

const TOPICS = ['health', 'alerts'] as const;

/** `/checks/?id=&range=`: one check. */
export function CheckRoute() {
  const params = useSearchParams();
  const id = params.get('id');
  const rangeParam = params.get('range');
  const range: HistoryRange = isHistoryRange(rangeParam) ? rangeParam : DEFAULT_RANGE;
  if (!id) {
    return (
      <EmptyState title="Which check?">
        <p>
          Pick a check on the <Link href={monitoringHrefs.health()}>health page</Link>.
        </p>
      </EmptyState>
    );
  }
  return <CheckPage key={id} id={id} range={range} />;
}

interface Loaded {
  summary: CheckSummary;
  /** Systems and services whose own checks include this one. */
  owners: { kind: HealthNode['kind']; name: string; system: string | null }[];
  history: RangeHistory;
  /** Null when the alert list could not be read (alerts not configured here). */
  alerts: AlertView[] | null;
  loadedAt: number;
}

function ownersOf(roots: readonly HealthNode[], check: string): Loaded['owners'] {
  const seen = new Map<string, Loaded['owners'][number]>();
  const walk = (node: HealthNode, parent: string | null) => {
    if (node.checks.some((c) => c.name === check)) {
      // A service is shown with the system that lists it (links go to systems).
      const owner = node.kind === 'service' ? { kind: node.kind, name: node.name, system: parent } : { kind: node.kind, name: node.name, system: node.name };
      seen.set(`${owner.kind}:${owner.name}:${owner.system}`, owner);
    }
    node.children.forEach((c) => walk(c, node.name));
  };
  roots.forEach((r) => walk(r, null));
  return [...seen.values()];
}

async function load(id: string, range: HistoryRange, signal: AbortSignal): Promise<Loaded> {
  const now = Date.now();
  const [health, history, alerts] = await Promise.all([
    getHealth({ signal }),
    getRangeHistory(id, range, now, { signal }),
    listAlerts({}, { signal, limit: 200 }).then(
      (page) => page.items.filter((a) => a.alert.labels.check === id),
      () => null,
    ),
  ]);
  const summary = health.checks.find((c) => c.name === id);
  if (!summary) throw new ApiError('not_found', 'id', `no check ${id} in the config`, 404);
  return { summary, owners: ownersOf(health.roots, id), history, alerts, loadedAt: now };
}

function CheckPage({ id, range }: { id: string; range: HistoryRange }) {
  const data = useLiveResource(`check:${id}:${range}`, (signal) => load(id, range, signal), TOPICS);
  const now = Date.now();
  return (
    <>
      <div className="page-head page-head--actions">
        <div>
          <p className="crumbs">
            <Link href={monitoringHrefs.health()}>Health</Link> / check
          </p>
          <h1 id="check-heading">
            {data.data ? <StatusBadge status={data.data.summary.status} /> : null}
            {id}
          </h1>
        </div>
        <LiveIndicator status={data.live} />
      </div>
      <ResourceView resource={data} loading={<BlockSkeleton lines={6} label="Loading the check" />} failed="Could not load the check" notFound={`No check named "${id}"`}>
        {(loaded) => <CheckBody loaded={loaded} range={range} now={now} />}
      </ResourceView>
    </>
  );
}

function CheckBody({ loaded, range, now }: { loaded: Loaded; range: HistoryRange; now: number }) {
  const { summary: c, history } = loaded;
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  const series = metricSeries(history.buckets);
  const metrics = Object.entries(c.metrics);
  return (
    <>
      <section className="section" aria-label="Current status">
        <p className={c.status === 'ok' ? 'muted' : 'system-reason'} data-testid="check-message">
          {c.message}
        </p>
        <dl className="facts facts--grid">
          <div>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={c.status} /> <SinceText check={c} now={now} />
              {c.flapping.flapping ? <FlappingFlag changes={c.flapping.changes} /> : null}
            </dd>
          </div>
          <div>
            <dt>Last hour</dt>
            <dd>
              <HistoryStrip slots={c.strip} name={c.name} />
              <br />
              <span className="muted">{historyWords(c)}</span>
            </dd>
          </div>
          <div>
            <dt>Last checked</dt>
            <dd>
              {c.checkedAt ? (
                <time dateTime={c.checkedAt} title={absoluteTime(c.checkedAt)}>
                  {relativeTime(c.checkedAt, now)}
                </time>
              ) : (
                <span className="muted">never</span>
              )}
              <span className="muted"> · every {c.intervalSeconds} s</span>
            </dd>
          </div>
          <div>
            <dt>Type</dt>
            <dd>
              <code>{c.type}</code>
              {c.description ? <span className="muted"> · {c.description}</span> : null}
            </dd>
          </div>
          <div>
            <dt>Service</dt>
            <dd>
              {c.service ?? <span className="muted">—</span>}
              {c.environment ? <span className="muted"> in {c.environment}</span> : null}
            </dd>
          </div>
          <div>
            <dt>Part of</dt>
            <dd>
              {loaded.owners.length === 0 ? (
                <span className="muted">no system lists it</span>
              ) : (
                loaded.owners.map((o, i) => (
                  <span key={`${o.kind}:${o.name}:${o.system}`}>
                    {i > 0 ? ', ' : null}
                    {o.kind === 'service' ? <>service {o.name} of </> : <>system </>}
                    {o.system ? <Link href={monitoringHrefs.system(o.system)}>{o.system}</Link> : null}
                  </span>
                ))
              )}
            </dd>
          </div>
        </dl>
        {metrics.length > 0 ? (
          <table className="table metrics-table" data-testid="check-metrics">
            <caption className="visually-hidden">Metrics of the last result</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col" className="num">
                  Last value
                </th>
              </tr>
            </thead>
            <tbody>
              {metrics.map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td className="num">{formatNumber(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <section className="section" aria-labelledby="history-heading">
        <div className="section-head">
          <h2 id="history-heading">History</h2>
          <nav className="range-picker" aria-label="Time range">
            {(Object.keys(HISTORY_RANGES) as HistoryRange[]).map((r) => (
              <Link key={r} href={monitoringHrefs.check(c.name, r)} className={r === range ? 'button button--primary' : 'button'} aria-current={r === range ? 'page' : undefined}>
                {HISTORY_RANGES[r].label}
              </Link>
            ))}
          </nav>
        </div>
        <RangeStrip buckets={history.buckets} from={from} to={to} name={c.name} />
        <p className="uptime" data-testid="uptime">
          Uptime over {HISTORY_RANGES[range].label}:{' '}
          <strong>{history.uptime.percent === null ? 'no data' : `${history.uptime.percent.toFixed(history.uptime.percent === 100 ? 0 : 2)} %`}</strong>
          <span className="muted">
            {' '}
            ({history.uptime.up} up, {history.uptime.down} down, {history.uptime.unknown} unknown results; {history.minutes}-minute buckets)
          </span>
          {history.truncated ? <span className="muted"> Only the newest buckets are shown.</span> : null}
        </p>
        {series.length === 0 ? (
          <p className="muted">No numeric metrics in this window.</p>
        ) : (
          <div className="metric-charts">
            {series.map((s) => (
              <MetricChart key={s.metric} series={s} from={from} to={to} bucketMs={history.minutes * 60_000} />
            ))}
          </div>
        )}
      </section>

      <section className="section" aria-labelledby="check-alerts-heading">
        <h2 id="check-alerts-heading">Alerts of this check</h2>
        {loaded.alerts === null ? (
          <p className="muted">Alerts are not available here.</p>
        ) : loaded.alerts.length === 0 ? (
          <p className="muted">No alerts for this check.</p>
        ) : (
          <ul className="check-alerts">
            {loaded.alerts.map((a) => (
              <li key={a.alert.fingerprint}>
                <StatusBadge status={a.status} />
                <span className={`badge severity severity--${a.alert.severity}`}>{a.alert.severity}</span>
                <Link href={monitoringHrefs.alerts({ q: a.alert.fingerprint.slice(0, 12) })}>{a.alert.labels.alertname ?? a.alert.fingerprint.slice(0, 12)}</Link>
                <span className="muted">
                  {' '}
                  since{' '}
                  <time dateTime={a.alert.startsAt} title={absoluteTime(a.alert.startsAt)}>
                    {relativeTime(a.alert.startsAt, now)}
                  </time>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
