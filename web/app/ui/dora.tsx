'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type CSSProperties, type FormEvent } from 'react';
import {
  DEFAULT_WINDOW,
  doraHref,
  filtersFrom,
  getDoraChoices,
  getDoraView,
  WINDOW_CHOICES,
  type ChartView,
  type DoraFilters,
  type DoraLevel,
  type MetricCardView,
} from '@/lib/dora';
import { useResource } from '@/lib/use-resource';
import { ValueAxis } from './chart-bits';
import { BlockSkeleton, EmptyState, ErrorState, StaleNotice } from './states';

// Layout and level colours live here (not in globals.css) so this page is self-contained.
const LEVEL_STYLE: Record<DoraLevel, CSSProperties> = {
  elite: { background: 'var(--ok-bg)', color: 'var(--ok)', borderColor: '#9fd7b1' },
  high: { background: 'var(--accent-weak)', color: 'var(--accent)', borderColor: '#b6c7f3' },
  medium: { background: 'var(--recent-bg)', color: 'var(--recent)', borderColor: 'var(--recent-border)' },
  low: { background: 'var(--bad-bg)', color: 'var(--bad)', borderColor: '#f5b5ae' },
};
const GRID: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(14rem, 1fr))', gap: '0.75rem', margin: '0 0 1rem' };
const CARD: CSSProperties = { background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 'var(--radius)', padding: '0.75rem 1rem' };
const CARD_VALUE: CSSProperties = { fontSize: '1.6rem', fontWeight: 600, margin: '0.25rem 0' };
const CHART_GRID: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(22rem, 1fr))', gap: '0.75rem' };

/** `/dora/?service=&environment=&windowDays=`: the four DORA metrics with levels and trends. */
export function DoraPage() {
  const params = useSearchParams();
  const filters = filtersFrom(params);
  const key = `dora:${filters.service ?? ''}:${filters.environment ?? ''}:${filters.windowDays}`;
  const report = useResource(key, (signal) => getDoraView(filters, { signal }), { refreshMs: 60_000 });

  return (
    <>
      <div className="page-head">
        <h1>DORA metrics</h1>
        <p className="page-head__lede">
          {report.data ? report.data.scopeText : 'Deployment frequency, lead time, change failure rate and recovery time, from the events Signalbox stored.'}
        </p>
      </div>
      <FilterForm filters={filters} />
      {report.status === 'loading' ? (
        <DoraSkeleton />
      ) : report.status === 'error' && !report.data ? (
        <ErrorState
          error={report.error}
          onRetry={report.reload}
          title={report.error.field ? `Could not load the metrics (${report.error.field})` : 'Could not load the metrics'}
        />
      ) : (
        <>
          {report.status === 'error' ? <StaleNotice error={report.error} onRetry={report.reload} /> : null}
          {report.data!.empty ? (
            <EmptyState title="Nothing to measure in this window">
              <p>
                No production deployment, merged change or recovery{filters.service ? ` of ${filters.service}` : ''}
                {filters.environment ? ` in ${filters.environment}` : ''} in the last {filters.windowDays} days.{' '}
                {filters.service || filters.environment || filters.windowDays !== DEFAULT_WINDOW ? <Link href={doraHref({})}>Clear the filters</Link> : null}
              </p>
              <p className="muted">
                Metrics come from <code>service.deployed</code>/<code>upgraded</code>/<code>rolledback</code>, <code>change.merged</code> and{' '}
                <code>incident.*</code> events.
              </p>
            </EmptyState>
          ) : (
            <>
            <section aria-labelledby="dora-metrics-heading" className="section">
              <h2 id="dora-metrics-heading" className="visually-hidden">
                Metrics
              </h2>
              <div style={GRID}>
                {report.data!.cards.map((card) => (
                  <MetricCard key={card.id} card={card} />
                ))}
              </div>
              <p className="muted">
                Levels from {report.data!.thresholds}.
                {report.data!.environments.length ? ` Environments counted: ${report.data!.environments.join(', ')}.` : ''}
              </p>
            </section>
            <section aria-labelledby="dora-trends-heading" className="section">
              <h2 id="dora-trends-heading">Trends</h2>
              <div style={CHART_GRID}>
                {report.data!.charts.map((chart) => (
                  <BarChart key={chart.id} chart={chart} />
                ))}
              </div>
            </section>
            </>
          )}
          <section aria-labelledby="dora-rules-heading" className="section">
            <h2 id="dora-rules-heading">How these are counted</h2>
            <ul>
              {report.data!.rules.map((rule) => (
                <li key={rule}>{rule}</li>
              ))}
            </ul>
          </section>
        </>
      )}
    </>
  );
}

