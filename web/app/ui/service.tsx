'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { getService } from '@/lib/api';
import { hrefs } from '@/lib/routes';
import { useResource } from '@/lib/use-resource';
import { CellStateColumns, cellRowClass, EnvironmentLink, Time } from './bits';
import { BlockSkeleton, EmptyState, ErrorState, TableSkeleton } from './states';

/** `/services/?name=X[&cursor=C]`: where the service runs now and how it got there. */
export function ServicePage() {
  const params = useSearchParams();
  const name = params.get('name') ?? '';
  const cursor = params.get('cursor');
  const service = useResource(`service:${name}:${cursor ?? ''}`, (signal) => getService(name, cursor, { signal }));

  if (!name) {
    return (
      <EmptyState title="Which service?">
        <p>
          Pick a service on the <Link href="/">matrix</Link>.
        </p>
      </EmptyState>
    );
  }
  return (
    <>
      <div className="page-head">
        <p className="crumbs">
          <Link href="/">Matrix</Link> / service
        </p>
        <h1>{name}</h1>
        <p className="page-head__links">
          <Link href={hrefs.timeline({ service: name })}>Timeline of {name} →</Link>
        </p>
      </div>
      {service.status === 'loading' ? (
        <ServiceSkeleton />
      ) : service.status === 'error' && service.error.notFound ? (
        <EmptyState title={`No service named “${name}”`}>
          <p>
            Signalbox has not received a service event for it. Check the spelling, or look at the <Link href="/">matrix</Link>.
          </p>
        </EmptyState>
      ) : service.status === 'error' && !service.data ? (
        <ErrorState error={service.error} onRetry={service.reload} title="Could not load this service" />
      ) : (
        <>
          <section aria-labelledby="current-heading" className="section">
            <h2 id="current-heading">Running now</h2>
            {service.data!.environments.length === 0 ? (
              <p className="muted">Not running in any environment.</p>
            ) : (
              <div className="table-scroll">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Environment</th>
                      <th scope="col">Version</th>
                      <th scope="col">Since</th>
                      <th scope="col">State</th>
                      <th scope="col">Artifact</th>
                      <th scope="col">Last event</th>
                    </tr>
                  </thead>
                  <tbody>
                    {service.data!.environments.map((cell) => (
                      <tr key={cell.environment} className={cellRowClass(cell)}>
                        <th scope="row" className="nowrap">
                          <EnvironmentLink name={cell.environment} />
                        </th>
                        <CellStateColumns cell={cell} />
                        <td>
                          <Link href={hrefs.event(cell.lastEventKey)}>{cell.lastEventType.replace(/^dev\.cdevents\./, '')}</Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="history-heading" className="section">
            <h2 id="history-heading">Deployment history</h2>
            {service.data!.history.length === 0 ? (
              <p className="muted">No deployments recorded.</p>
            ) : (
              <div className="table-scroll">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Environment</th>
                      <th scope="col">Action</th>
                      <th scope="col">Version</th>
                      <th scope="col">Source</th>
                      <th scope="col">
                        <span className="visually-hidden">Event</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {service.data!.history.map((d) => (
                      <tr key={d.key}>
                        <td>
                          <Time value={d.at} />
                        </td>
                        <td className="nowrap">
                          <EnvironmentLink name={d.environment} />
                        </td>
                        <td>
                          <span className={`badge badge--action-${d.action}`}>{d.action}</span>
                        </td>
                        <td title={d.artifactId ?? undefined}>
                          <code>{d.version}</code>
                        </td>
                        <td className="wrap muted">{d.source}</td>
                        <td>
                          <Link href={hrefs.event(d.key)}>event</Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <nav className="pager" aria-label="History pages">
              {cursor ? <Link href={hrefs.service(name)}>← Newest</Link> : null}
              {service.data!.historyNext ? (
                <Link href={hrefs.withQuery('/services/', { name, cursor: service.data!.historyNext })}>Older deployments →</Link>
              ) : null}
            </nav>
          </section>
        </>
      )}
    </>
  );
}

export function ServiceSkeleton() {
  return (
    <>
      <BlockSkeleton lines={2} label="Loading the service" />
      <TableSkeleton rows={4} columns={6} label="Loading the deployment history" />
    </>
  );
}
