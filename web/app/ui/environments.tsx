'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { getEnvironment, getEnvironments } from '@/lib/api';
import { hrefs } from '@/lib/routes';
import { useResource } from '@/lib/use-resource';
import { CellStateColumns, cellRowClass, ServiceLink, Time } from './bits';
import { EmptyState, ErrorState, ResourceView, TableSkeleton } from './states';

/** `/environments/` lists them; `/environments/?name=X` shows one. */
export function EnvironmentsPage() {
  const name = useSearchParams().get('name');
  return name ? <EnvironmentDetail name={name} /> : <EnvironmentList />;
}

function EnvironmentList() {
  const envs = useResource('environments', (signal) => getEnvironments({ signal }), { refreshMs: 30_000 });
  return (
    <>
      <div className="page-head">
        <h1>Environments</h1>
        <p className="page-head__lede">Every environment Signalbox has seen an event for, grouped by provider.</p>
      </div>
      <ResourceView
        resource={envs}
        loading={<TableSkeleton rows={5} columns={6} label="Loading environments" />}
        failed="Could not load the environments"
        empty={(data) =>
          data.length === 0 ? (
            <EmptyState title="No environments yet">
              <p>An environment appears when an event names it (for example in <code>subject.content.environment.id</code>).</p>
            </EmptyState>
          ) : null
        }
      >
        {(data) => (
          <>
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Environment</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Region</th>
                    <th scope="col" className="num">
                      Services
                    </th>
                    <th scope="col">Last event</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((env) => (
                    <tr key={env.name} className={env.deleted ? 'row--removed' : undefined}>
                      <th scope="row">
                        <Link href={hrefs.environment(env.name)}>{env.name}</Link>
                        {env.deleted ? <span className="badge badge--removed">deleted</span> : null}
                      </th>
                      <td>{env.provider}</td>
                      <td>{env.kind}</td>
                      <td>{env.region}</td>
                      <td className="num">{env.serviceCount}</td>
                      <td>
                        <Time value={env.lastEvent} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </ResourceView>
    </>
  );
}

function EnvironmentDetail({ name }: { name: string }) {
  const env = useResource(`environment:${name}`, (signal) => getEnvironment(name, { signal }), { refreshMs: 30_000 });
  const meta = env.data?.environment;
  return (
    <>
      <div className="page-head">
        <p className="crumbs">
          <Link href={hrefs.environments()}>Environments</Link> / environment
        </p>
        <h1>{name}</h1>
        {meta ? (
          <dl className="facts">
            <div>
              <dt>Provider</dt>
              <dd>{meta.provider}</dd>
            </div>
            <div>
              <dt>Kind</dt>
              <dd>{meta.kind}</dd>
            </div>
            <div>
              <dt>Region</dt>
              <dd>{meta.region}</dd>
            </div>
            <div>
              <dt>Last event</dt>
              <dd>
                <Time value={meta.lastEvent} />
              </dd>
            </div>
            {meta.url ? (
              <div>
                <dt>URL</dt>
                <dd>
                  <a href={meta.url} rel="noopener noreferrer" target="_blank">
                    {meta.url}
                  </a>
                </dd>
              </div>
            ) : null}
            {meta.deleted ? (
              <div>
                <dt>State</dt>
                <dd>deleted</dd>
              </div>
            ) : null}
          </dl>
        ) : null}
        <p className="page-head__links">
          <Link href={hrefs.timeline({ environment: name })}>Timeline of {name} →</Link>
        </p>
      </div>
      <section aria-labelledby="runs-heading" className="section">
        <h2 id="runs-heading">What runs here</h2>
        {env.status === 'loading' ? (
          <TableSkeleton rows={4} columns={4} label="Loading what runs here" />
        ) : env.status === 'error' && env.error.notFound ? (
          <EmptyState title={`No environment named “${name}”`}>
            <p>
              See the <Link href={hrefs.environments()}>list of environments</Link>.
            </p>
          </EmptyState>
        ) : env.status === 'error' && !env.data ? (
          <ErrorState error={env.error} onRetry={env.reload} title="Could not load this environment" />
        ) : env.data!.cells.length === 0 ? (
          <p className="muted">No service has been deployed here.</p>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Version</th>
                  <th scope="col">Since</th>
                  <th scope="col">State</th>
                  <th scope="col">Artifact</th>
                </tr>
              </thead>
              <tbody>
                {env.data!.cells.map((cell) => (
                  <tr key={cell.service} className={cellRowClass(cell)}>
                    <th scope="row">
                      <ServiceLink name={cell.service} />
                    </th>
                    <CellStateColumns cell={cell} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
