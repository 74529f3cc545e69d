'use client';
import { useEffect, useState } from 'react';
import { getActor, setActor, type PhaseTone } from '@/lib/rollouts';

/** A phase or status as a coloured pill; the words carry the meaning, the colour only helps. */
export function PhaseBadge({ label, tone, title }: { label: string; tone: PhaseTone; title?: string }) {
  return (
    <span className={`badge phase phase--${tone}`} title={title} data-phase={label}>
      {label}
    </span>
  );
}

/** "Acting as": the name the action log records for this browser's actions (locally; Cognito decides in AWS). */
export function ActorField({ id }: { id: string }) {
  const [name, setName] = useState('');
  // Read after mount: the static page is rendered without storage.
  useEffect(() => setName(getActor()), []);
  return (
    <div className="field actor-field">
      <label htmlFor={id}>Acting as</label>
      <input
        id={id}
        value={name}
        placeholder="your name"
        autoComplete="off"
        maxLength={128}
        pattern="[A-Za-z0-9 ._@+\-]{1,128}"
        title="Letters, digits, space and . _ @ + -"
        onChange={(e) => {
          setName(e.target.value);
          setActor(e.target.value);
        }}
      />
    </div>
  );
}
