'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { absoluteTime, relativeTime } from '@/lib/format';
import {
  culpritCheck,
  getHealth,
  monitoringHrefs,
  nodeMatches,
  parentsOf,
  parseStatusFilter,
  statusCounts,
  statusPasses,
  STATUSES,
  type CheckSummary,
  type HealthNode,
  type HealthView,
  type StatusFilter,
} from '@/lib/monitoring';
import { CheckLink, FlappingFlag, HistoryStrip, LiveIndicator, NodeName, SinceText, StatusBadge, useLiveResource } from './monitoring-bits';
import { EmptyState, ResourceView, TableSkeleton } from './states';

const TOPICS = ['health'] as const;

/** `/health/?status=&q=`: every system with every layer below it, worst first in words and colour. */
export function HealthPage() {
  const params = useSearchParams();
  const status = parseStatusFilter(params.get('status'));
  const text = params.get('q')?.trim() || null;
  const health = useLiveResource('health', (signal) => getHealth({ signal }), TOPICS);
  const now = Date.now();

  return (
    <>
      <div className="page-head page-head--actions">
        <div>
          <h1>Health</h1>
          <p className="page-head__lede">
            Every system with its subsystems, services and checks. A node is as bad as its worst check or member; the reason says which.
          </p>
        </div>
        <LiveIndicator status={health.live} />
      </div>
      <HealthFilters status={status} text={text} />
      <ResourceView resource={health} loading={<TableSkeleton rows={8} columns={5} label="Loading health" />} failed="Could not load health">
        {(view) => <HealthBody view={view} status={status} text={text} now={now} />}
      </ResourceView>
    </>
  );
}

function HealthBody({ view, status, text, now }: { view: HealthView; status: StatusFilter; text: string | null; now: number }) {
  const checks = new Map(view.checks.map((c) => [c.name, c]));
  const counts = statusCounts(view.checks);
  const roots = view.roots.filter((r) => nodeMatches(r, status, text));
  const filtered = status !== null || text !== null;
  return (
    <>
      {view.configErrors.length > 0 ? <ConfigErrors errors={view.configErrors} /> : null}
      <p className="health-summary" data-testid="health-summary">
        {STATUSES.map((s) => (
          <span key={s} className="health-summary__item">
            <StatusBadge status={s} /> {counts[s]} check{counts[s] === 1 ? '' : 's'}
          </span>
        ))}
        <span className="muted">
          as of{' '}
          <time dateTime={view.generatedAt} title={absoluteTime(view.generatedAt)}>
            {relativeTime(view.generatedAt, now)}
          </time>
        </span>
      </p>
      {view.roots.length === 0 ? (
        <EmptyState title="No systems declared">
          <p>
            Declare systems, services and checks in the <code>signalbox/</code> config folder (see its README); they show here after the next load.
          </p>
        </EmptyState>
      ) : roots.length === 0 ? (
        <EmptyState title="Nothing matches these filters">
          <p>
            <Link href={monitoringHrefs.health()}>Clear the filters</Link>
          </p>
        </EmptyState>
      ) : (
        <section className="section" aria-label="Systems">
          <ul className="health-tree" data-testid="health-tree">
            {roots.map((root) => (
              <TreeNode key={root.name} node={root} checks={checks} roots={view.roots} status={status} text={text} now={now} parent={null} />
            ))}
          </ul>
          {filtered ? (
            <p className="muted">
              Filtered. <Link href={monitoringHrefs.health()}>Show everything</Link>
            </p>
          ) : null}
        </section>
      )}
    </>
  );
}

