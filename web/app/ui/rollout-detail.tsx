'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError } from '@/lib/api';
import { hrefs } from '@/lib/routes';
import {
  actOnRollout,
  decideGate,
  durationText,
  getRollout,
  LIVE_REFRESH_MS,
  rolloutHrefs,
  type ButtonVerb,
  type GateView,
  type RolloutView,
} from '@/lib/rollouts';
import { useResource } from '@/lib/use-resource';
import { EnvironmentLink, ServiceLink, Time } from './bits';
import { ActorField, PhaseBadge } from './rollout-bits';
import { notAllowedTitle, useSession } from '@/lib/auth';
import { Sparkline, WeightBar, WeightChart } from './rollout-charts';
import { BlockSkeleton, EmptyState, ErrorState, StaleNotice } from './states';

/** `/rollouts/?id=X`: one rollout, live while it runs. */
export function RolloutPage({ id }: { id: string }) {
  const [live, setLive] = useState(true);
  const rollout = useResource(`rollout:${id}`, (signal) => getRollout(id, { signal }), { refreshMs: live ? LIVE_REFRESH_MS : undefined });
  const finished = rollout.data?.finished ?? false;
  // Stop polling once the rollout has ended; a new id starts live again.
  if (finished && live) setLive(false);
  if (!finished && !live && rollout.data) setLive(true);

  return (
    <>
      <div className="page-head">
        <p className="crumbs">
          <Link href={rolloutHrefs.list()}>Rollouts</Link> / <code>{id}</code>
        </p>
      </div>
      {rollout.status === 'loading' ? (
        <RolloutSkeleton />
      ) : rollout.status === 'error' && rollout.error.notFound ? (
        <EmptyState title={`No rollout with id “${id}”`}>
          <p>
            It may have been typed wrong. See <Link href={rolloutHrefs.list()}>all rollouts</Link>.
          </p>
        </EmptyState>
      ) : rollout.status === 'error' && !rollout.data ? (
        <ErrorState error={rollout.error} onRetry={rollout.reload} title="Could not load this rollout" />
      ) : (
        <>
          {rollout.status === 'error' ? <StaleNotice error={rollout.error} onRetry={rollout.reload} /> : null}
          <RolloutBody view={rollout.data!} reload={rollout.reload} />
        </>
      )}
    </>
  );
}

export function RolloutSkeleton() {
  return <BlockSkeleton lines={8} label="Loading the rollout" />;
}

function RolloutBody({ view, reload }: { view: RolloutView; reload: () => void }) {
  return (
    <>
      <Header view={view} />
      <Operate view={view} reload={reload} />
      {view.waitingGate ? <GatePanel id={view.id} gate={view.waitingGate} reload={reload} /> : null}
      {view.pause && !view.finished && !view.waitingGate ? <PausePanel view={view} /> : null}
      {view.failure ? (
        <section className="section section--bad" aria-labelledby="failure-heading">
          <h2 id="failure-heading">Why it rolled back</h2>
          <p>
            <code>{view.failure.error}</code>: {view.failure.cause}
          </p>
        </section>
      ) : null}
      <div className="rollout-grid">
        <Weights view={view} />
        <Steps view={view} />
      </div>
      <Analysis view={view} />
      <Gates view={view} />
      <ActionLog view={view} />
    </>
  );
}

