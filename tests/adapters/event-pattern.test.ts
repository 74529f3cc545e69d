import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  matchesEventPattern,
  validateEventPattern,
} from '../../functions/src/adapters/local/event-pattern';
import { ValidationError } from '../../functions/src/core/errors';
import { BUS_RULES, CDEVENT_DETAIL_TYPE, INGEST_BUS_SOURCE } from '../../functions/src/shared/bus-rules';

// The sample event of the AWS documentation's pattern examples (EC2 state change).
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });

interface Case {
  name: string;
  pattern: Record<string, unknown>;
  event: unknown;
  expected: boolean;
}

const cases: Case[] = [
  // Event pattern syntax / matching values
  {
    name: 'simple: named fields match, others ignored',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['initializing', 'running'] },
    },
    event: ec2Event,
    expected: true,
  },
  { name: 'simple: value not in list', pattern: { detail: { state: ['terminated'] } }, event: ec2Event, expected: false },
  { name: 'OR of values', pattern: { source: ['aws.ec2', 'aws.fargate'] }, event: ec2Event, expected: true },
  { name: 'field absent from event', pattern: { detail: { missing: ['x'] } }, event: ec2Event, expected: false },
  { name: 'nesting must match', pattern: { state: ['running'] }, event: ec2Event, expected: false },
  {
    name: 'exact match is case-sensitive',
    pattern: { source: ['AWS.EC2'] },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'array event value: non-empty intersection',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: {
      ...ec2Event,
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    expected: true,
  },
  {
    name: 'array event value: empty intersection',
    pattern: { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-1'] },
    event: ec2Event,
    expected: false,
  },
  {
    name: 'array of objects: fields must match within one element',
    pattern: { detail: { items: { name: ['a'], qty: [2] } } },
    event: withDetail({ items: [{ name: 'a', qty: 1 }, { name: 'b', qty: 2 }] }),
    expected: false,
  },
  {
    name: 'array of objects: one element matches all fields',
    pattern: { detail: { items: { name: ['b'], qty: [2] } } },
    event: withDetail({ items: [{ name: 'a', qty: 1 }, { name: 'b', qty: 2 }] }),
    expected: true,
  },
  // Null and empty values
  { name: 'null matches null', pattern: { detail: { UserID: [null] } }, event: withDetail({ UserID: null }), expected: true },
  { name: 'null does not match absent', pattern: { detail: { UserID: [null] } }, event: withDetail({}), expected: false },
  { name: 'null is not "null"', pattern: { detail: { UserID: [null] } }, event: withDetail({ UserID: 'null' }), expected: false },
  { name: 'empty string matches ""', pattern: { detail: { LastName: [''] } }, event: withDetail({ LastName: '' }), expected: true },
  { name: 'empty string vs value', pattern: { detail: { LastName: [''] } }, event: withDetail({ LastName: 'Doe' }), expected: false },
  { name: 'boolean', pattern: { detail: { enabled: [true] } }, event: withDetail({ enabled: true }), expected: true },
  { name: 'boolean is not a string', pattern: { detail: { enabled: [true] } }, event: withDetail({ enabled: 'true' }), expected: false },
  { name: 'number is not a string', pattern: { detail: { 'c-count': ['5'] } }, event: ec2Event, expected: false },
  { name: 'exact number', pattern: { detail: { 'x-limit': [301.8] } }, event: ec2Event, expected: true },
  // Prefix / suffix
  { name: 'prefix', pattern: { time: [{ prefix: '2017-10-02' }] }, event: ec2Event, expected: true },
  { name: 'prefix mismatch', pattern: { time: [{ prefix: '2017-10-03' }] }, event: ec2Event, expected: false },
  { name: 'prefix only on strings', pattern: { detail: { 'c-count': [{ prefix: '5' }] } }, event: ec2Event, expected: false },
  {
    name: 'prefix equals-ignore-case',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'eventbridge' }),
    expected: true,
  },
  {
    name: 'prefix equals-ignore-case mismatch',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'lambda' }),
    expected: false,
  },
  { name: 'suffix', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'image.png' }, expected: true },
  { name: 'suffix is case-sensitive', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'image.PNG' }, expected: false },
  {
    name: 'suffix equals-ignore-case',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withDetail({ FileName: 'image.PNG' }),
    expected: true,
  },
  // Anything-but
  { name: 'anything-but string', pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } }, event: ec2Event, expected: true },
  {
    name: 'anything-but string excluded',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({ state: 'initializing' }),
    expected: false,
  },
  { name: 'anything-but number', pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event: ec2Event, expected: true },
  {
    name: 'anything-but number excluded',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: withDetail({ 'x-limit': 123 }),
    expected: false,
  },
  {
    name: 'anything-but string list',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: withDetail({ state: 'overloaded' }),
    expected: false,
  },
  {
    name: 'anything-but number list',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'anything-but prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'anything-but prefix, other value',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'anything-but suffix',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
    event: withDetail({ FileName: 'notes.txt' }),
    expected: false,
  },
  {
    name: 'anything-but equals-ignore-case list',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } },
    event: withDetail({ state: 'STOPPED' }),
    expected: false,
  },
  {
    name: 'anything-but equals-ignore-case, other value',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } },
    event: ec2Event,
    expected: true,
  },
  {
    name: 'anything-but wildcard',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withDetail({ FilePath: '/usr/lib/libc.so' }),
    expected: false,
  },
  {
    name: 'anything-but wildcard, other value',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: withDetail({ FilePath: '/usr/bin/ls' }),
    expected: true,
  },
  {
    name: 'anything-but needs the field',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: withDetail({}),
    expected: false,
  },
  // Numeric
  {
    name: 'numeric ranges',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: ec2Event,
    expected: true,
  },
  { name: 'numeric lower bound exclusive', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: withDetail({ 'c-count': 0 }), expected: false },
  { name: 'numeric upper bound', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: withDetail({ 'c-count': 6 }), expected: false },
  { name: 'numeric >=', pattern: { detail: { 'c-count': [{ numeric: ['>=', 5] }] } }, event: ec2Event, expected: true },
  { name: 'numeric only on JSON numbers', pattern: { detail: { 'c-count': [{ numeric: ['>', 0] }] } }, event: withDetail({ 'c-count': '5' }), expected: false },
  // IP address
  { name: 'cidr IPv4', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event: ec2Event, expected: true },
  { name: 'cidr IPv4 outside', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event: withDetail({ 'source-ip': '10.0.1.1' }), expected: false },
  {
    name: 'cidr IPv4 on sourceIPAddress',
    pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } },
    event: withDetail({ sourceIPAddress: '10.255.3.4' }),
    expected: true,
  },
  {
    name: 'cidr IPv6',
    pattern: { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } },
    event: withDetail({ 'source-ip': '2001:db8:0:1::5' }),
    expected: true,
  },
  {
    name: 'cidr IPv6 outside',
    pattern: { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } },
    event: withDetail({ 'source-ip': '2001:db9::1' }),
    expected: false,
  },
  { name: 'cidr on a non-address', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, event: withDetail({ 'source-ip': 'localhost' }), expected: false },
  // Exists
  { name: 'exists true', pattern: { detail: { 'c-count': [{ exists: true }] } }, event: ec2Event, expected: true },
  { name: 'exists false on present field', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: ec2Event, expected: false },
  { name: 'exists false on absent field', pattern: { detail: { 'e-count': [{ exists: false }] } }, event: ec2Event, expected: true },
  { name: 'exists true on absent field', pattern: { detail: { 'e-count': [{ exists: true }] } }, event: ec2Event, expected: false },
  { name: 'exists true on null', pattern: { detail: { UserID: [{ exists: true }] } }, event: withDetail({ UserID: null }), expected: true },
  {
    name: 'exists false on an intermediate node (only leaves exist)',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: 'running', 'c-count': { c1: 100 } }),
    expected: true,
  },
  {
    name: 'exists true on an intermediate node',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: withDetail({ 'c-count': { c1: 100 } }),
    expected: false,
  },
  {
    name: 'exists false when the parent is absent',
    pattern: { detail: { nested: { leaf: [{ exists: false }] } } },
    event: ec2Event,
    expected: true,
  },
  // Equals-ignore-case and wildcard
  { name: 'equals-ignore-case', pattern: { detail: { name: [{ 'equals-ignore-case': 'alice' }] } }, event: withDetail({ name: 'ALICE' }), expected: true },
  { name: 'equals-ignore-case mismatch', pattern: { detail: { name: [{ 'equals-ignore-case': 'alice' }] } }, event: withDetail({ name: 'bob' }), expected: false },
  {
    name: 'wildcard in an ARN',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
    expected: true,
  },
  {
    name: 'wildcard region mismatch',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' },
    expected: false,
  },
  { name: 'wildcard matches an empty run', pattern: { source: [{ wildcard: 'Simple*Service' }] }, event: { source: 'SimpleService' }, expected: true },
  { name: 'wildcard in the middle', pattern: { source: [{ wildcard: 'Simple*Service' }] }, event: { source: 'SimpleQueueService' }, expected: true },
  { name: 'wildcard is anchored', pattern: { source: [{ wildcard: 'Simple*Service' }] }, event: { source: 'SimpleQueueServices' }, expected: false },
  { name: 'wildcard escaped asterisk', pattern: { key: [{ wildcard: 'a\\*b' }] }, event: { key: 'a*b' }, expected: true },
  { name: 'wildcard escaped asterisk is literal', pattern: { key: [{ wildcard: 'a\\*b' }] }, event: { key: 'axxb' }, expected: false },
  { name: 'wildcard regex characters are literal', pattern: { key: [{ wildcard: 'a.b*' }] }, event: { key: 'axb' }, expected: false },
  // $or
  {
    name: '$or: source && (metricName || namespace)',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    expected: true,
  },
  {
    name: '$or: no alternative matches',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.cloudwatch', namespace: 'AWS/S3' },
    expected: false,
  },
  {
    name: '$or: the AND outside still applies',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.ec2', metricName: 'CPUUtilization' },
    expected: false,
  },
  {
    name: '$or: parallel, at two levels',
    pattern: {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    expected: true,
  },
  {
    name: '$or: nested inside an alternative',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    expected: true,
  },
  {
    name: '$or: nested alternative fails its inner $or',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 },
    expected: false,
  },
  // The documentation's complex example
  {
    name: 'complex example',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    event: ec2Event,
    expected: true,
  },
  { name: 'a non-object event matches nothing', pattern: { source: [{ exists: false }] }, event: 'aws.ec2', expected: false },
];

