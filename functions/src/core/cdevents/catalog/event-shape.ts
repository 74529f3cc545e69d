import { closed, dateTime, nonEmpty, nonEmptyOneOf, nonEmptyUri, nonEmptyUriReference, objectOrString, oneOf, open, required, text } from './rules';
import type { EventRule, LinksRule, ObjectRule, Required, Rule, StringRule } from './rules';

/**
 * The parts of an event that do not depend on its type: the root, `context` and `subject`, as each
 * spec release defines them. A catalog entry supplies the type string and the `subject.content`.
 */

export type SpecRelease = EventRule['specRelease'];

/** One row of a release's table: the full type string and its `subject.content`. */
export interface TypeEntry {
  type: string;
  content: ObjectRule;
  /** v0.5.1 `ticket.closed` still lists the (optional) `subject.type` that v0.5.0 removed elsewhere. */
  optionalSubjectType?: string;
}

/** Test subjects carry looser sources: `context.source` has no format, `subject.source` is any string. */
const TESTING_SUBJECTS = new Set(['testcaserun', 'testsuiterun', 'testoutput']);

/** `subject.type` values (v0.4 and earlier) are the vocabulary's camelCase names. */
const VOCABULARY_NAMES: Readonly<Record<string, string>> = {
  pipelinerun: 'pipelineRun',
  taskrun: 'taskRun',
  testcaserun: 'testCaseRun',
  testsuiterun: 'testSuiteRun',
  testoutput: 'testOutput',
};

const contextId = open({ contextId: required(nonEmpty) });
const tags = open();

/** Embedded links (v0.4.1+): PATH points at the parent event, RELATION at any event, END closes a chain. */
export const embeddedLinks: LinksRule = {
  kind: 'links',
  variants: {
    END: closed({ linkType: required(oneOf('END')), from: contextId, tags }),
    PATH: closed({ linkType: required(oneOf('PATH')), from: required(contextId), tags }),
    RELATION: closed({
      linkType: required(oneOf('RELATION')),
      linkKind: required(nonEmpty),
      target: required(open({ contextId: nonEmpty })),
      tags,
    }),
  },
};

/** The fields every release puts at the root besides `context` and `subject`. */
const customDataFields = { customData: objectOrString, customDataContentType: text };

function subjectToken(type: string): string {
  return type.split('.')[2] ?? '';
}

/** The single-valued `context.type` of a standard event. */
function exactType(type: string): StringRule {
  return { kind: 'string', oneOf: [type] };
}

/** Builds the full document rule of one standard event type for a release. */
export function standardEvent(release: SpecRelease, entry: TypeEntry): EventRule {
  const token = subjectToken(entry.type);
  const testing = TESTING_SUBJECTS.has(token);
  const contextFields: Record<string, Rule | Required> = {
    [release === '0.5.1' ? 'specversion' : 'version']: required(nonEmpty),
    id: required(nonEmpty),
    source: required(testing ? nonEmpty : nonEmptyUriReference),
    type: required(exactType(entry.type)),
    timestamp: required(dateTime),
  };
  if (release !== '0.3.0') {
    contextFields.schemaUri = nonEmptyUri;
    contextFields.chainId = nonEmpty;
    contextFields.links = embeddedLinks;
  }
  const subjectFields: Record<string, Rule | Required> = {
    id: required(nonEmpty),
    source: testing ? text : nonEmptyUriReference,
  };
  if (release !== '0.5.1') subjectFields.type = required(nonEmptyOneOf(VOCABULARY_NAMES[token] ?? token));
  else if (entry.optionalSubjectType) subjectFields.type = nonEmptyOneOf(entry.optionalSubjectType);
  subjectFields.content = required(entry.content);
  return {
    schemaId: entry.type,
    specRelease: release,
    document: closed({
      context: required(closed(contextFields)),
      subject: required(closed(subjectFields)),
      ...customDataFields,
    }),
  };
}

/** `dev.cdeventsx.<tool>-<subject>.<predicate>.<M>.<m>.<p>`, single-digit version parts (as the spec's schema). */
export const CUSTOM_TYPE_SHAPE: StringRule = {
  kind: 'string',
  pattern: {
    regex: /^dev\.cdeventsx\.[a-zA-Z0-9]+-[a-zA-Z]+\.[a-zA-Z]+\.[0-9]\.[0-9]\.[0-9]$/,
    shape: 'dev.cdeventsx.<tool>-<subject>.<predicate>.<M>.<m>.<p> (letters only in subject and predicate, one digit per version part)',
  },
};

/**
 * Custom (`dev.cdeventsx.*`) events: the common context and subject of the release, with any
 * `subject.content` object. v0.4.1 also requires `subject.type` = `<tool>-<subject>`.
 */
export function customEvent(release: '0.4.1' | '0.5.1'): EventRule {
  const subjectFields: Record<string, Rule | Required> = { id: required(nonEmpty), source: nonEmptyUriReference };
  if (release === '0.4.1') {
    subjectFields.type = required({
      kind: 'string',
      pattern: { regex: /^[a-zA-Z0-9]+-[a-zA-Z]+$/, shape: '<tool>-<subject>' },
    });
  }
  subjectFields.content = required(open());
  return {
    schemaId: `dev.cdeventsx@${release}`,
    specRelease: release,
    document: closed({
      context: required(
        closed({
          [release === '0.5.1' ? 'specversion' : 'version']: required(nonEmpty),
          id: required(nonEmpty),
          source: required(nonEmptyUriReference),
          type: required(CUSTOM_TYPE_SHAPE),
          timestamp: required(dateTime),
          schemaUri: nonEmptyUri,
          chainId: nonEmpty,
          links: embeddedLinks,
        }),
      ),
      subject: required(closed(subjectFields)),
      ...customDataFields,
    }),
  };
}
