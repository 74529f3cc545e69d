'use client';
import type { PhaseTone } from '@/lib/rollouts';
import { useSession } from '@/lib/auth';

/** A phase or status as a coloured pill; the words carry the meaning, the colour only helps. */
export function PhaseBadge({ label, tone, title }: { label: string; tone: PhaseTone; title?: string }) {
  return (
    <span className={`badge phase phase--${tone}`} title={title} data-phase={label}>
      {label}
    </span>
  );
}

/** "Acting as": the signed-in user the action log records for this tab's actions (from the token). */
export function ActorField({ id }: { id: string }) {
  const { user } = useSession();
  return (
    <div className="field actor-field">
      <span id={id} className="actor-field__label">
        Acting as
      </span>{' '}
      <strong aria-labelledby={id}>{user ? `${user.name} (${user.role})` : 'not signed in'}</strong>
    </div>
  );
}