function Header({ view }: { view: RolloutView }) {
  return (
    <section className="section rollout-head" aria-labelledby="rollout-heading">
      <h1 id="rollout-heading" className="rollout-head__title">
        <span>
          {view.service} → {view.environment}
        </span>
        <PhaseBadge label={view.phase} tone={view.phaseTone} title={view.phaseLabel} />
      </h1>
      <p className="rollout-head__message" role="status" aria-live="polite" data-testid="rollout-message">
        <strong>{view.phaseLabel}.</strong> {view.message}
      </p>
      {view.description ? <p className="muted">{view.description}</p> : null}
      <dl className="facts facts--grid">
        <div>
          <dt>Versions</dt>
          <dd>
            <code title={view.fromFull ?? undefined}>{view.from}</code> → <code title={view.toFull}>{view.to}</code>
          </dd>
        </div>
        <div>
          <dt>Strategy</dt>
          <dd>
            {view.strategy} <span className="muted">via {view.targetType}</span>
          </dd>
        </div>
        <div>
          <dt>Service / environment</dt>
          <dd>
            <ServiceLink name={view.service} /> / <EnvironmentLink name={view.environment} />
          </dd>
        </div>
        <div>
          <dt>Progress</dt>
          <dd>
            {view.progress}
            {view.currentStep ? <span className="muted"> — {view.currentStep.title}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <Time value={view.created} /> by {view.createdBy}
          </dd>
        </div>
        <div>
          <dt>{view.finished ? 'Finished' : 'Running for'}</dt>
          <dd>
            {view.finishedAt ? (
              <>
                <Time value={view.finishedAt} /> after {view.durations.total}
              </>
            ) : (
              view.durations.total
            )}
          </dd>
        </div>
        <div>
          <dt>Waiting on people</dt>
          <dd>{view.durations.waitingOnPeople}</dd>
        </div>
        {!view.finished ? (
          <div>
            <dt>In the current step</dt>
            <dd>{view.durations.currentStep}</dd>
          </div>
        ) : null}
        {view.retryOf ? (
          <div>
            <dt>Retry of</dt>
            <dd>
              <Link href={rolloutHrefs.rollout(view.retryOf)}>{view.retryOf}</Link>
            </dd>
          </div>
        ) : null}
        {view.undoOf ? (
          <div>
            <dt>Undo of</dt>
            <dd>
              <Link href={rolloutHrefs.rollout(view.undoOf)}>{view.undoOf}</Link>
            </dd>
          </div>
        ) : null}
      </dl>
      <p className="page-head__links">
        <Link href={hrefs.timeline({ service: view.service })}>Timeline of {view.service} →</Link>
        <span className="muted"> · </span>
        <Link href={hrefs.timeline({ service: view.service, environment: view.environment })}>
          Timeline of {view.service} in {view.environment} →
        </Link>
      </p>
    </section>
  );
}

const VERBS: { verb: ButtonVerb; label: string; hint: string }[] = [
  { verb: 'promote', label: 'Promote', hint: 'Finish the current pause or step and go on' },
  { verb: 'promote-full', label: 'Promote fully', hint: 'Skip all remaining steps: send all traffic to the new version' },
  { verb: 'pause', label: 'Pause', hint: 'Hold at the current step until resumed' },
  { verb: 'resume', label: 'Resume', hint: 'Continue after a pause' },
  { verb: 'retry', label: 'Retry', hint: 'Run this rollout again from the start, as a new rollout' },
  { verb: 'undo', label: 'Undo', hint: 'Roll back to the previous version, as a new rollout' },
];

function Operate({ view, reload }: { view: RolloutView; reload: () => void }) {
  const { can } = useSession();
  const mayOperate = can('rollouts:operate');
  const router = useRouter();
  const [busy, setBusy] = useState<ButtonVerb | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [confirmAbort, setConfirmAbort] = useState(false);
  const [comment, setComment] = useState('');

  async function run(verb: ButtonVerb) {
    setBusy(verb);
    setError(null);
    try {
      const result = await actOnRollout(view.id, verb, comment.trim() || undefined);
      setComment('');
      setConfirmAbort(false);
      if (result.id !== view.id) router.push(rolloutHrefs.rollout(result.id));
      else reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError('client_error', null, String(e), 0));
    } finally {
      setBusy(null);
    }
  }

  const anyAllowed = Object.values(view.allowed).some(Boolean);
  if (!anyAllowed) return null;
  return (
    <section className="section operate" aria-labelledby="operate-heading">
      <h2 id="operate-heading">Operate</h2>
      <div className="operate__row">
        <ActorField id="op-actor" />
        <div className="field operate__comment">
          <label htmlFor="op-comment">Comment (optional, kept in the action log)</label>
          <input id="op-comment" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="why" autoComplete="off" />
        </div>
        <div className="operate__buttons" role="group" aria-label="Operator actions">
          {VERBS.map(({ verb, label, hint }) => (
            <button
              key={verb}
              type="button"
              className="button"
              title={mayOperate ? hint : notAllowedTitle('rollouts:operate')}
              disabled={!mayOperate || !view.allowed[verb] || busy !== null}
              aria-busy={busy === verb ? true : undefined}
              onClick={() => void run(verb)}
            >
              {busy === verb ? `${label}…` : label}
            </button>
          ))}
          <button
            type="button"
            className="button button--danger"
            title={mayOperate ? 'Send traffic back to the stable version and end the rollout as Aborted' : notAllowedTitle('rollouts:operate')}
            disabled={!mayOperate || !view.allowed.abort || busy !== null}
            aria-expanded={confirmAbort}
            aria-controls="abort-confirm"
            onClick={() => setConfirmAbort(true)}
          >
            Abort…
          </button>
        </div>
      </div>
      {confirmAbort && view.allowed.abort ? (
        <div id="abort-confirm" className="confirm" role="alertdialog" aria-labelledby="abort-confirm-text">
          <p id="abort-confirm-text">
            Abort this rollout? All traffic goes back to <code>{view.from}</code> and the rollout ends as Aborted.
          </p>
          <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => void run('abort')}>
            {busy === 'abort' ? 'Aborting…' : 'Yes, abort'}
          </button>{' '}
          <button type="button" className="button" onClick={() => setConfirmAbort(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="field__error" role="alert">
          {error.status === 409 ? 'Not possible now: ' : 'Failed: '}
          {error.message}
        </p>
      ) : null}
    </section>
  );
}

function GatePanel({ id, gate, reload }: { id: string; gate: GateView; reload: () => void }) {
  const { can } = useSession();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  async function decide(decision: 'approve' | 'reject') {
    setBusy(decision);
    setError(null);
    try {
      await decideGate(id, gate.name, decision, comment.trim() || undefined);
      setComment('');
      reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError('client_error', null, String(e), 0));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="section gate-panel" aria-labelledby="gate-heading" data-testid="gate-panel">
      <h2 id="gate-heading">Approval needed: gate {gate.name}</h2>
      <p>
        Waiting since <Time value={gate.requested} />
        {gate.deadline ? (
          <>
            ; on <Time value={gate.deadline} /> ({gate.deadline.absolute}) it times out and the rollout will{' '}
            <strong>{gate.onTimeout === 'abort' ? 'abort' : 'be promoted'}</strong>
          </>
        ) : (
          '; it waits until someone decides'
        )}
        .
      </p>
      <div className="field">
        <label htmlFor="gate-comment">Comment</label>
        <textarea id="gate-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="What you checked" />
      </div>
      {can('gates:decide') ? (
        <p className="gate-panel__buttons">
          <button type="button" className="button button--primary" disabled={busy !== null} onClick={() => void decide('approve')}>
            {busy === 'approve' ? 'Approving…' : `Approve ${gate.name}`}
          </button>{' '}
          <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => void decide('reject')}>
            {busy === 'reject' ? 'Rejecting…' : `Reject ${gate.name}`}
          </button>
        </p>
      ) : (
        <p className="gate-panel__buttons">{notAllowedTitle('gates:decide')}.</p>
      )}
      {error ? (
        <p className="field__error" role="alert">
          {error.message}
        </p>
      ) : null}
    </section>
  );
}

