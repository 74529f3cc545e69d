import { CDEVENT_DETAIL_TYPE } from '../../shared/bus-rules';
import type { EventBus } from '../ports/event-bus';
import { DependencyError } from '../errors';
import type { Rollout } from './model';

/** `context.source` of every event a rollout emits. */
export const ROLLOUT_EVENT_SOURCE = '/signalbox/rollouts';
/** Bus `source` of rollout events (the store rule matches on the CDEvent type, not on this). */
export const ROLLOUT_BUS_SOURCE = 'signalbox.rollouts';
/** All rollout events use the released spec 0.5.1 (type versions below are 0.5.1's). */
export const ROLLOUT_SPEC_VERSION = '0.5.1';

/** Predicates of the custom `dev.cdeventsx.signalbox-rollout.<predicate>.0.1.0` events. */
export type RolloutCustomPredicate =
  | 'gateRequested'
  | 'gateApproved'
  | 'gateRejected'
  | 'gateTimedOut'
  | 'weightChanged'
  | 'paused'
  | 'resumed'
  | 'aborted'
  | 'promoted'
  | 'retried'
  | 'undone';

/** Something that happened to a rollout and is published as a CDEvent. */
export type RolloutOccurrence =
  | { kind: 'queued' }
  | { kind: 'started' }
  | { kind: 'finished'; outcome: 'success' | 'failure' | 'cancel' | 'error'; errors?: string }
  | { kind: 'stepStarted'; stepIndex: number }
  | { kind: 'stepFinished'; stepIndex: number; outcome: 'success' | 'failure' | 'skipped'; errors?: string }
  /** The new version serves all traffic: `service.upgraded`, or `service.deployed` on a first deploy. */
  | { kind: 'serviceUpgraded' }
  /** Traffic is back on the previous version: `service.rolledback` (`service.removed` when there was none). */
  | { kind: 'serviceRolledBack' }
  | { kind: 'incidentDetected'; description: string }
  | { kind: 'incidentResolved'; description: string }
  /** `key` makes the event id unique within the rollout (e.g. `gate-3`, `action-4`). */
  | { kind: 'custom'; predicate: RolloutCustomPredicate; key: string; data: Record<string, unknown> };

/** A CDEvent document (context + subject + customData). */
export type RolloutCdevent = {
  context: Record<string, unknown>;
  subject: { id: string; source?: string; content: Record<string, unknown> };
  customData?: Record<string, unknown>;
  customDataContentType?: string;
};