function MetricCard({ card }: { card: MetricCardView }) {
  const id = `dora-card-${card.id}`;
  return (
    <article style={CARD} aria-labelledby={id} data-metric={card.id}>
      <h3 id={id} style={{ margin: 0, fontSize: '0.95rem' }}>
        {card.title}
      </h3>
      <p style={CARD_VALUE}>{card.value}</p>
      <p style={{ margin: '0 0 0.5rem' }}>
        {card.level ? (
          <span className="badge" style={LEVEL_STYLE[card.level.level]} title={card.level.source} data-level={card.level.level}>
            {card.level.label}
          </span>
        ) : (
          <span className="badge" title="Not enough data for a level">
            no level
          </span>
        )}{' '}
        {card.level ? <span className="muted">{card.level.source}</span> : null}
      </p>
      <p className="muted" style={{ margin: 0 }}>
        {card.detail}
      </p>
      <p className="muted" style={{ margin: '0.25rem 0 0', fontSize: '0.85rem' }}>
        {card.definition}
      </p>
    </article>
  );
}

const W = 560;
const H = 170;
const PAD = { top: 12, right: 8, bottom: 24, left: 36 };

/** A hand-written SVG bar chart with a title and description for screen readers and a data table fallback. */
export function BarChart({ chart }: { chart: ChartView }) {
  const titleId = `chart-${chart.id}-title`;
  const descId = `chart-${chart.id}-desc`;
  const values = chart.points.map((p) => p.value ?? 0);
  const max = Math.max(1, ...values);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, chart.points.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labelEvery = Math.ceil(chart.points.length / 8);
  const hasData = chart.points.some((p) => p.value !== null && p.value > 0);

  return (
    <figure style={{ ...CARD, margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby={`${titleId} ${descId}`} style={{ display: 'block' }}>
        <title id={titleId}>{chart.title}</title>
        <desc id={descId}>
          {chart.description} {hasData ? `Highest: ${round(max)} ${chart.unit}.` : 'No data in this window.'}
        </desc>
        <ValueAxis left={PAD.left} right={W - PAD.right} y0={y(0)} yMax={y(max)} maxLabel={round(max)} />
        {chart.points.map((p, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const v = p.value ?? 0;
          const bad = Math.min(p.bad ?? 0, v);
          return (
            <g key={p.date}>
              <title>{`${p.label}: ${p.text}`}</title>
              {v > 0 ? <rect x={x} y={y(v)} width={barW} height={y(0) - y(v)} fill="var(--accent)" opacity={0.8} /> : null}
              {bad > 0 ? <rect x={x} y={y(bad)} width={barW} height={y(0) - y(bad)} fill="var(--bad)" /> : null}
              {i % labelEvery === 0 ? (
                <text x={x + barW / 2} y={H - 8} textAnchor="middle" fontSize="10" fill="var(--muted)">
                  {p.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ marginTop: '0.25rem' }}>
        <strong>{chart.title}</strong> <span className="muted">({chart.unit})</span>
      </figcaption>
      <details>
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">{chart.title}</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Value ({chart.unit})</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {chart.points.map((p) => (
                <tr key={p.date}>
                  <th scope="row" className="nowrap">
                    {p.label}
                  </th>
                  <td className="num">{p.value === null ? '—' : round(p.value)}</td>
                  <td>{p.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function FilterForm({ filters }: { filters: DoraFilters }) {
  const router = useRouter();
  const [service, setService] = useState(filters.service ?? '');
  const [environment, setEnvironment] = useState(filters.environment ?? '');
  const [windowDays, setWindowDays] = useState(String(filters.windowDays));
  const choices = useResource('dora:choices', (signal) => getDoraChoices({ signal }));
  // The URL is the source of truth: back/forward and links update the form.
  useEffect(() => {
    setService(filters.service ?? '');
    setEnvironment(filters.environment ?? '');
    setWindowDays(String(filters.windowDays));
  }, [filters.service, filters.environment, filters.windowDays]);

  function submit(event: FormEvent) {
    event.preventDefault();
    router.push(doraHref({ service: service.trim() || null, environment: environment.trim() || null, windowDays: Number(windowDays) }));
  }

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter DORA metrics" role="search">
      <div className="field">
        <label htmlFor="dora-service">Service</label>
        <input id="dora-service" name="service" value={service} placeholder="all services" list="dora-services" autoComplete="off" spellCheck={false} onChange={(e) => setService(e.target.value)} />
        <datalist id="dora-services">
          {(choices.data?.services ?? []).map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="dora-environment">Environment</label>
        <input
          id="dora-environment"
          name="environment"
          value={environment}
          placeholder="every production environment"
          list="dora-environments"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setEnvironment(e.target.value)}
        />
        <datalist id="dora-environments">
          {(choices.data?.environments ?? []).map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="dora-window">Window</label>
        <select id="dora-window" name="windowDays" value={windowDays} onChange={(e) => setWindowDays(e.target.value)}>
          {WINDOW_CHOICES.map((w) => (
            <option key={w} value={w}>
              last {w} days
            </option>
          ))}
        </select>
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply
        </button>
        <Link href={doraHref({})} className="button">
          Reset
        </Link>
      </div>
    </form>
  );
}

export function DoraSkeleton() {
  return (
    <div style={GRID}>
      {['Deployment frequency', 'Lead time', 'Change failure rate', 'Recovery time'].map((label) => (
        <div key={label} style={CARD}>
          <BlockSkeleton lines={3} label={`Loading ${label.toLowerCase()}`} />
        </div>
      ))}
    </div>
  );
}
