'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { absoluteTime, relativeTime } from '@/lib/format';
import { culpritCheck, getHealth, getSystem, monitoringHrefs, parentsOf, type CheckSummary, type HealthNode, type HealthView, type SystemView } from '@/lib/monitoring';
import { CheckLink, FlappingFlag, HistoryStrip, LiveIndicator, NodeName, SinceText, StatusBadge, useLiveResource } from './monitoring-bits';
import { TreeNode } from './health';
import { BlockSkeleton, EmptyState, ResourceView } from './states';

const TOPICS = ['health'] as const;

/** `/systems/?id=`: one system. */
export function SystemRoute() {
  const id = useSearchParams().get('id');
  if (!id) {
    return (
      <EmptyState title="Which system?">
        <p>
          Pick a system on the <Link href={monitoringHrefs.health()}>health page</Link>.
        </p>
      </EmptyState>
    );
  }
  return <SystemPage key={id} id={id} />;
}

interface Loaded {
  view: SystemView;
  /** The whole tree, for the "part of" links; null when it failed to load. */
  health: HealthView | null;
}

async function load(id: string, signal: AbortSignal): Promise<Loaded> {
  const [view, health] = await Promise.all([getSystem(id, { signal }), getHealth({ signal }).catch(() => null)]);
  return { view, health };
}

function SystemPage({ id }: { id: string }) {
  const data = useLiveResource(`system:${id}`, (signal) => load(id, signal), TOPICS);
  const now = Date.now();
  return (
    <>
      <div className="page-head page-head--actions">
        <div>
          <p className="crumbs">
            <Link href={monitoringHrefs.health()}>Health</Link> / system
          </p>
          <h1 id="system-heading">
            {data.data ? <StatusBadge status={data.data.view.system.status} /> : null}
            {id}
          </h1>
        </div>
        <LiveIndicator status={data.live} />
      </div>
      <ResourceView resource={data} loading={<BlockSkeleton lines={6} label="Loading the system" />} failed="Could not load the system" notFound={`No system named "${id}"`}>
        {(loaded) => <SystemBody loaded={loaded} now={now} />}
      </ResourceView>
    </>
  );
}

function SystemBody({ loaded, now }: { loaded: Loaded; now: number }) {
  const { system, checks: summaries } = loaded.view;
  const checks = new Map(summaries.map((c) => [c.name, c]));
  const parents = loaded.health ? parentsOf(loaded.health.roots, system.name) : [];
  const culprit = culpritCheck(system);
  const culpritSummary = culprit ? checks.get(culprit) : undefined;
  const subsystems = system.children.filter((c) => c.kind === 'system');
  const services = system.children.filter((c) => c.kind === 'service');
  return (
    <>
      <section className="section" aria-label="Status">
        <p className={system.status === 'ok' ? 'muted' : 'system-reason'} data-testid="system-reason">
          {system.reason}
        </p>
        <dl className="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={system.status} />
              {culpritSummary && system.status !== 'ok' ? <SinceText check={culpritSummary} now={now} /> : null}
            </dd>
          </div>
          <div>
            <dt>Part of</dt>
            <dd>
              {parents.length === 0 ? (
                <span className="muted">{loaded.health ? 'no other system (a root)' : 'unknown'}</span>
              ) : (
                parents.map((p, i) => (
                  <span key={p}>
                    {i > 0 ? ', ' : null}
                    <Link href={monitoringHrefs.system(p)}>{p}</Link>
                  </span>
                ))
              )}
            </dd>
          </div>
          <div>
            <dt>As of</dt>
            <dd>
              <time dateTime={loaded.view.generatedAt} title={absoluteTime(loaded.view.generatedAt)}>
                {relativeTime(loaded.view.generatedAt, now)}
              </time>
            </dd>
          </div>
        </dl>
      </section>

      <MemberTable title="Subsystems" id="subsystems" members={subsystems} checks={checks} now={now} empty="No subsystems." />
      <MemberTable title="Services" id="services" members={services} checks={checks} now={now} empty="No services." />
      <ChecksTable title="Checks" id="checks" summaries={summaries} now={now} />

      {subsystems.length > 0 ? (
        <section className="section" aria-labelledby="tree-heading">
          <h2 id="tree-heading">Everything below</h2>
          <ul className="health-tree">
            {system.children.map((child) => (
              <TreeNode
                key={`${child.kind}:${child.name}`}
                node={child}
                checks={checks}
                roots={loaded.health?.roots ?? [system]}
                status={null}
                text={null}
                now={now}
                parent={system.name}
              />
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function MemberTable({
  title,
  id,
  members,
  checks,
  now,
  empty,
}: {
  title: string;
  id: string;
  members: readonly HealthNode[];
  checks: ReadonlyMap<string, CheckSummary>;
  now: number;
  empty: string;
}) {
  return (
    <section className="section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      {members.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-scroll">
          <table className="table" data-testid={`${id}-table`}>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Name</th>
                <th scope="col">Since</th>
                <th scope="col">Checks</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const culprit = culpritCheck(m);
                const summary = culprit ? checks.get(culprit) : undefined;
                return (
                  <tr key={m.name} data-node={m.name} data-status={m.status}>
                    <td>
                      <StatusBadge status={m.status} />
                    </td>
                    <th scope="row">
                      <NodeName node={m} />
                      {m.environments && m.environments.length > 0 ? <span className="muted"> in {m.environments.join(', ')}</span> : null}
                    </th>
                    <td className="nowrap">{summary && m.status !== 'ok' ? <SinceText check={summary} now={now} /> : <span className="muted">—</span>}</td>
                    <td>
                      {m.checks.length === 0 ? (
                        <span className="muted">—</span>
                      ) : (
                        m.checks.map((c) => (
                          <span key={c.name} className="check-chip">
                            <StatusBadge status={c.status} />
                            <CheckLink name={c.name} />
                          </span>
                        ))
                      )}
                    </td>
                    <td className={m.status === 'ok' ? 'muted' : undefined}>{m.reason}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ChecksTable({ title, id, summaries, now }: { title: string; id: string; summaries: readonly CheckSummary[]; now: number }) {
  return (
    <section className="section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      {summaries.length === 0 ? (
        <p className="muted">No checks here or below.</p>
      ) : (
        <div className="table-scroll">
          <table className="table" data-testid={`${id}-table`}>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Check</th>
                <th scope="col">Last hour</th>
                <th scope="col">Since</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {summaries.map((c) => (
                <tr key={c.name} data-check={c.name} data-status={c.status}>
                  <td>
                    <StatusBadge status={c.status} />
                    {c.flapping.flapping ? <FlappingFlag changes={c.flapping.changes} /> : null}
                  </td>
                  <th scope="row">
                    <CheckLink name={c.name} />
                    <span className="muted">
                      {' '}
                      {c.type}
                      {c.service ? ` · ${c.service}` : ''}
                      {c.environment ? ` in ${c.environment}` : ''}
                    </span>
                  </th>
                  <td>
                    <HistoryStrip slots={c.strip} name={c.name} />
                  </td>
                  <td className="nowrap">
                    <SinceText check={c} now={now} />
                  </td>
                  <td className={c.status === 'ok' ? 'muted' : undefined}>{c.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
