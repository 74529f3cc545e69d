'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { getTimeline, isValidTime, type TimelineFilters } from '@/lib/api';
import { hrefs } from '@/lib/routes';
import { useResource } from '@/lib/use-resource';
import { EnvironmentLink, ServiceLink, Time, TypeBadge, ValidityBadge } from './bits';
import { EmptyState, ResourceView, TableSkeleton } from './states';

const FIELDS = ['service', 'environment', 'type', 'since', 'until'] as const;
type Field = (typeof FIELDS)[number];

const TYPE_PRESETS = [
  'dev.cdevents.service.',
  'dev.cdevents.service.deployed',
  'dev.cdevents.service.upgraded',
  'dev.cdevents.service.rolledback',
  'dev.cdevents.service.removed',
  'dev.cdevents.environment.',
  'dev.cdevents.pipelinerun.',
  'dev.cdevents.artifact.',
  'dev.cdevents.incident.',
];

/** `/timeline/?service=&environment=&type=&since=&until=&cursor=`: events newest first. */
export function TimelinePage() {
  const params = useSearchParams();
  const filters: TimelineFilters = Object.fromEntries([...FIELDS, 'cursor'].map((f) => [f, params.get(f)]));
  const key = `timeline:${params.toString()}`;
  // Only the first page follows new events; an older page stays put while it is read.
  const timeline = useResource(key, (signal) => getTimeline(filters, { signal }), { refreshMs: filters.cursor ? undefined : 10_000 });
  const filtered = FIELDS.some((f) => filters[f]);

  return (
    <>
      <div className="page-head">
        <h1>Timeline</h1>
        <p className="page-head__lede">Every event, newest first.{filters.cursor ? '' : ' Refreshes every 10 seconds.'}</p>
      </div>
      <FilterForm filters={filters} />
      <ResourceView
        resource={timeline}
        loading={<TimelineSkeleton />}
        failed="Could not load the timeline"
        empty={(data) =>
          data.items.length === 0 ? (
            <EmptyState title={filtered ? 'No events match these filters' : 'No events yet'}>
              {filtered ? (
                <p>
                  <Link href={hrefs.timeline()}>Clear the filters</Link>
                </p>
              ) : (
                <p>
                  Events appear here as producers post them to <code>/api/events</code>.
                </p>
              )}
            </EmptyState>
          ) : null
        }
      >
        {(data) => (
          <>
            <div className="table-scroll">
              <table className="table timeline">
                <caption className="visually-hidden">Events, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Type</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Service</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Version</th>
                    <th scope="col">Validity</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((e) => (
                    <tr key={e.key} data-key={e.key}>
                      <td className="nowrap">
                        <Link href={hrefs.event(e.key)} aria-label={`Event ${e.typeShort} ${e.subjectId} at ${e.at.absolute}`}>
                          <Time value={e.at} />
                        </Link>
                      </td>
                      <td>
                        <TypeBadge type={e.type} short={e.typeShort} subject={e.subject} />
                        {e.outcome ? <span className="muted"> {e.outcome}</span> : null}
                      </td>
                      <td className="subject" title={e.subjectId}>
                        <Link href={hrefs.event(e.key)}>{e.subjectId || '(no id)'}</Link>
                      </td>
                      <td>
                        <ServiceLink name={e.service} />
                      </td>
                      <td>
                        <EnvironmentLink name={e.environment} />
                      </td>
                      <td>{e.version ? <code>{e.version}</code> : <span className="muted">—</span>}</td>
                      <td>
                        <ValidityBadge valid={e.valid} count={e.violationCount} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label="Timeline pages">
              {filters.cursor ? <Link href={hrefs.timeline({ ...filters, cursor: null })}>← Newest</Link> : null}
              {data.next ? (
                <Link href={hrefs.timeline({ ...filters, cursor: data.next })} className="button">
                  Older events →
                </Link>
              ) : (
                <span className="muted">End of the timeline.</span>
              )}
            </nav>
          </>
        )}
      </ResourceView>
    </>
  );
}

function FilterForm({ filters }: { filters: TimelineFilters }) {
  const router = useRouter();
  const [values, setValues] = useState<Record<Field, string>>(() => read(filters));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const signature = FIELDS.map((f) => filters[f] ?? '').join('\u0000');
  // The URL is the source of truth: back/forward and links update the form.
  useEffect(() => setValues(read(filters)), [signature]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const next: Partial<Record<Field, string>> = {};
    for (const f of ['since', 'until'] as const) {
      const v = values[f].trim();
      if (v && !isValidTime(v)) next[f] = 'Use a date and time such as 2026-11-23T03:00:00Z';
    }
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    router.push(hrefs.timeline(Object.fromEntries(FIELDS.map((f) => [f, values[f].trim() || null]))));
  }

  const field = (name: Field, label: string, placeholder: string, extra: Record<string, string> = {}) => (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <input
        id={`f-${name}`}
        name={name}
        value={values[name]}
        placeholder={placeholder}
        onChange={(e) => setValues({ ...values, [name]: e.target.value })}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `f-${name}-error` : undefined}
        autoComplete="off"
        spellCheck={false}
        {...extra}
      />
      {errors[name] ? (
        <span className="field__error" id={`f-${name}-error`}>
          {errors[name]}
        </span>
      ) : null}
    </div>
  );

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter events" role="search">
      {field('service', 'Service', 'payments')}
      {field('environment', 'Environment', 'prod')}
      {field('type', 'Type', 'service.deployed or dev.cdevents.service.', { list: 'type-presets' })}
      <datalist id="type-presets">
        {TYPE_PRESETS.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      {field('since', 'Since', '2026-11-23T00:00:00Z')}
      {field('until', 'Until', '2026-11-23T06:00:00Z')}
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply
        </button>
        <Link href={hrefs.timeline()} className="button">
          Reset
        </Link>
      </div>
    </form>
  );
}

function read(filters: TimelineFilters): Record<Field, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, filters[f] ?? ''])) as Record<Field, string>;
}

export function TimelineSkeleton() {
  return <TableSkeleton rows={10} columns={7} label="Loading the timeline" />;
}
