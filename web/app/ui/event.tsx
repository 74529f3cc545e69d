'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { getEvent } from '@/lib/api';
import { hrefs } from '@/lib/routes';
import { useResource } from '@/lib/use-resource';
import { EnvironmentLink, ServiceLink, Time, TypeBadge, ValidityBadge } from './bits';
import { BlockSkeleton, EmptyState, ErrorState } from './states';

/**
 * `/events/?key=K`: one event in full. Event fields are hostile input: they are only ever rendered
 * as React text (escaped) and never as markup, URLs or attributes that execute.
 */
export function EventPage() {
  const key = useSearchParams().get('key') ?? '';
  const event = useResource(`event:${key}`, (signal) => getEvent(key, { signal }));

  if (!key) {
    return (
      <EmptyState title="Which event?">
        <p>
          Open one from the <Link href={hrefs.timeline()}>timeline</Link>.
        </p>
      </EmptyState>
    );
  }
  if (event.status === 'loading') return <EventSkeleton />;
  if (event.status === 'error' && event.error.notFound) {
    return (
      <EmptyState title="No such event">
        <p>
          Nothing is stored under this key. Go back to the <Link href={hrefs.timeline()}>timeline</Link>.
        </p>
      </EmptyState>
    );
  }
  if (event.status === 'error') return <ErrorState error={event.error} onRetry={event.reload} title="Could not load this event" />;
  const e = event.data;
  return (
    <>
      <div className="page-head">
        <p className="crumbs">
          <Link href={hrefs.timeline()}>Timeline</Link> / event
        </p>
        <h1 className="event-title">
          <TypeBadge type={e.type} short={e.typeShort} subject={e.subject} /> <span className="wrap">{e.subjectId || '(no subject id)'}</span>
        </h1>
      </div>
      <section aria-labelledby="summary-heading" className="section">
        <h2 id="summary-heading" className="visually-hidden">
          Summary
        </h2>
        <dl className="facts facts--grid">
          <div>
            <dt>Type</dt>
            <dd className="wrap">
              <code>{e.type}</code>
            </dd>
          </div>
          <div>
            <dt>Time</dt>
            <dd>
              <Time value={e.at} />
              <span className="muted"> · {e.at.absolute}</span>
            </dd>
          </div>
          <div>
            <dt>Service</dt>
            <dd>
              <ServiceLink name={e.service} />
            </dd>
          </div>
          <div>
            <dt>Environment</dt>
            <dd>
              <EnvironmentLink name={e.environment} />
            </dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd className="wrap">{e.fullVersion ? <code>{e.fullVersion}</code> : '—'}</dd>
          </div>
          <div>
            <dt>Artifact</dt>
            <dd className="wrap">{e.artifactId ? <code>{e.artifactId}</code> : '—'}</dd>
          </div>
          <div>
            <dt>Source</dt>
            <dd className="wrap">
              <code>{e.source}</code>
            </dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd className="wrap">
              <code>{e.id}</code>
            </dd>
          </div>
          {e.outcome ? (
            <div>
              <dt>Outcome</dt>
              <dd>{e.outcome}</dd>
            </div>
          ) : null}
          <div>
            <dt>Spec version</dt>
            <dd>{e.specVersion ?? '—'}</dd>
          </div>
          <div>
            <dt>Received as</dt>
            <dd>{e.receivedAs}</dd>
          </div>
          <div>
            <dt>Ingested</dt>
            <dd>
              <Time value={e.ingestedAt} />
            </dd>
          </div>
          {e.chainId ? (
            <div>
              <dt>Chain</dt>
              <dd className="wrap">
                <code>{e.chainId}</code>
              </dd>
            </div>
          ) : null}
        </dl>
      </section>
      <section aria-labelledby="violations-heading" className="section">
        <h2 id="violations-heading">
          Validity <ValidityBadge valid={e.violations.length === 0} count={e.violations.length} />
        </h2>
        {e.violations.length === 0 ? (
          <p>Valid against the CDEvents schema for its type.</p>
        ) : (
          <>
            <p>Stored anyway (lenient ingest), but it breaks the CDEvents schema for its type:</p>
            <table className="table violations">
              <thead>
                <tr>
                  <th scope="col">Path</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {e.violations.map((v, i) => (
                  <tr key={i}>
                    <td className="wrap">
                      <code>{v.path}</code>
                    </td>
                    <td className="wrap">{v.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section aria-labelledby="normalised-heading" className="section">
        <h2 id="normalised-heading">Normalised CDEvent</h2>
        <pre className="code json" tabIndex={0} aria-labelledby="normalised-heading" data-testid="normalised-json">
          {e.normalisedJson}
        </pre>
      </section>
      <section aria-labelledby="raw-heading" className="section">
        <h2 id="raw-heading">Raw, as received</h2>
        <pre className="code json" tabIndex={0} aria-labelledby="raw-heading" data-testid="raw-json">
          {e.rawJson}
        </pre>
      </section>
    </>
  );
}

export function EventSkeleton() {
  return (
    <>
      <BlockSkeleton lines={3} label="Loading the event" />
      <BlockSkeleton lines={8} label="Loading the event body" />
    </>
  );
}
