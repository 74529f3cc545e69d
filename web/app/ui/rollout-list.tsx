'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { ALL_PHASES, listRollouts, rolloutHrefs, type RolloutFilters } from '@/lib/rollouts';
import { useResource } from '@/lib/use-resource';
import { EnvironmentLink, ServiceLink, Time } from './bits';
import { PhaseBadge } from './rollout-bits';
import { WeightBar } from './rollout-charts';
import { EmptyState, ResourceView, TableSkeleton } from './states';

const FIELDS = ['status', 'service', 'environment'] as const;
type Field = (typeof FIELDS)[number];

/** `/rollouts/?status=&service=&environment=&cursor=`: rollouts newest first. */
export function RolloutListPage() {
  const params = useSearchParams();
  const filters: RolloutFilters = Object.fromEntries([...FIELDS, 'cursor'].map((f) => [f, params.get(f)]));
  const key = `rollouts:${params.toString()}`;
  const list = useResource(key, (signal) => listRollouts(filters, { signal }), { refreshMs: filters.cursor ? undefined : 5_000 });
  const filtered = FIELDS.some((f) => filters[f]);

  return (
    <>
      <div className="page-head page-head--actions">
        <div>
          <h1>Rollouts</h1>
          <p className="page-head__lede">Canary and blue-green rollouts, newest first.{filters.cursor ? '' : ' Refreshes every 5 seconds.'}</p>
        </div>
        <Link href={rolloutHrefs.start()} className="button button--primary">
          Start rollout
        </Link>
      </div>
      <FilterForm filters={filters} />
      <ResourceView
        resource={list}
        loading={<TableSkeleton rows={6} columns={7} label="Loading rollouts" />}
        failed="Could not load rollouts"
        empty={(data) =>
          data.items.length === 0 ? (
            <EmptyState title={filtered ? 'No rollouts match these filters' : 'No rollouts yet'}>
              {filtered ? (
                <p>
                  <Link href={rolloutHrefs.list()}>Clear the filters</Link>
                </p>
              ) : (
                <p>
                  <Link href={rolloutHrefs.start()}>Start a rollout</Link> from a preset, or <code>POST /api/rollouts</code> a spec.
                </p>
              )}
            </EmptyState>
          ) : null
        }
      >
        {(data) => (
          <>
            <div className="table-scroll">
              <table className="table rollouts">
                <caption className="visually-hidden">Rollouts, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Phase</th>
                    <th scope="col">Service</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Versions</th>
                    <th scope="col">Progress</th>
                    <th scope="col">Canary weight</th>
                    <th scope="col">Started</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((r) => (
                    <tr key={r.id} data-id={r.id} data-phase={r.phase}>
                      <td className="nowrap">
                        <Link href={rolloutHrefs.rollout(r.id)} aria-label={`Rollout ${r.id}: ${r.service} to ${r.to} in ${r.environment}, ${r.phase}`}>
                          <PhaseBadge label={r.phase} tone={r.phaseTone} />
                        </Link>
                      </td>
                      <td>
                        <ServiceLink name={r.service} />
                      </td>
                      <td>
                        <EnvironmentLink name={r.environment} />
                      </td>
                      <td className="nowrap">
                        <code title={r.fromFull ?? undefined}>{r.from}</code> → <code title={r.toFull}>{r.to}</code>
                        <span className="muted"> {r.strategy}</span>
                      </td>
                      <td className="nowrap">{r.progress}</td>
                      <td>
                        <WeightBar canary={r.canaryWeight} />
                      </td>
                      <td className="nowrap">
                        <Link href={rolloutHrefs.rollout(r.id)}>
                          <Time value={r.created} />
                        </Link>
                        <span className="muted row-status">by {r.createdBy}</span>
                      </td>
                      <td className="rollouts__message">{r.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label="Rollout pages">
              {filters.cursor ? <Link href={rolloutHrefs.list({ ...filters, cursor: null })}>← Newest</Link> : null}
              {data.next ? (
                <Link href={rolloutHrefs.list({ ...filters, cursor: data.next })} className="button">
                  Older rollouts →
                </Link>
              ) : (
                <span className="muted">No older rollouts.</span>
              )}
            </nav>
          </>
        )}
      </ResourceView>
    </>
  );
}

function FilterForm({ filters }: { filters: RolloutFilters }) {
  const router = useRouter();
  const [values, setValues] = useState<Record<Field, string>>(() => read(filters));
  const signature = FIELDS.map((f) => filters[f] ?? '').join('\u0000');
  // The URL is the source of truth: back/forward and links update the form.
  useEffect(() => setValues(read(filters)), [signature]);

  function submit(event: FormEvent) {
    event.preventDefault();
    router.push(rolloutHrefs.list(Object.fromEntries(FIELDS.map((f) => [f, values[f].trim() || null]))));
  }

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter rollouts" role="search">
      <div className="field">
        <label htmlFor="rf-status">Status</label>
        <select id="rf-status" name="status" value={values.status} onChange={(e) => setValues({ ...values, status: e.target.value })}>
          <option value="">any</option>
          <option value="active">active (not finished)</option>
          <option value="finished">finished</option>
          {ALL_PHASES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="rf-service">Service</label>
        <input id="rf-service" name="service" value={values.service} placeholder="demo" autoComplete="off" spellCheck={false} onChange={(e) => setValues({ ...values, service: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="rf-environment">Environment</label>
        <input
          id="rf-environment"
          name="environment"
          value={values.environment}
          placeholder="prod"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setValues({ ...values, environment: e.target.value })}
        />
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply
        </button>
        <Link href={rolloutHrefs.list()} className="button">
          Reset
        </Link>
      </div>
    </form>
  );
}

function read(filters: RolloutFilters): Record<Field, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, filters[f] ?? ''])) as Record<Field, string>;
}