describe('matchesEventPattern', () => {
  it.each(cases)('$name', ({ pattern, event, expected }) => {
    expect(validateEventPattern(pattern)).toBeNull();
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  it('throws a ValidationError for an invalid pattern', () => {
    expect(() => matchesEventPattern({ source: 'aws.ec2' }, ec2Event)).toThrow(ValidationError);
    try {
      compileEventPattern({ detail: { state: [] } });
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_event_pattern', field: 'pattern' });
      expect((error as Error).message).toContain('detail.state');
    }
  });
});

describe('validateEventPattern', () => {
  const invalid: Array<[string, unknown, string]> = [
    ['null', null, 'JSON object'],
    ['an array', [{ source: ['x'] }], 'JSON object'],
    ['an empty object', {}, 'at least one field'],
    ['an empty nested object', { detail: {} }, 'detail'],
    ['a bare value', { source: 'aws.ec2' }, 'source'],
    ['an empty value list', { detail: { state: [] } }, 'detail.state'],
    ['a nested array', { source: [['a']] }, 'source'],
    ['an unknown operator', { source: [{ contains: 'x' }] }, 'unknown operator'],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, 'exactly one key'],
    ['a non-string prefix', { source: [{ prefix: 1 }] }, '"prefix"'],
    ['a bad prefix object', { source: [{ prefix: { 'anything-but': 'x' } }] }, '"prefix"'],
    ['a non-boolean exists', { source: [{ exists: 'yes' }] }, '"exists"'],
    ['a numeric with a string operand', { n: [{ numeric: ['>', '1'] }] }, '"numeric"'],
    ['a numeric with an unknown operator', { n: [{ numeric: ['!=', 1] }] }, '"numeric"'],
    ['a numeric range upper bound first', { n: [{ numeric: ['<', 5, '>', 1] }] }, 'lower bound'],
    ['an empty numeric range', { n: [{ numeric: ['>', 10, '<', 5] }] }, 'match nothing'],
    ['a numeric out of range', { n: [{ numeric: ['>', 6e9] }] }, '5e9'],
    ['a numeric of odd length', { n: [{ numeric: ['>', 1, '<'] }] }, '"numeric"'],
    ['consecutive wildcards', { s: [{ wildcard: 'a**b' }] }, 'consecutive'],
    ['a bad wildcard escape', { s: [{ wildcard: 'a\\b' }] }, 'backslash'],
    ['an anything-but of mixed types', { s: [{ 'anything-but': ['a', 1] }] }, '"anything-but"'],
    ['an empty anything-but list', { s: [{ 'anything-but': [] }] }, '"anything-but"'],
    ['an anything-but boolean', { s: [{ 'anything-but': true }] }, '"anything-but"'],
    ['an anything-but unknown operator', { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, '"anything-but"'],
    ['a cidr prefix too long', { ip: [{ cidr: '10.0.0.0/33' }] }, '"cidr"'],
    ['a cidr that is no address', { ip: [{ cidr: '10.0.0/8' }] }, '"cidr"'],
    ['an IPv6 cidr with two ::', { ip: [{ cidr: '2001::db8::/32' }] }, '"cidr"'],
    ['a $or with one alternative', { $or: [{ source: ['a'] }] }, '$or'],
    ['a $or that is an object', { $or: { source: ['a'] } }, '$or'],
    ['a $or with an invalid alternative', { $or: [{ source: ['a'] }, { source: 'b' }] }, '$or[1].source'],
  ];

  it.each(invalid)('rejects %s', (_name, pattern, reason) => {
    const result = validateEventPattern(pattern);
    expect(result).toEqual(expect.any(String));
    expect(result).toContain(reason);
  });

  it('accepts every Signalbox bus rule', () => {
    for (const rule of BUS_RULES) expect(validateEventPattern(rule.pattern), rule.id).toBeNull();
  });
});

describe('Signalbox bus rules', () => {
  const storeRule = BUS_RULES.find((r) => r.id === 'StoreCdEvents');
  if (!storeRule) throw new Error('StoreCdEvents rule missing');
  const matchesStore = compileEventPattern(storeRule.pattern);

  const envelope = (detail: unknown) => ({
    version: '0',
    id: '6f2a3c1e-0000-4000-8000-000000000001',
    'detail-type': CDEVENT_DETAIL_TYPE,
    source: INGEST_BUS_SOURCE,
    account: '000000000000',
    time: '2026-01-01T00:00:00.000Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });

  const cdevent = (type: string) => ({
    context: {
      specversion: '0.5.1',
      id: '271069a8-fc18-44f1-b38f-9d70a1695819',
      source: '/event/source/123',
      type,
      timestamp: '2023-03-20T14:27:05.315384Z',
    },
    subject: { id: 'mySubject123', source: '/event/source/123', content: { environment: { id: 'test123' } } },
  });

  const cloudEvent = (data: unknown, type = 'dev.cdevents.service.deployed.0.3.0') => ({
    specversion: '1.0',
    id: '271069a8-fc18-44f1-b38f-9d70a1695819',
    source: '/event/source/123',
    type,
    datacontenttype: 'application/json',
    data,
  });

  const matching: Array<[string, unknown]> = [
    ['a bare CDEvent', cdevent('dev.cdevents.service.deployed.0.3.0')],
    ['a bare custom CDEvent', cdevent('dev.cdeventsx.mytool-resource.created.0.1.0')],
    ['a CloudEvents-wrapped CDEvent', cloudEvent(cdevent('dev.cdevents.pipelinerun.finished.0.2.0'))],
    ['a CloudEvent of a CDEvents type without data context', cloudEvent({ note: 'binary mode' })],
    ['a CloudEvents envelope without specversion but with CDEvent data', { data: cdevent('dev.cdevents.build.started.0.2.0') }],
  ];
  it.each(matching)('stores %s', (_name, detail) => {
    expect(matchesStore(envelope(detail))).toBe(true);
  });

  const notMatching: Array<[string, unknown]> = [
    ['a non-CDEvents context type', cdevent('com.example.build.started')],
    ['a CDEvents type of another case', cdevent('DEV.CDEVENTS.service.deployed.0.3.0')],
    ['a type prefix without the trailing dot', cdevent('dev.cdeventsfoo.x')],
    ['a CloudEvent of another type with non-CDEvent data', cloudEvent({ hello: 'world' }, 'com.example.thing')],
    ['a CDEvents type at the top without specversion', { type: 'dev.cdevents.service.deployed.0.3.0' }],
    ['an empty detail', {}],
    ['a context without type', { context: { id: 'x' } }],
  ];
  it.each(notMatching)('does not store %s', (_name, detail) => {
    expect(matchesStore(envelope(detail))).toBe(false);
  });

  const cdeventsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/cdevents');
  const conformance = existsSync(cdeventsDir)
    ? readdirSync(cdeventsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((version) => {
          const dir = join(cdeventsDir, version.name, 'conformance');
          const files = existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
          const custom = join(cdeventsDir, version.name, 'custom', 'conformance.json');
          return existsSync(custom) ? [...files, custom] : files;
        })
    : [];

  it.skipIf(conformance.length === 0)('stores every CDEvents conformance example, bare and wrapped', () => {
    for (const file of conformance) {
      const event = JSON.parse(readFileSync(file, 'utf8')) as { context: { type: string } };
      expect(matchesStore(envelope(event)), file).toBe(true);
      expect(matchesStore(envelope(cloudEvent(event, event.context.type))), file).toBe(true);
    }
  });
});
