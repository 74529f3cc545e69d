'use client';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Fragment, useEffect, useState } from 'react';
import { getMatrix, type MatrixCellView, type MatrixView } from '@/lib/api';
import { hrefs } from '@/lib/routes';
import { useResource } from '@/lib/use-resource';
import { Time } from './bits';
import { EmptyState, ResourceView, TableSkeleton } from './states';

const REFRESH_MS = 10_000;

/** The versions × environments matrix, refreshed every 10 s, filtered by `?q=`. */
export function Matrix() {
  const params = useSearchParams();
  const q = params.get('q') ?? '';
  const matrix = useResource('matrix', (signal) => getMatrix({ signal }), { refreshMs: REFRESH_MS });

  return (
    <ResourceView resource={matrix} loading={<MatrixSkeleton />} failed="Could not load the matrix" empty={(view) => (view.rows.length === 0 ? <FirstEvent /> : null)}>
      {(view) => (
        <>
          <MatrixToolbar view={view} q={q} />
          <MatrixTable view={view} q={q} />
        </>
      )}
    </ResourceView>
  );
}

export function MatrixSkeleton() {
  return <TableSkeleton rows={8} columns={6} label="Loading the matrix" />;
}

function MatrixToolbar({ view, q }: { view: MatrixView; q: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  function update(value: string) {
    setText(value);
    router.replace(hrefs.withQuery(pathname ?? '/', { q: value.trim() || null }), { scroll: false });
  }

  return (
    <div className="toolbar">
      <form role="search" className="toolbar__search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="service-search" className="visually-hidden">
          Filter services
        </label>
        <input
          id="service-search"
          type="search"
          placeholder="Filter services…"
          value={text}
          onChange={(e) => update(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </form>
      <ul className="legend" aria-label="Legend">
        <li>
          <span className="swatch swatch--recent" aria-hidden="true" /> changed in the last 24 h ({view.recentCount})
        </li>
        <li>
          <span className="swatch swatch--removed" aria-hidden="true" /> removed
        </li>
        <li className="muted">
          updated <Time value={view.generatedAt} />
        </li>
      </ul>
    </div>
  );
}

function MatrixTable({ view, q }: { view: MatrixView; q: string }) {
  const needle = q.trim().toLowerCase();
  const rows = needle ? view.rows.filter((r) => r.service.toLowerCase().includes(needle)) : view.rows;
  return (
    <div className="matrix-scroll" tabIndex={0} role="region" aria-label="Versions by service and environment">
      <table className="matrix">
        <caption className="visually-hidden">
          Version of each service (rows) in each environment (columns), with the time since it was deployed
        </caption>
        <thead>
          <tr className="matrix__providers">
            <th scope="col" rowSpan={2} className="matrix__corner">
              Service
            </th>
            {view.groups.map((g, i) => (
              <th scope="colgroup" colSpan={g.span} key={`${g.provider}-${i}`} className="matrix__provider">
                {g.provider}
              </th>
            ))}
          </tr>
          <tr className="matrix__envs">
            {view.columns.map((c) => (
              <th scope="col" key={c.name} title={[c.kind, c.region].filter(Boolean).join(' · ') || undefined}>
                <Link href={hrefs.environment(c.name)}>
                  <BreakAtHyphens text={c.name} />
                </Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={view.columns.length + 1} className="matrix__none">
                No service matches “{q}”.{' '}
                <Link href="/" replace>
                  Clear the filter
                </Link>
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={row.service}>
                <th scope="row">
                  <Link href={hrefs.service(row.service)}>{row.service}</Link>
                </th>
                {row.cells.map((cell, i) =>
                  cell ? <MatrixCell cell={cell} key={view.columns[i]!.name} /> : <td key={view.columns[i]!.name} className="cell cell--none" aria-label="not deployed" />,
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Long environment names (`prod-oci-eu-frankfurt-1`) may wrap after a hyphen, keeping columns narrow. */
function BreakAtHyphens({ text }: { text: string }) {
  const parts = text.split(/(?<=-)/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </>
  );
}

function MatrixCell({ cell }: { cell: MatrixCellView }) {
  const state = cell.removed ? 'removed' : cell.recent ? 'recent' : 'steady';
  const label = `${cell.service} in ${cell.environment}: ${cell.removed ? 'removed, was ' : ''}version ${cell.fullVersion ?? 'unknown'}, since ${cell.since.absolute}${cell.recent ? ', changed in the last 24 hours' : ''}`;
  return (
    <td className={`cell cell--${state}`} data-environment={cell.environment}>
      <Link href={hrefs.service(cell.service)} title={cell.tooltip} aria-label={label} className="cell__link">
        <span className="cell__version">{cell.version}</span>
        <span className="cell__age">
          {cell.recent ? <span className="cell__dot" aria-hidden="true">● </span> : null}
          {cell.removed ? 'removed ' : ''}
          {cell.age}
        </span>
      </Link>
    </td>
  );
}

function FirstEvent() {
  const [origin, setOrigin] = useState('https://signalbox.example.com');
  useEffect(() => setOrigin(window.location.origin), []);
  const snippet = `curl -X POST '${origin}/api/events' \\
  -H "Authorization: Bearer $SIGNALBOX_TOKEN" \\
  -H 'Content-Type: application/json' \\
  -d '{
    "context": {
      "specversion": "0.5.1",
      "id": "first-deploy-1",
      "source": "/ci/first",
      "type": "dev.cdevents.service.deployed.0.3.0",
      "timestamp": "${new Date().toISOString()}"
    },
    "subject": {
      "id": "payments",
      "content": {
        "environment": { "id": "staging" },
        "artifactId": "pkg:oci/payments@sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427?tag=1.0.0"
      }
    }
  }'`;
  return (
    <EmptyState title="No deployments yet — send a first event">
      <p>
        The matrix fills in as <code>service.deployed</code>, <code>service.upgraded</code> and other CDEvents arrive. Post one with a
        producer token:
      </p>
      <pre className="code" aria-label="Example request">
        {snippet}
      </pre>
    </EmptyState>
  );
}
