'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import type { CSSProperties } from 'react';
import {
  chartColumns,
  colourOf,
  costFiltersFrom,
  costsHref,
  formatMoney,
  formatShare,
  getCostImports,
  getCostView,
  getDeploymentCosts,
  GROUPINGS,
  WINDOWS,
  type CostFilters,
  type CostView,
} from '@/lib/costs';
import { useResource } from '@/lib/use-resource';
import { ValueAxis } from './chart-bits';
import { BlockSkeleton, EmptyState, ErrorState, ResourceView, TableSkeleton } from './states';

const CARD: CSSProperties = { background: 'var(--surface)', border: '1px solid var(--border)', borderRadius: 'var(--radius)', padding: '0.75rem 1rem' };
const GRID: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(14rem, 1fr))', gap: '0.75rem', margin: '0 0 1rem' };
const TABLES: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(20rem, 1fr))', gap: '0.75rem' };

/** `/costs/?days=30|90&groupBy=provider|environment|service`: spend across clouds. */
export function CostsPage() {
  const filters = costFiltersFrom(useSearchParams());
  const view = useResource(`costs:${filters.days}:${filters.groupBy}`, (signal) => getCostView(filters, { signal }), { refreshMs: 300_000 });
  return (
    <>
      <div className="page-head">
        <h1>Costs</h1>
        <p className="page-head__lede">Daily spend across clouds from AWS Cost Explorer and FinOps FOCUS exports, by provider, environment and service.</p>
      </div>
      <Controls filters={filters} />
      <ResourceView
        resource={view}
        loading={<CostsSkeleton />}
        failed="Could not load the costs"
      >
        {(data) => (
          <>
            {data.report.sources.length === 0 ? (
              <EmptyState title="No cost data yet">
                <p>
                  Import a FOCUS export (<code>POST /api/costs/imports</code>, or drop it into <code>.signalbox/focus/</code> locally), or let the daily Cost
                  Explorer pull run in AWS.
                </p>
              </EmptyState>
            ) : (
              <CostReportView view={data} filters={filters} />
            )}
          </>
        )}
      </ResourceView>
      <DeploymentCosts days={filters.days} />
      <ImportHistory />
    </>
  );
}

export function CostsSkeleton() {
  return (
    <>
      <BlockSkeleton lines={3} label="Loading the totals" />
      <BlockSkeleton lines={8} label="Loading the chart" />
      <TableSkeleton rows={5} columns={3} label="Loading the breakdowns" />
    </>
  );
}

function Controls({ filters }: { filters: CostFilters }) {
  return (
    <div className="cost-controls" style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap', margin: '0 0 1rem' }}>
      <div role="group" aria-label="Window">
        {WINDOWS.map((days) => (
          <Link key={days} href={costsHref({ ...filters, days })} className={filters.days === days ? 'button button--active' : 'button'} aria-current={filters.days === days ? 'true' : undefined} data-window={days}>
            {days} days
          </Link>
        ))}
      </div>
      <div role="group" aria-label="Stack by">
        {GROUPINGS.map((groupBy) => (
          <Link key={groupBy} href={costsHref({ ...filters, groupBy })} className={filters.groupBy === groupBy ? 'button button--active' : 'button'} aria-current={filters.groupBy === groupBy ? 'true' : undefined} data-group={groupBy}>
            by {groupBy}
          </Link>
        ))}
      </div>
    </div>
  );
}

