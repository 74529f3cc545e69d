'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '@/lib/api';
import {
  emptyStartForm,
  formToSpec,
  getRolloutPresets,
  jsonError,
  rolloutHrefs,
  slotForField,
  specToForm,
  startRollout,
  TARGET_INPUTS,
  TARGET_TYPES,
  type FormSlot,
  type StartForm,
  type TargetType,
} from '@/lib/rollouts';
import { useResource } from '@/lib/use-resource';
import { ActorField } from './rollout-bits';
import { notAllowedTitle, useSession } from '@/lib/auth';

const TARGET_LABELS: Record<string, { label: string; placeholder: string }> = {
  proxy: { label: 'Proxy', placeholder: 'demo' },
  url: { label: 'Webhook URL', placeholder: 'https://deploy.example.com/signalbox' },
  secretName: { label: 'Signing secret name', placeholder: 'signalbox/webhook' },
  timeoutSeconds: { label: 'Timeout (s)', placeholder: '10' },
  retries: { label: 'Retries', placeholder: '3' },
  functionName: { label: 'Function name', placeholder: 'payments-api' },
  alias: { label: 'Alias', placeholder: 'live' },
  region: { label: 'Region', placeholder: 'eu-west-1' },
};

/** `/rollouts/new/`: start a rollout from a preset or an edited spec. */
export function StartRolloutPage() {
  const { can } = useSession();
  const router = useRouter();
  const presets = useResource('rollout-presets', (signal) => getRolloutPresets({ signal }));
  const [preset, setPreset] = useState('');
  const [form, setForm] = useState<StartForm>(emptyStartForm);
  const [errors, setErrors] = useState<Record<FormSlot, string>>({});
  const [busy, setBusy] = useState(false);

  function pick(name: string) {
    setPreset(name);
    const found = presets.data?.find((p) => p.name === name);
    setForm(found ? specToForm(found.spec) : emptyStartForm());
    setErrors({});
  }

  function set<K extends keyof StartForm>(key: K, value: StartForm[K]) {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors(({ [key]: _gone, form: _form, ...rest }) => rest);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const built = formToSpec(form);
    if (built.errors) {
      setErrors(built.errors);
      focusFirst(built.errors);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const { id } = await startRollout(built.spec);
      router.push(rolloutHrefs.rollout(id));
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError('client_error', null, String(e), 0);
      const slot = error.status >= 400 && error.status < 500 ? slotForField(error.field, form.targetType) : 'form';
      const next = { [slot]: error.message };
      setErrors(next);
      focusFirst(next);
      setBusy(false);
    }
  }

  const liveJson = (slot: 'steps' | 'analysisTemplates' | 'options') =>
    slot === 'steps' ? jsonError(form.steps, 'array', false) : slot === 'analysisTemplates' ? jsonError(form.analysisTemplates, 'array', true) : jsonError(form.options, 'object', true);
  const chosen = presets.data?.find((p) => p.name === preset);

  return (
    <>
      <div className="page-head">
        <p className="crumbs">
          <Link href={rolloutHrefs.list()}>Rollouts</Link> / start
        </p>
        <h1>Start a rollout</h1>
        <p className="page-head__lede">Pick a preset to fill the form, or write the spec yourself. The server checks it fully and names any field at fault.</p>
      </div>
      <form className="section start-form" onSubmit={submit} noValidate aria-label="Rollout spec">
        <div className="field">
          <label htmlFor="sf-preset">Preset</label>
          <select id="sf-preset" value={preset} onChange={(e) => pick(e.target.value)} disabled={presets.status === 'loading'}>
            <option value="">{presets.status === 'loading' ? 'Loading presets…' : '— none: write the spec —'}</option>
            {(presets.data ?? []).map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
          {presets.status === 'error' ? <span className="field__error">Presets unavailable: {presets.error.message}</span> : null}
          {chosen ? <span className="field__hint">{chosen.description}</span> : null}
        </div>

        <fieldset className="start-form__group">
          <legend>What and where</legend>
          <Text slot="service" label="Service" value={form.service} onChange={(v) => set('service', v)} errors={errors} placeholder="demo" />
          <Text slot="environment" label="Environment" value={form.environment} onChange={(v) => set('environment', v)} errors={errors} placeholder="prod" />
          <Field slot="strategy" label="Strategy" errors={errors}>
            {(props) => (
              <select {...props} value={form.strategy} onChange={(e) => set('strategy', e.target.value as StartForm['strategy'])}>
                <option value="canary">canary</option>
                <option value="blueGreen">blue-green</option>
              </select>
            )}
          </Field>
          <Text slot="fromVersion" label="From version (artifact id; empty for a first deploy)" value={form.fromVersion} onChange={(v) => set('fromVersion', v)} errors={errors} placeholder="pkg:oci/demo@sha256:…?tag=1.0.0" />
          <Text slot="toVersion" label="To version (artifact id)" value={form.toVersion} onChange={(v) => set('toVersion', v)} errors={errors} placeholder="pkg:oci/demo@sha256:…?tag=2.0.0" />
          <Text slot="description" label="Why (shown on the rollout page)" value={form.description} onChange={(v) => set('description', v)} errors={errors} placeholder="" />
        </fieldset>

        <fieldset className="start-form__group">
          <legend>Traffic target</legend>
          <Field slot="targetType" label="Target type" errors={errors}>
            {(props) => (
              <select
                {...props}
                value={form.targetType}
                onChange={(e) => {
                  set('targetType', e.target.value as TargetType);
                  set('targetExtra', {});
                }}
              >
                {TARGET_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {TARGET_INPUTS[form.targetType].map((key) => (
            <Text
              key={`${form.targetType}-${key}`}
              slot={`target.${key}`}
              label={TARGET_LABELS[key]?.label ?? key}
              value={form.target[key] ?? ''}
              onChange={(v) => {
                setForm((f) => ({ ...f, target: { ...f.target, [key]: v } }));
                setErrors(({ [`target.${key}`]: _gone, ...rest }) => rest);
              }}
              errors={errors}
              placeholder={TARGET_LABELS[key]?.placeholder ?? ''}
            />
          ))}
        </fieldset>

        <fieldset className="start-form__group start-form__group--wide">
          <legend>Plan</legend>
          {form.strategy === 'canary' ? (
            <Json slot="steps" label="Steps (JSON array: setWeight, pause, analysis, gate)" value={form.steps} onChange={(v) => set('steps', v)} errors={errors} live={liveJson('steps')} rows={10} />
          ) : null}
          <Json
            slot="options"
            label={form.strategy === 'canary' ? 'Other settings (JSON object, e.g. background "analysis")' : 'Blue-green settings (JSON object: previewTarget, autoPromotionEnabled, prePromotionAnalysis, …)'}
            value={form.options}
            onChange={(v) => set('options', v)}
            errors={errors}
            live={liveJson('options')}
            rows={5}
          />
          <Json slot="analysisTemplates" label="Analysis templates (JSON array)" value={form.analysisTemplates} onChange={(v) => set('analysisTemplates', v)} errors={errors} live={liveJson('analysisTemplates')} rows={10} />
          <Text slot="progressDeadlineSeconds" label="Progress deadline (seconds; default 600)" value={form.progressDeadlineSeconds} onChange={(v) => set('progressDeadlineSeconds', v)} errors={errors} placeholder="600" inputMode="numeric" />
          <Field slot="onAnalysisFailure" label="When analysis fails" errors={errors}>
            {(props) => (
              <select {...props} value={form.onAnalysisFailure} onChange={(e) => set('onAnalysisFailure', e.target.value as StartForm['onAnalysisFailure'])}>
                <option value="">default (abort)</option>
                <option value="abort">abort: roll back</option>
                <option value="pause">pause: wait for a person</option>
              </select>
            )}
          </Field>
        </fieldset>

        {errors.form ? (
          <p className="field__error" role="alert" id="sf-form-error" tabIndex={-1}>
            {errors.form}
          </p>
        ) : null}
        {Object.keys(errors).length > 0 && !errors.form ? (
          <p className="field__error" role="alert">
            Fix the marked field{Object.keys(errors).length === 1 ? '' : 's'} and start again.
          </p>
        ) : null}
        <div className="filters__actions start-form__submit">
          <ActorField id="sf-actor" />
          <button type="submit" className="button button--primary" disabled={busy || !can('rollouts:start')} title={can('rollouts:start') ? undefined : notAllowedTitle('rollouts:start')}>
            {busy ? 'Starting…' : 'Start rollout'}
          </button>
          <Link href={rolloutHrefs.list()} className="button">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}

function inputId(slot: string): string {
  return `sf-${slot.replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

function focusFirst(errors: Record<string, string>) {
  const first = Object.keys(errors)[0];
  if (!first) return;
  // After React has rendered the messages.
  setTimeout(() => document.getElementById(first === 'form' ? 'sf-form-error' : inputId(first))?.focus(), 0);
}

type ControlProps = { id: string; name: string; 'aria-invalid'?: true; 'aria-describedby'?: string };

function Field({ slot, label, errors, children, hint }: { slot: string; label: string; errors: Record<string, string>; children: (props: ControlProps) => ReactNode; hint?: string | null }) {
  const id = inputId(slot);
  const error = errors[slot];
  const described = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return (
    <div className="field" data-slot={slot}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name: slot, 'aria-invalid': error ? true : undefined, 'aria-describedby': described || undefined })}
      {hint ? (
        <span className="field__hint field__hint--bad" id={`${id}-hint`} role="status">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field__error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

function Text({
  slot,
  label,
  value,
  onChange,
  errors,
  placeholder,
  inputMode,
}: {
  slot: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  errors: Record<string, string>;
  placeholder: string;
  inputMode?: 'numeric';
}) {
  return (
    <Field slot={slot} label={label} errors={errors}>
      {(props) => <input {...props} value={value} placeholder={placeholder} inputMode={inputMode} autoComplete="off" spellCheck={false} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

function Json({
  slot,
  label,
  value,
  onChange,
  errors,
  live,
  rows,
}: {
  slot: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  errors: Record<string, string>;
  live: string | null;
  rows: number;
}) {
  return (
    <Field slot={slot} label={label} errors={errors} hint={live}>
      {(props) => <textarea {...props} className="json-editor" value={value} rows={rows} spellCheck={false} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}
