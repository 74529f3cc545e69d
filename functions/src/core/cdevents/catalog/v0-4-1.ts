import { incident, LEGACY_TEST_OUTCOMES, looseSubjectRef, OUTPUT_TYPES, sbom, SEVERITIES, subjectRef, testCase, testSuite, ticket, trigger } from './fragments';
import type { TypeEntry } from './event-shape';
import { closed, nonEmpty, oneOf, required, text, uri } from './rules';

/**
 * Spec v0.4.1: `context.version` (not `specversion`), required `subject.type`, links and custom
 * events. Pipeline, task, repository and environment links are plain-string `url`s; pipeline and
 * task outcomes are free strings; test outcomes are `pass|fail|cancel|error`.
 */

const testOutcome = oneOf(...LEGACY_TEST_OUTCOMES);
const severity = oneOf(...SEVERITIES);
const repositoryChange = closed({ repository: subjectRef });
const repositoryInfo = closed({ name: text, owner: text, url: text, viewUrl: text });
const environmentInfo = closed({ name: text, url: text });
const deployment = closed({ environment: required(subjectRef), artifactId: required(nonEmpty) });
const serviceInEnvironment = closed({ environment: subjectRef });
const testCaseRunPending = closed({
  trigger,
  environment: required(subjectRef),
  testSuiteRun: looseSubjectRef,
  testCase,
});

export const V0_4_1: readonly TypeEntry[] = [
  { type: 'dev.cdevents.pipelinerun.queued.0.2.0', content: closed({ pipelineName: text, url: text }) },
  { type: 'dev.cdevents.pipelinerun.started.0.2.0', content: closed({ pipelineName: required(text), url: required(text) }) },
  {
    type: 'dev.cdevents.pipelinerun.finished.0.2.0',
    content: closed({ pipelineName: text, url: text, outcome: text, errors: text }),
  },
  { type: 'dev.cdevents.taskrun.started.0.2.0', content: closed({ taskName: text, url: text, pipelineRun: subjectRef }) },
  {
    type: 'dev.cdevents.taskrun.finished.0.2.0',
    content: closed({ taskName: text, url: text, pipelineRun: subjectRef, outcome: text, errors: text }),
  },
  {
    type: 'dev.cdevents.repository.created.0.2.0',
    content: closed({ name: required(nonEmpty), owner: text, url: required(nonEmpty), viewUrl: text }),
  },
  { type: 'dev.cdevents.repository.modified.0.2.0', content: repositoryInfo },
  { type: 'dev.cdevents.repository.deleted.0.2.0', content: repositoryInfo },
  { type: 'dev.cdevents.branch.created.0.2.0', content: repositoryChange },
  { type: 'dev.cdevents.branch.deleted.0.2.0', content: repositoryChange },
  { type: 'dev.cdevents.change.created.0.3.0', content: closed({ description: nonEmpty, repository: subjectRef }) },
  { type: 'dev.cdevents.change.updated.0.2.0', content: repositoryChange },
  { type: 'dev.cdevents.change.reviewed.0.2.0', content: repositoryChange },
  { type: 'dev.cdevents.change.merged.0.2.0', content: repositoryChange },
  { type: 'dev.cdevents.change.abandoned.0.2.0', content: repositoryChange },
  { type: 'dev.cdevents.build.queued.0.2.0', content: closed() },
  { type: 'dev.cdevents.build.started.0.2.0', content: closed() },
  { type: 'dev.cdevents.build.finished.0.2.0', content: closed({ artifactId: text }) },
  { type: 'dev.cdevents.artifact.deleted.0.1.0', content: closed({ user: nonEmpty }) },
  { type: 'dev.cdevents.artifact.packaged.0.2.0', content: closed({ change: required(subjectRef), sbom }) },
  { type: 'dev.cdevents.artifact.signed.0.2.0', content: closed({ signature: required(nonEmpty) }) },
  { type: 'dev.cdevents.artifact.published.0.2.0', content: closed({ sbom, user: nonEmpty }) },
  { type: 'dev.cdevents.artifact.downloaded.0.1.0', content: closed({ user: nonEmpty }) },
  { type: 'dev.cdevents.testcaserun.queued.0.2.0', content: testCaseRunPending },
  { type: 'dev.cdevents.testcaserun.started.0.2.0', content: testCaseRunPending },
  {
    type: 'dev.cdevents.testcaserun.finished.0.2.0',
    content: closed({
      outcome: required(testOutcome),
      severity,
      reason: text,
      environment: required(subjectRef),
      testSuiteRun: looseSubjectRef,
      testCase,
    }),
  },
  {
    type: 'dev.cdevents.testcaserun.skipped.0.1.0',
    content: closed({ reason: text, environment: subjectRef, testSuiteRun: looseSubjectRef, testCase }),
  },
  // `queued` still calls the suite's link `url` (with the uri format); `started`/`finished` say `uri`.
  {
    type: 'dev.cdevents.testsuiterun.queued.0.2.0',
    content: closed({ trigger, environment: required(subjectRef), testSuite: testSuite('url') }),
  },
  {
    type: 'dev.cdevents.testsuiterun.started.0.2.0',
    content: closed({ trigger, environment: required(subjectRef), testSuite: testSuite() }),
  },
  {
    type: 'dev.cdevents.testsuiterun.finished.0.2.0',
    content: closed({
      environment: required(subjectRef),
      testSuite: testSuite(),
      outcome: required(testOutcome),
      severity,
      reason: text,
    }),
  },
  {
    type: 'dev.cdevents.testoutput.published.0.2.0',
    content: closed({
      outputType: required(oneOf(...OUTPUT_TYPES)),
      format: required(text),
      uri,
      testCaseRun: looseSubjectRef,
    }),
  },
  { type: 'dev.cdevents.environment.created.0.2.0', content: environmentInfo },
  { type: 'dev.cdevents.environment.modified.0.2.0', content: environmentInfo },
  { type: 'dev.cdevents.environment.deleted.0.2.0', content: closed({ name: text }) },
  { type: 'dev.cdevents.service.published.0.2.0', content: serviceInEnvironment },
  { type: 'dev.cdevents.service.deployed.0.2.0', content: deployment },
  { type: 'dev.cdevents.service.upgraded.0.2.0', content: deployment },
  { type: 'dev.cdevents.service.rolledback.0.2.0', content: deployment },
  { type: 'dev.cdevents.service.removed.0.2.0', content: serviceInEnvironment },
  { type: 'dev.cdevents.incident.detected.0.2.0', content: incident(false) },
  { type: 'dev.cdevents.incident.reported.0.2.0', content: incident(true) },
  { type: 'dev.cdevents.incident.resolved.0.2.0', content: incident(false) },
  { type: 'dev.cdevents.ticket.created.0.1.0', content: ticket('created') },
  { type: 'dev.cdevents.ticket.updated.0.1.0', content: ticket('updated') },
  { type: 'dev.cdevents.ticket.closed.0.1.0', content: ticket('closed') },
];