export function ConfigErrors({ errors }: { errors: readonly string[] }) {
  return (
    <section className="section section--bad" aria-labelledby="config-errors-heading" data-testid="config-errors">
      <h2 id="config-errors-heading">
        {errors.length} problem{errors.length === 1 ? '' : 's'} in the config folder
      </h2>
      <p className="muted">The valid part of the config is shown and checked; fix these and restart (or redeploy).</p>
      <ul className="config-errors">
        {errors.map((e, i) => (
          <li key={i}>
            <code>{e}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * One node of the tree and everything below it that passes the filters. Shared subsystems appear
 * under each parent, with a note of the other parents.
 */
export function TreeNode({
  node,
  checks,
  roots,
  status,
  text,
  now,
  parent,
}: {
  node: HealthNode;
  checks: ReadonlyMap<string, CheckSummary>;
  roots: readonly HealthNode[];
  status: StatusFilter;
  text: string | null;
  now: number;
  parent: string | null;
}) {
  const needle = text?.toLowerCase() ?? '';
  const nameHit = !!needle && node.name.toLowerCase().includes(needle);
  const childText = nameHit ? null : text;
  const culprit = culpritCheck(node);
  const culpritSummary = culprit ? checks.get(culprit) : undefined;
  const others = node.kind === 'system' && parent ? parentsOf(roots, node.name).filter((p) => p !== parent) : [];
  const shownChecks = node.checks.filter((c) => statusPasses(c.status, status) && (!childText || c.name.toLowerCase().includes(childText.toLowerCase())));
  const shownChildren = node.children.filter((c) => nodeMatches(c, status, childText));
  return (
    <li className={`health-node health-node--${node.kind}${node.observed ? '' : ' health-node--unobserved'}`} data-node={node.name} data-kind={node.kind} data-status={node.status}>
      <div className="health-node__row">
        <StatusBadge status={node.status} />
        <span className="health-node__kind">{node.kind === 'system' ? (parent ? 'subsystem' : 'system') : 'service'}</span>
        <NodeName node={node} />
        {node.environments && node.environments.length > 0 ? <span className="muted"> in {node.environments.join(', ')}</span> : null}
        {others.length > 0 ? <span className="muted shared-note"> · also in {others.join(', ')}</span> : null}
        {culpritSummary && node.status !== 'ok' ? (
          <span className="health-node__since">
            <SinceText check={culpritSummary} now={now} />
          </span>
        ) : null}
      </div>
      <p className={`health-node__reason${node.status === 'ok' ? ' muted' : ''}`}>{node.reason}</p>
      {shownChecks.length > 0 || shownChildren.length > 0 ? (
        <ul className="health-tree">
          {shownChecks.map((c) => (
            <CheckRow key={`check:${c.name}`} name={c.name} fallbackStatus={c.status} fallbackMessage={c.message} summary={checks.get(c.name)} now={now} />
          ))}
          {shownChildren.map((child) => (
            <TreeNode key={`${child.kind}:${child.name}`} node={child} checks={checks} roots={roots} status={status} text={childText} now={now} parent={node.name} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function CheckRow({
  name,
  fallbackStatus,
  fallbackMessage,
  summary,
  now,
}: {
  name: string;
  fallbackStatus: CheckSummary['status'];
  fallbackMessage: string;
  summary: CheckSummary | undefined;
  now: number;
}) {
  const status = summary?.status ?? fallbackStatus;
  return (
    <li className="health-node health-node--check" data-check={name} data-status={status}>
      <div className="health-node__row">
        <StatusBadge status={status} />
        <span className="health-node__kind">check</span>
        <CheckLink name={name} />
        {summary ? <span className="muted"> {summary.type}</span> : null}
        {summary?.flapping.flapping ? <FlappingFlag changes={summary.flapping.changes} /> : null}
        {summary ? <HistoryStrip slots={summary.strip} name={name} /> : null}
        {summary ? (
          <span className="health-node__since">
            <SinceText check={summary} now={now} />
          </span>
        ) : null}
      </div>
      <p className={`health-node__reason${status === 'ok' ? ' muted' : ''}`}>{summary?.message ?? fallbackMessage}</p>
    </li>
  );
}

function HealthFilters({ status, text }: { status: StatusFilter; text: string | null }) {
  const router = useRouter();
  const [values, setValues] = useState({ status: status ?? '', q: text ?? '' });
  useEffect(() => setValues({ status: status ?? '', q: text ?? '' }), [status, text]);

  function submit(event: FormEvent) {
    event.preventDefault();
    router.push(monitoringHrefs.health({ status: values.status || null, q: values.q.trim() || null }));
  }

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter health" role="search">
      <div className="field">
        <label htmlFor="hf-status">Status</label>
        <select id="hf-status" value={values.status} onChange={(e) => setValues({ ...values, status: e.target.value })}>
          <option value="">any</option>
          <option value="problems">problems (not ok)</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="hf-q">Name contains</label>
        <input id="hf-q" value={values.q} placeholder="system, service or check" autoComplete="off" spellCheck={false} onChange={(e) => setValues({ ...values, q: e.target.value })} />
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply
        </button>
        <Link href={monitoringHrefs.health()} className="button">
          Reset
        </Link>
      </div>
    </form>
  );
}