function PausePanel({ view }: { view: RolloutView }) {
  const pause = view.pause!;
  return (
    <section className="section pause-panel" aria-labelledby="pause-heading">
      <h2 id="pause-heading">Paused: {pause.reason}</h2>
      <p>
        Waiting for <strong>{pause.waitingFor}</strong> since <Time value={pause.since} />
        {pause.until ? (
          <>
            {' '}
            until <Time value={pause.until} /> ({pause.until.absolute})
          </>
        ) : (
          ', until a person acts'
        )}
        .
      </p>
    </section>
  );
}

function Weights({ view }: { view: RolloutView }) {
  return (
    <section className="section" aria-labelledby="weights-heading">
      <h2 id="weights-heading">Traffic</h2>
      {view.weights.length === 0 ? (
        <p className="muted">No traffic has been shifted yet.</p>
      ) : (
        <table className="table weights">
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Version</th>
              <th scope="col" className="num">
                Desired
              </th>
              <th scope="col" className="num">
                Actual
              </th>
            </tr>
          </thead>
          <tbody>
            {view.weights.map((w) => (
              <tr key={w.role} data-role={w.role}>
                <th scope="row">{w.role}</th>
                <td title={w.artifactId ?? undefined}>
                  <code>{w.version}</code>
                </td>
                <td className="num">{w.desired}%</td>
                <td className="num">{w.actual === null ? <span className="muted">unconfirmed</span> : `${w.actual}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <WeightBar canary={view.canaryWeight} />
      </p>
      <WeightChart points={view.chart} live={!view.finished} service={view.service} />
    </section>
  );
}

function Steps({ view }: { view: RolloutView }) {
  return (
    <section className="section" aria-labelledby="steps-heading">
      <h2 id="steps-heading">Steps</h2>
      {view.steps.length === 0 ? (
        <p className="muted">No steps.</p>
      ) : (
        <ol className="steps">
          {view.steps.map((s) => (
            <li
              key={s.index}
              className={`steps__item steps__item--${s.tone}${s.current ? ' steps__item--current' : ''}`}
              aria-current={s.current ? 'step' : undefined}
              data-status={s.status}
            >
              <span className="steps__index">{s.index + 1}</span>
              <span className="steps__title">{s.title}</span>
              <PhaseBadge label={s.status} tone={s.tone} />
              <span className="steps__time muted">
                {s.started ? (
                  <>
                    <Time value={s.started} />
                    {s.tookSeconds !== null ? ` · ${durationText(s.tookSeconds)}` : ''}
                  </>
                ) : null}
                {s.waitedOnPeopleSeconds > 0 ? ` · waited on people ${durationText(s.waitedOnPeopleSeconds)}` : ''}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Analysis({ view }: { view: RolloutView }) {
  return (
    <section className="section" aria-labelledby="analysis-heading">
      <h2 id="analysis-heading">Analysis</h2>
      {view.analysisRuns.length === 0 ? (
        <p className="muted">No analysis has run yet.</p>
      ) : (
        view.analysisRuns.map((run) => (
          <article key={run.id} className="analysis-run" data-testid="analysis-run" data-phase={run.phase}>
            <h3 className="analysis-run__title">
              <PhaseBadge label={run.phase} tone={run.tone} /> {run.kind} at step {run.stepIndex + 1}
              <span className="muted"> — {run.templates}</span>
            </h3>
            <p className="muted">
              started <Time value={run.started} />
              {run.finished ? (
                <>
                  , finished <Time value={run.finished} />
                </>
              ) : null}
              {run.message ? ` — ${run.message}` : ''}
            </p>
            {run.metrics.map((metric) => (
              <div key={metric.name} className="metric">
                <p className="metric__head">
                  <PhaseBadge label={metric.phase} tone={metric.tone} /> <strong>{metric.name}</strong> <span className="muted">{metric.counts}</span>{' '}
                  <Sparkline values={metric.series} label={`${metric.name} measurements, oldest to newest: ${metric.series.join(', ')}`} />
                </p>
                {metric.message ? <p className="metric__message">{metric.message}</p> : null}
                {metric.measurements.length > 0 ? (
                  <div className="table-scroll">
                    <table className="table measurements">
                      <caption className="visually-hidden">Measurements of {metric.name}</caption>
                      <thead>
                        <tr>
                          <th scope="col">#</th>
                          <th scope="col">Time</th>
                          <th scope="col" className="num">
                            Value
                          </th>
                          <th scope="col" className="num">
                            Samples
                          </th>
                          <th scope="col">Phase</th>
                          <th scope="col">Note</th>
                        </tr>
                      </thead>
                      <tbody>
                        {metric.measurements.map((m, i) => (
                          <tr key={i}>
                            <td className="num">{i + 1}</td>
                            <td className="nowrap">
                              <Time value={m.at} />
                            </td>
                            <td className="num">
                              <code>{m.value}</code>
                            </td>
                            <td className="num">{m.samples}</td>
                            <td>
                              <PhaseBadge label={m.phase} tone={m.tone} />
                            </td>
                            <td className="wrap">{m.message ?? ''}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                ) : (
                  <p className="muted">No measurement yet.</p>
                )}
              </div>
            ))}
          </article>
        ))
      )}
    </section>
  );
}

function Gates({ view }: { view: RolloutView }) {
  if (view.gates.length === 0) return null;
  return (
    <section className="section" aria-labelledby="gates-heading">
      <h2 id="gates-heading">Gates</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Gate</th>
            <th scope="col">Status</th>
            <th scope="col">Requested</th>
            <th scope="col">Decided</th>
            <th scope="col">Comment</th>
          </tr>
        </thead>
        <tbody>
          {view.gates.map((g) => (
            <tr key={`${g.name}-${g.stepIndex}`}>
              <th scope="row">
                {g.name} <span className="muted">(step {g.stepIndex + 1})</span>
              </th>
              <td>
                <PhaseBadge label={g.status} tone={g.tone} />
              </td>
              <td className="nowrap">
                <Time value={g.requested} />
              </td>
              <td className="nowrap">
                {g.decided ? (
                  <>
                    <Time value={g.decided} /> by {g.decidedBy ?? 'timeout'}
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="wrap">{g.comment ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ActionLog({ view }: { view: RolloutView }) {
  return (
    <section className="section" aria-labelledby="actions-heading">
      <h2 id="actions-heading">Action log</h2>
      {view.actions.length === 0 ? (
        <p className="muted">No one has acted on this rollout yet.</p>
      ) : (
        <table className="table actions">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Did</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {view.actions.map((a) => (
              <tr key={a.key}>
                <td className="nowrap">
                  <Time value={a.at} />
                </td>
                <td>{a.actor}</td>
                <td>
                  {a.verb}
                  {a.gate ? ` gate ${a.gate}` : ''}
                </td>
                <td className="wrap">{a.comment ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
