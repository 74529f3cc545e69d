import { arrayOf, closed, nonEmpty, nonEmptyUri, nonEmptyUriReference, oneOf, open, required, text, uri } from './rules';
import type { ObjectRule, Required, Rule } from './rules';

/**
 * Pieces of `subject.content` shared by several event types and spec releases, named after the
 * CDEvents vocabulary.
 */

/** A reference to another subject (`environment`, `service`, `repository`, `change`, `pipelineRun`). */
export const subjectRef: ObjectRule = closed({ id: required(nonEmpty), source: nonEmptyUriReference });

/** The testing vocabulary's references, whose `source` is any string. */
export const looseSubjectRef: ObjectRule = closed({ id: required(nonEmpty), source: text });

export const OUTCOMES = ['success', 'failure', 'cancel', 'error'] as const;
/** Test outcomes before v0.5.0 standardised them. */
export const LEGACY_TEST_OUTCOMES = ['pass', 'fail', 'cancel', 'error'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const TEST_CASE_TYPES = ['performance', 'functional', 'unit', 'security', 'compliance', 'integration', 'e2e', 'other'] as const;
export const TRIGGER_TYPES = ['manual', 'pipeline', 'event', 'schedule', 'other'] as const;
export const OUTPUT_TYPES = ['report', 'video', 'image', 'log', 'other'] as const;

/** What started a test run; the only open object of the test vocabulary. */
export const trigger: ObjectRule = open({ type: oneOf(...TRIGGER_TYPES), uri });

export const testCase: ObjectRule = closed({
  id: required(nonEmpty),
  version: text,
  name: text,
  type: oneOf(...TEST_CASE_TYPES),
  uri,
});

/** A test suite; `link` is `uri`, except in `testsuiterun.queued` before v0.5 where it was `url`. */
export function testSuite(link: 'uri' | 'url' = 'uri'): ObjectRule {
  return closed({ id: required(nonEmpty), version: text, name: text, [link]: uri });
}

export const sbom: ObjectRule = closed({ uri: required(nonEmptyUriReference) });

/** `incident.*` content; `reported` adds a required `ticketURI`. */
export function incident(reported: boolean): ObjectRule {
  return closed({
    description: text,
    environment: required(subjectRef),
    ...(reported ? { ticketURI: required(nonEmptyUri) } : {}),
    service: subjectRef,
    artifactId: nonEmpty,
  });
}

/**
 * `ticket.*` content (v0.4.1 and later). `ticketType`, `priority` and `resolution` list suggested
 * values in the spec but accept any string; `resolution` must not be empty.
 */
export function ticket(predicate: 'created' | 'updated' | 'closed'): ObjectRule {
  const fields: Record<string, Rule | Required> = {
    summary: predicate === 'created' ? required(text) : text,
    ticketType: text,
    group: text,
    creator: predicate === 'created' ? required(nonEmpty) : nonEmpty,
    assignees: arrayOf(text),
    priority: text,
    labels: arrayOf(text),
    milestone: text,
    uri: required(nonEmptyUriReference),
  };
  if (predicate === 'closed') fields.resolution = required(nonEmpty);
  if (predicate !== 'created') fields.updatedBy = text;
  return closed(fields);
}