function CostReportView({ view, filters }: { view: CostView; filters: CostFilters }) {
  const { report, forecast, anomalies } = view;
  const money = (n: number) => formatMoney(n, report.currency);
  return (
    <>
      <section aria-label="Totals" style={GRID}>
        <article style={CARD} data-card="total">
          <h2 style={{ margin: 0, fontSize: '0.95rem' }}>Last {report.days} days</h2>
          <p style={{ fontSize: '1.6rem', fontWeight: 600, margin: '0.25rem 0' }}>{money(report.total)}</p>
          <p className="muted" style={{ margin: 0 }}>
            {report.metric === 'billed' ? 'Billed (invoiced) cost' : 'Effective (amortized) cost'}, {report.from} to {report.to}
          </p>
        </article>
        <article style={CARD} data-card="forecast">
          <h2 style={{ margin: 0, fontSize: '0.95rem' }}>{forecast.month} forecast</h2>
          <p style={{ fontSize: '1.6rem', fontWeight: 600, margin: '0.25rem 0' }}>{formatMoney(forecast.monthTotal, forecast.currency)}</p>
          <p className="muted" style={{ margin: 0 }}>
            {formatMoney(forecast.monthToDate, forecast.currency)} so far + {formatMoney(forecast.remaining, forecast.currency)} forecast
          </p>
        </article>
        <article style={CARD} data-card="anomalies">
          <h2 style={{ margin: 0, fontSize: '0.95rem' }}>Anomalies</h2>
          <p style={{ fontSize: '1.6rem', fontWeight: 600, margin: '0.25rem 0' }}>{anomalies.length}</p>
          <p className="muted" style={{ margin: 0 }}>in the last {filters.days} days</p>
        </article>
      </section>
      {report.otherCurrencies.length ? (
        <p className="muted">
          Not in these totals (other currencies, never converted): {report.otherCurrencies.map((c) => formatMoney(c.total, c.currency)).join(', ')}.
        </p>
      ) : null}
      <section aria-labelledby="cost-trend-heading" className="section">
        <h2 id="cost-trend-heading">Daily trend by {report.groupBy}</h2>
        <StackedChart view={view} />
      </section>
      <section aria-labelledby="cost-breakdown-heading" className="section">
        <h2 id="cost-breakdown-heading">Breakdowns</h2>
        <div style={TABLES}>
          {GROUPINGS.map((g) => (
            <BreakdownTable key={g} title={`By ${g}`} dimension={g} rows={report.breakdowns[g].slice(0, 15)} currency={report.currency} />
          ))}
        </div>
      </section>
      <section aria-labelledby="cost-forecast-heading" className="section">
        <h2 id="cost-forecast-heading">Forecast for {forecast.month}</h2>
        <div className="table-scroll">
          <table className="table" data-table="forecast">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Month to date</th>
                <th scope="col">Rest of month</th>
                <th scope="col">Month total</th>
                <th scope="col">Method</th>
              </tr>
            </thead>
            <tbody>
              {forecast.providers.map((p) => (
                <tr key={p.provider}>
                  <td>{p.provider}</td>
                  <td>{formatMoney(p.monthToDate, forecast.currency)}</td>
                  <td>{formatMoney(p.remaining, forecast.currency)}</td>
                  <td>{formatMoney(p.monthTotal, forecast.currency)}</td>
                  <td>{p.method === 'aws-cost-explorer' ? 'AWS Cost Explorer forecast' : 'naive: straight line through the last 30 days'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="cost-anomalies-heading" className="section">
        <h2 id="cost-anomalies-heading">Anomalies</h2>
        {anomalies.length === 0 ? (
          <p className="muted">No unusual day in this window.</p>
        ) : (
          <ul data-list="anomalies">
            {anomalies.map((a) => (
              <li key={a.id} data-anomaly={a.provider}>
                <strong>
                  {a.start}
                  {a.end !== a.start ? ` to ${a.end}` : ''}, {a.provider}
                </strong>
                : {formatMoney(a.actual, a.currency)} against {formatMoney(a.expected, a.currency)} expected (+{formatMoney(a.impact, a.currency)}).{' '}
                <span className="muted">
                  {a.origin === 'aws' ? 'AWS Cost Anomaly Detection' : 'Signalbox: above mean + 3σ of the previous 28 days'}. {a.description}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

const W = 900;
const H = 260;
const PAD = { top: 18, right: 8, bottom: 26, left: 56 };

/** Stacked daily bars (past), dashed forecast line (rest of the month), anomaly marks; a table fallback. */
function StackedChart({ view }: { view: CostView }) {
  const { report } = view;
  const columns = chartColumns(view);
  const max = Math.max(1, ...columns.map((c) => Math.max(c.total, c.forecast ?? 0)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, columns.length);
  const barW = Math.max(1.5, slot * 0.8);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labelEvery = Math.ceil(columns.length / 10);
  const forecastPoints = columns
    .map((c, i) => (c.forecast === null ? null : `${PAD.left + i * slot + slot / 2},${y(c.forecast)}`))
    .filter((p): p is string => p !== null);
  const money = (n: number) => formatMoney(n, report.currency);
  return (
    <figure style={{ ...CARD, margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby="cost-chart-title cost-chart-desc" data-chart="costs" data-days={report.daily.length} style={{ display: 'block' }}>
        <title id="cost-chart-title">{`Daily ${report.metric} cost, stacked by ${report.groupBy}`}</title>
        <desc id="cost-chart-desc">{`${report.daily.length} days from ${report.from} to ${report.to}; highest day ${money(max)}. Dashed: forecast to the end of the month. Red marks: anomalies.`}</desc>
        <ValueAxis left={PAD.left} right={W - PAD.right} y0={y(0)} yMax={y(max)} maxLabel={money(max)} />
        {columns.map((c, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          let base = 0;
          return (
            <g key={c.date} data-date={c.date}>
              <title>{`${c.date}: ${money(c.total)}${c.forecast !== null ? ` (forecast ${money(c.forecast)})` : ''}\n${c.segments.filter((s) => s.value > 0).map((s) => `${s.key}: ${money(s.value)}`).join('\n')}`}</title>
              {c.segments.map((s) => {
                if (s.value <= 0) return null;
                const top = base + s.value;
                const rect = <rect key={s.key} x={x} y={y(top)} width={barW} height={y(base) - y(top)} fill={colourOf(s.key, report.keys)} data-key={s.key} />;
                base = top;
                return rect;
              })}
              {c.anomalies.length ? (
                <path d={`M ${x + barW / 2} ${y(c.total) - 3} l -5 -9 l 10 0 z`} fill="var(--bad)" data-anomaly-mark={c.date}>
                  <title>{c.anomalies.map((a) => a.description).join('\n')}</title>
                </path>
              ) : null}
              {i % labelEvery === 0 ? (
                <text x={x + barW / 2} y={H - 8} textAnchor="middle" fontSize="10" fill="var(--muted)">
                  {c.date.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
        {forecastPoints.length > 1 ? <polyline points={forecastPoints.join(' ')} fill="none" stroke="var(--text)" strokeWidth={1.5} strokeDasharray="5 4" data-forecast="line" /> : null}
      </svg>
      <figcaption>
        <ul aria-label="Legend" style={{ display: 'flex', flexWrap: 'wrap', gap: '0.75rem', listStyle: 'none', padding: 0, margin: '0.5rem 0 0' }}>
          {report.keys.map((key) => (
            <li key={key} data-series={key}>
              <span aria-hidden="true" style={{ display: 'inline-block', width: '0.8rem', height: '0.8rem', background: colourOf(key, report.keys), marginRight: '0.3rem', verticalAlign: 'middle' }} />
              {key}
            </li>
          ))}
          <li>
            <span aria-hidden="true" style={{ display: 'inline-block', width: '1.2rem', borderTop: '2px dashed var(--text)', marginRight: '0.3rem', verticalAlign: 'middle' }} />
            forecast
          </li>
        </ul>
      </figcaption>
      <details>
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Day</th>
                {report.keys.map((k) => (
                  <th scope="col" key={k}>
                    {k}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {report.daily.map((d) => (
                <tr key={d.date}>
                  <td>{d.date}</td>
                  {report.keys.map((k) => (
                    <td key={k}>{money(d.values[k] ?? 0)}</td>
                  ))}
                  <td>{money(d.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

function BreakdownTable({ title, dimension, rows, currency }: { title: string; dimension: string; rows: { key: string; total: number; share: number }[]; currency: string }) {
  return (
    <div className="table-scroll" style={CARD}>
      <table className="table" data-breakdown={dimension}>
        <caption style={{ textAlign: 'left', fontWeight: 600 }}>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{dimension}</th>
            <th scope="col">Cost</th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-row={r.key}>
              <td>{r.key}</td>
              <td>{formatMoney(r.total, currency)}</td>
              <td>
                <span aria-hidden="true" style={{ display: 'inline-block', height: '0.6rem', width: `${Math.max(1, r.share * 60)}px`, background: 'var(--accent)', marginRight: '0.4rem' }} />
                {formatShare(r.share)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeploymentCosts({ days }: { days: number }) {
  const res = useResource(`cost-deployments:${days}`, (signal) => getDeploymentCosts(days, { signal }));
  return (
    <section aria-labelledby="cost-deployments-heading" className="section">
      <h2 id="cost-deployments-heading">Cost per deployment</h2>
      {res.status === 'loading' ? (
        <TableSkeleton rows={4} columns={5} label="Loading the deployments" />
      ) : res.status === 'error' && !res.data ? (
        <ErrorState error={res.error} onRetry={res.reload} title="Could not load the deployment costs" />
      ) : res.data!.items.length === 0 ? (
        <p className="muted">No deployment in this window.</p>
      ) : (
        <>
          <p className="muted">{res.data!.note}.</p>
          <div className="table-scroll">
            <table className="table" data-table="deployments">
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Version</th>
                  <th scope="col">Ran (days in window)</th>
                  <th scope="col">Environment cost</th>
                </tr>
              </thead>
              <tbody>
                {res.data!.items.slice(0, 30).map((d) => (
                  <tr key={`${d.service}|${d.environment}|${d.since}`}>
                    <td>{d.service}</td>
                    <td>{d.environment}</td>
                    <td>{d.version ?? '—'}</td>
                    <td>
                      {d.since.slice(0, 10)} to {d.until ? d.until.slice(0, 10) : 'now'} ({d.days})
                    </td>
                    <td>{formatMoney(d.environmentCost, d.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function ImportHistory() {
  const res = useResource('cost-imports', (signal) => getCostImports({ signal }));
  return (
    <section aria-labelledby="cost-imports-heading" className="section">
      <h2 id="cost-imports-heading">Imports</h2>
      {res.status === 'loading' ? (
        <TableSkeleton rows={3} columns={4} label="Loading the imports" />
      ) : res.status === 'error' && !res.data ? (
        <ErrorState error={res.error} onRetry={res.reload} title="Could not load the import history" />
      ) : res.data!.items.length === 0 ? (
        <p className="muted">Nothing imported yet.</p>
      ) : (
        <ul data-list="imports">
          {res.data!.items.map((r) => (
            <li key={r.id}>
              <strong>{r.name}</strong> ({r.origin}, {r.startedAt.slice(0, 16).replace('T', ' ')}): {r.status}, {r.rowsRead} rows, {r.days.length} days
              {r.apiCalls !== undefined ? `, ${r.apiCalls} Cost Explorer calls` : ''}
              {r.problems.length ? (
                <ul>
                  {r.problems.slice(0, 5).map((p, i) => (
                    <li key={i} className="muted">
                      {p.file}
                      {p.line !== null ? `:${p.line}` : ''}
                      {p.field ? ` ${p.field}` : ''}: {p.message}
                    </li>
                  ))}
                  {r.problemCount > 5 ? <li className="muted">… {r.problemCount - 5} more</li> : null}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
