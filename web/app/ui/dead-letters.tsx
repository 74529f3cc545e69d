'use client';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { ApiError, getDeadLetters, replayDeadLetter, type DeadLetterView } from '@/lib/api';
import { hrefs } from '@/lib/routes';
import { useResource } from '@/lib/use-resource';
import { Time } from './bits';
import { notAllowedTitle, useSession } from '@/lib/auth';
import { EmptyState, ResourceView, TableSkeleton } from './states';

/** `/dead-letters/[?cursor=]`: bus deliveries that failed every retry, each with a Replay button. */
export function DeadLettersPage() {
  const cursor = useSearchParams().get('cursor');
  const letters = useResource(`dead-letters:${cursor ?? ''}`, (signal) => getDeadLetters(cursor, { signal }), { refreshMs: 30_000 });
  return (
    <>
      <div className="page-head">
        <h1>Dead letters</h1>
        <p className="page-head__lede">Events a consumer could not process after its retries. Fix the cause, then replay.</p>
      </div>
      <ResourceView
        resource={letters}
        loading={<TableSkeleton rows={4} columns={6} label="Loading dead letters" />}
        failed="Could not load the dead letters"
        empty={(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No dead letters">
              <p>Every consumer has processed every event it received.</p>
            </EmptyState>
          ) : null
        }
      >
        {(data) => (
          <>
            <ReplayAll letters={data.items} onDone={letters.reload} />
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Last failed</th>
                    <th scope="col">Consumer</th>
                    <th scope="col">Error</th>
                    <th scope="col" className="num">
                      Attempts
                    </th>
                    <th scope="col">Event</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((d) => (
                    <DeadLetterRow key={d.id} letter={d} onReplayed={letters.reload} />
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label="Dead letter pages">
              {cursor ? <Link href={hrefs.deadLetters()}>← Newest</Link> : null}
              {data.next ? <Link href={hrefs.withQuery('/dead-letters/', { cursor: data.next })}>Older →</Link> : null}
            </nav>
          </>
        )}
      </ResourceView>
    </>
  );
}

/** Replays every pending letter on this page, one at a time, and says how many failed. */
function ReplayAll({ letters, onDone }: { letters: DeadLetterView[]; onDone: () => void }) {
  const { can } = useSession();
  const pending = letters.filter((d) => !d.replayed);
  const [progress, setProgress] = useState<{ running: boolean; done: number; failed: number } | null>(null);
  if (pending.length === 0 && !progress) return null;

  async function replayAll() {
    let done = 0;
    let failed = 0;
    setProgress({ running: true, done, failed });
    for (const letter of pending) {
      try {
        await replayDeadLetter(letter.id);
        done += 1;
      } catch {
        failed += 1;
      }
      setProgress({ running: true, done, failed });
    }
    setProgress({ running: false, done, failed });
    onDone();
  }

  return (
    <div className="toolbar">
      <p className="muted">
        {pending.length} pending on this page.
      </p>
      <div>
        <button type="button" className="button" onClick={replayAll} disabled={!can('deadLetters:replay') || progress?.running || pending.length === 0} title={can('deadLetters:replay') ? undefined : notAllowedTitle('deadLetters:replay')}>
          {progress?.running ? `Replaying… ${progress.done + progress.failed}/${pending.length}` : 'Replay all pending'}
        </button>
        <span role="status" className="row-status">
          {progress && !progress.running ? `${progress.done} replayed${progress.failed ? `, ${progress.failed} failed` : ''}` : null}
        </span>
      </div>
    </div>
  );
}

function DeadLetterRow({ letter, onReplayed }: { letter: DeadLetterView; onReplayed: () => void }) {
  const { can } = useSession();
  const [state, setState] = useState<{ busy: boolean; error: ApiError | null }>({ busy: false, error: null });

  async function replay() {
    setState({ busy: true, error: null });
    try {
      await replayDeadLetter(letter.id);
      setState({ busy: false, error: null });
      onReplayed();
    } catch (error) {
      setState({ busy: false, error: error instanceof ApiError ? error : new ApiError('client_error', null, String(error), 0) });
    }
  }

  return (
    <tr className={letter.replayed ? 'row--removed' : undefined}>
      <td className="nowrap">
        <Time value={letter.lastFailed} />
      </td>
      <td>{letter.consumer}</td>
      <td className="wrap">
        {letter.error}
        <details>
          <summary>Payload</summary>
          <pre className="code json">{letter.payloadJson}</pre>
        </details>
      </td>
      <td className="num">{letter.attempts}</td>
      <td>{letter.eventKey ? <Link href={hrefs.event(letter.eventKey)}>event</Link> : <span className="muted">—</span>}</td>
      <td>
        {letter.replayed ? (
          <span className="badge badge--valid">replayed</span>
        ) : (
          <button type="button" className="button" onClick={replay} disabled={state.busy || !can('deadLetters:replay')} title={can('deadLetters:replay') ? undefined : notAllowedTitle('deadLetters:replay')} aria-label={`Replay dead letter ${letter.id}`}>
            {state.busy ? 'Replaying…' : 'Replay'}
          </button>
        )}
        <span role="status" className="row-status">
          {state.error ? <span className="field__error">{state.error.message}</span> : null}
        </span>
      </td>
    </tr>
  );
}