/** Where the portal shows a rollout; `uri` fields must be absolute URIs. */
export function rolloutPortalUrl(portalUrl: string | undefined, rolloutId: string): string {
  const base = (portalUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
  return `${base}/rollouts/?id=${encodeURIComponent(rolloutId)}`;
}

/**
 * The CDEvent for one occurrence (ROLLOUTS.md "Events"): pipelineRun for the rollout, taskRun per
 * step, service.* per environment at the end, incident.* for analysis failures, custom
 * `dev.cdeventsx.signalbox-rollout.*` for gates, weights and operator verbs. The id is
 * `<rolloutId>/<what>`, the same every time the same occurrence is rebuilt, so a retried task
 * re-publishes the same id and the store keeps it once. `chainId` is the rollout id. Pure.
 */
export function toCdevent(rollout: Rollout, occurrence: RolloutOccurrence, now: string, portalUrl?: string): RolloutCdevent {
  const { spec } = rollout;
  const uri = rolloutPortalUrl(portalUrl, rollout.id);
  const pipelineName = `rollout/${spec.service}/${spec.environment}`;
  const environment = { id: spec.environment };
  const context = (type: string, key: string) => ({
    specversion: ROLLOUT_SPEC_VERSION,
    id: `${rollout.id}/${key}`,
    source: ROLLOUT_EVENT_SOURCE,
    type,
    timestamp: now,
    chainId: rollout.id,
  });
  const customData = (extra: Record<string, unknown> = {}) => ({
    customData: {
      rollout: { id: rollout.id, service: spec.service, environment: spec.environment, strategy: spec.strategy, portal: uri, ...extra },
    },
    customDataContentType: 'application/json',
  });
  const step = (i: number) => rollout.plan[i];
  switch (occurrence.kind) {
    case 'queued':
      return {
        context: context('dev.cdevents.pipelinerun.queued.0.3.0', 'queued'),
        subject: { id: rollout.id, content: { pipelineName, uri } },
        ...customData({ fromVersion: spec.fromVersion, toVersion: spec.toVersion }),
      };
    case 'started':
      return {
        context: context('dev.cdevents.pipelinerun.started.0.3.0', 'started'),
        subject: { id: rollout.id, content: { pipelineName, uri } },
        ...customData({ executionId: rollout.executionId }),
      };
    case 'finished':
      return {
        context: context('dev.cdevents.pipelinerun.finished.0.3.0', 'finished'),
        subject: {
          id: rollout.id,
          content: { pipelineName, uri, outcome: occurrence.outcome, ...(occurrence.errors ? { errors: occurrence.errors } : {}) },
        },
        ...customData({ phase: rollout.phase }),
      };
    case 'stepStarted':
    case 'stepFinished': {
      const s = step(occurrence.stepIndex);
      const started = occurrence.kind === 'stepStarted';
      const content: Record<string, unknown> = {
        taskName: s ? `${occurrence.stepIndex + 1}. ${s.title}` : `step ${occurrence.stepIndex + 1}`,
        uri,
        pipelineRun: { id: rollout.id, source: ROLLOUT_EVENT_SOURCE },
      };
      if (occurrence.kind === 'stepFinished') {
        content.outcome = occurrence.outcome;
        if (occurrence.errors) content.errors = occurrence.errors;
      }
      return {
        context: context(
          started ? 'dev.cdevents.taskrun.started.0.3.0' : 'dev.cdevents.taskrun.finished.0.3.0',
          `step-${occurrence.stepIndex}-${started ? 'started' : 'finished'}`,
        ),
        subject: { id: `${rollout.id}/step-${occurrence.stepIndex}`, content },
        ...customData({ stepIndex: occurrence.stepIndex, step: s?.step.kind }),
      };
    }
    case 'serviceUpgraded':
      return {
        context: context(spec.fromVersion === null ? 'dev.cdevents.service.deployed.0.3.0' : 'dev.cdevents.service.upgraded.0.3.0', 'service'),
        subject: { id: spec.service, content: { environment, artifactId: spec.toVersion } },
        ...customData({ fromVersion: spec.fromVersion, toVersion: spec.toVersion }),
      };
    case 'serviceRolledBack':
      if (spec.fromVersion === null) {
        return {
          context: context('dev.cdevents.service.removed.0.3.0', 'service'),
          subject: { id: spec.service, content: { environment } },
          ...customData({ removedVersion: spec.toVersion }),
        };
      }
      return {
        context: context('dev.cdevents.service.rolledback.0.3.0', 'service'),
        subject: { id: spec.service, content: { environment, artifactId: spec.fromVersion } },
        ...customData({ fromVersion: spec.fromVersion, toVersion: spec.toVersion }),
      };
    case 'incidentDetected':
    case 'incidentResolved':
      return {
        context: context(
          occurrence.kind === 'incidentDetected' ? 'dev.cdevents.incident.detected.0.3.0' : 'dev.cdevents.incident.resolved.0.3.0',
          occurrence.kind === 'incidentDetected' ? 'incident-detected' : 'incident-resolved',
        ),
        subject: {
          id: `${rollout.id}/incident`,
          content: { description: occurrence.description, environment, service: { id: spec.service }, artifactId: spec.toVersion },
        },
        ...customData(),
      };
    case 'custom':
      return {
        context: {
          ...context(`dev.cdeventsx.signalbox-rollout.${occurrence.predicate}.0.1.0`, occurrence.key),
          schemaUri: `${uri.split('/rollouts/')[0]}/schemas/signalbox-rollout.${occurrence.predicate}.0.1.0.json`,
        },
        subject: {
          id: rollout.id,
          source: ROLLOUT_EVENT_SOURCE,
          content: {
            rollout: rollout.id,
            service: { id: spec.service },
            environment,
            pipelineName,
            uri,
            phase: rollout.phase,
            stepIndex: rollout.currentStepIndex,
            ...occurrence.data,
          },
        },
      };
  }
}

/**
 * Publishes the occurrences as CDEvents on the bus (`source` {@link ROLLOUT_BUS_SOURCE},
 * detail-type `CDEvent`), in order. Idempotent per occurrence (deterministic ids).
 *
 * @throws DependencyError when the bus rejects an event or cannot be reached, so the task is retried.
 */
export async function publishOccurrences(
  deps: { bus: EventBus; portalUrl?: string },
  rollout: Rollout,
  occurrences: RolloutOccurrence[],
  now: string,
): Promise<void> {
  if (occurrences.length === 0) return;
  const events = occurrences.map((o) => toCdevent(rollout, o, now, deps.portalUrl));
  const results = await deps.bus.publish(
    events.map((detail) => ({ source: ROLLOUT_BUS_SOURCE, detailType: CDEVENT_DETAIL_TYPE, detail, time: now })),
  );
  const failed = results.find((r) => 'errorCode' in r);
  if (failed && 'errorCode' in failed) {
    throw new DependencyError(`the bus refused a rollout event: ${failed.errorCode} ${failed.errorMessage}`, 'bus');
  }
}
