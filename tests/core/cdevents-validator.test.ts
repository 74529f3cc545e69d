import { describe, expect, it } from 'vitest';
import { isDateTime, isUri, isUriReference } from '../../functions/src/core/cdevents/formats';
import { knownCdeventTypes, parseCdeventType, validateCdevent } from '../../functions/src/core/cdevents/validator';

/** The minimal valid v0.5.1 event of the CDEvents digest (§7). */
function deployed(): Record<string, any> {
  return {
    context: {
      specversion: '0.5.1',
      id: '271069a8-fc18-44f1-b38f-9d70a1695819',
      source: '/event/source/123',
      type: 'dev.cdevents.service.deployed.0.3.0',
      timestamp: '2023-03-20T14:27:05.315384Z',
    },
    subject: {
      id: 'mySubject123',
      content: { environment: { id: 'test123' }, artifactId: 'pkg:oci/myapp@sha256%3A0b31b1c0' },
    },
  };
}

function legacyDeployed(): Record<string, any> {
  return {
    context: {
      version: '0.4.1',
      id: 'id-1',
      source: '/event/source/123',
      type: 'dev.cdevents.service.deployed.0.2.0',
      timestamp: '2023-03-20T14:27:05Z',
    },
    subject: { id: 'svc', type: 'service', content: { environment: { id: 'prod' }, artifactId: 'pkg:oci/app@1' } },
  };
}

function custom(context: Record<string, unknown>): Record<string, any> {
  return {
    context: {
      id: 'c-1',
      source: '/tools/mytool',
      type: 'dev.cdeventsx.mytool-resource.created.0.1.0',
      timestamp: '2024-01-01T00:00:00Z',
      ...context,
    },
    subject: { id: 'r-1', content: { anything: { goes: [1, 2] } } },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('parseCdeventType', () => {
  it('splits a standard type', () => {
    expect(parseCdeventType('dev.cdevents.service.deployed.0.3.0')).toEqual({
      custom: false,
      subject: 'service',
      predicate: 'deployed',
      version: '0.3.0',
    });
  });

  it('splits a custom type, keeping <tool>-<subject> as the subject', () => {
    expect(parseCdeventType('dev.cdeventsx.mytool-resource.created.0.1.0')).toEqual({
      custom: true,
      subject: 'mytool-resource',
      predicate: 'created',
      version: '0.1.0',
    });
  });

  it('accepts well-shaped types Signalbox has no schema for', () => {
    expect(parseCdeventType('dev.cdevents.approval.created.0.1.0')?.subject).toBe('approval');
    expect(parseCdeventType('dev.cdeventsx.harbor-quota.exceeded.0.10.0')?.version).toBe('0.10.0');
  });

  it.each([
    '',
    'dev.cdevents.service.deployed',
    'dev.cdevents.service.deployed.0.3',
    'dev.cdevents.service.deployed.0.3.0.1',
    'dev.cdeventsx.mytool.created.0.1.0',
    'com.github.push',
    ' dev.cdevents.service.deployed.0.3.0',
    'dev.cdevents..deployed.0.3.0',
  ])('returns null for %j', (type) => {
    expect(parseCdeventType(type)).toBeNull();
  });
});

describe('knownCdeventTypes', () => {
  it('lists the 39 + 45 + 45 standard types of spec 0.3.0, 0.4.1 and 0.5.1', () => {
    const types = knownCdeventTypes();
    expect(types).toHaveLength(129);
    expect(new Set(types).size).toBe(129);
    expect(types).toContain('dev.cdevents.service.deployed.0.1.1');
    expect(types).toContain('dev.cdevents.service.deployed.0.2.0');
    expect(types).toContain('dev.cdevents.service.deployed.0.3.0');
    expect(types).toContain('dev.cdevents.ticket.closed.0.2.0');
    for (const type of types) expect(parseCdeventType(type)?.custom).toBe(false);
  });

  it('returns a fresh array each time', () => {
    const first = knownCdeventTypes();
    first.pop();
    expect(knownCdeventTypes()).toHaveLength(129);
  });
});

describe('validateCdevent', () => {
  it('accepts a minimal v0.5.1 event and names the schema used', () => {
    expect(validateCdevent(deployed())).toEqual({ valid: true, schemaId: 'dev.cdevents.service.deployed.0.3.0', violations: [] });
  });

  it('validates a v0.5.0 event with the v0.5.1 rules', () => {
    const event = deployed();
    event.context.specversion = '0.5.0';
    expect(validateCdevent(event).valid).toBe(true);
  });

  it.each([null, undefined, 'text', 42, [deployed()]])('rejects the non-object %j with one violation at $', (value) => {
    const result = validateCdevent(value);
    expect(result.valid).toBe(false);
    expect(result.schemaId).toBeNull();
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]!.path).toBe('$');
  });

  it('reports a missing type at $.context.type', () => {
    const event = deployed();
    delete event.context.type;
    expect(validateCdevent(event)).toEqual({
      valid: false,
      schemaId: null,
      violations: [{ path: '$.context.type', message: 'is required' }],
    });
  });

  it('reports a missing context at $.context.type', () => {
    const result = validateCdevent({ subject: { id: 'x', content: {} } });
    expect(result.schemaId).toBeNull();
    expect(result.violations).toEqual([{ path: '$.context.type', message: 'is required (the event has no context)' }]);
  });

  it('reports an unknown version of a known type, with the versions it knows', () => {
    const event = deployed();
    event.context.type = 'dev.cdevents.service.deployed.0.9.0';
    const result = validateCdevent(event);
    expect(result.valid).toBe(false);
    expect(result.schemaId).toBeNull();
    expect(result.violations).toEqual([
      { path: '$.context.type', message: 'unknown version 0.9.0 of service.deployed; known versions: 0.1.1, 0.2.0, 0.3.0' },
    ]);
  });

  it('reports a type that is not a CDEvents type at all', () => {
    const event = deployed();
    event.context.type = 'com.example.deploy';
    expect(validateCdevent(event).violations[0]!.message).toMatch(/is not a CDEvents type/);
  });

  it('selects the schema by the full type string, not by the spec version', () => {
    const event = deployed();
    event.context.specversion = '0.4.1';
    expect(validateCdevent(event).valid).toBe(true);
    const legacy = legacyDeployed();
    legacy.context.version = '0.5.1';
    expect(validateCdevent(legacy)).toMatchObject({ valid: true, schemaId: 'dev.cdevents.service.deployed.0.2.0' });
  });

  it('reports every violation, each with its JSONPath and a readable message', () => {
    const event = deployed();
    event.context.timestamp = '2023-03-20T14:27:05';
    event.context.foo = 1;
    delete event.subject.id;
    event.subject.content.environment = { id: '' };
    event.subject.content.artifactId = 7;
    expect(validateCdevent(event).violations).toEqual([
      { path: '$.context.timestamp', message: expect.stringMatching(/^must be an RFC 3339 date-time/) },
      { path: '$.context.foo', message: "unexpected property 'foo'" },
      { path: '$.subject.id', message: 'is required' },
      { path: '$.subject.content.environment.id', message: 'must not be empty' },
      { path: '$.subject.content.artifactId', message: 'must be a string' },
    ]);
  });

  it('lists enum values in the message', () => {
    const event = {
      context: { ...deployed().context, type: 'dev.cdevents.pipelinerun.finished.0.3.0' },
      subject: { id: 'run-1', content: { outcome: 'pass' } },
    };
    expect(validateCdevent(event).violations).toEqual([
      { path: '$.subject.content.outcome', message: 'must be one of success, failure, cancel, error' },
    ]);
  });

  it('checks uri and uri-reference formats', () => {
    const event = deployed();
    event.context.source = 'has space';
    event.context.schemaUri = 'relative/path';
    event.subject.source = 'http://[bad';
    expect(validateCdevent(event).violations.map((v) => [v.path, v.message])).toEqual([
      ['$.context.source', expect.stringMatching(/^must be a URI reference/)],
      ['$.context.schemaUri', expect.stringMatching(/^must be an absolute URI/)],
      ['$.subject.source', expect.stringMatching(/^must be a URI reference/)],
    ]);
  });

  it('points into context.links by index', () => {
    const event = deployed();
    event.context.links = [
      { linkType: 'RELATION', linkKind: 'TRIGGER', target: { contextId: 'a' } },
      { linkType: 'PATH', tags: { any: 'thing' } },
      { linkType: 'START', from: { contextId: 'a' } },
      { from: { contextId: 'a' } },
      { linkType: 'END', from: { contextId: '' }, extra: true },
      'not a link',
    ];
    expect(validateCdevent(event).violations).toEqual([
      { path: '$.context.links[1].from', message: 'is required' },
      { path: '$.context.links[2].linkType', message: 'must be one of END, PATH, RELATION' },
      { path: '$.context.links[3].linkType', message: 'is required (one of END, PATH, RELATION)' },
      { path: '$.context.links[4].from.contextId', message: 'must not be empty' },
      { path: '$.context.links[4].extra', message: "unexpected property 'extra'" },
      { path: '$.context.links[5]', message: 'must be an object' },
    ]);
  });

  it('quotes keys that are not identifiers in paths', () => {
    const event = deployed();
    event.subject.content['odd key'] = 1;
    expect(validateCdevent(event).violations).toEqual([
      { path: '$.subject.content["odd key"]', message: "unexpected property 'odd key'" },
    ]);
  });

  it('accepts customData as an object or a string only', () => {
    const event = deployed();
    for (const ok of [{ a: 1 }, 'aGVsbG8=']) expect(validateCdevent({ ...event, customData: ok }).valid).toBe(true);
    expect(validateCdevent({ ...event, customData: [1] }).violations).toEqual([
      { path: '$.customData', message: 'must be an object or a string' },
    ]);
  });

  describe('v0.4.1 and older', () => {
    it('requires version (not specversion) and subject.type', () => {
      const event = legacyDeployed();
      delete event.subject.type;
      event.context.specversion = event.context.version;
      delete event.context.version;
      expect(validateCdevent(event).violations).toEqual([
        { path: '$.context.version', message: 'is required' },
        { path: '$.context.specversion', message: "unexpected property 'specversion'" },
        { path: '$.subject.type', message: 'is required' },
      ]);
    });

    it('checks subject.type against the vocabulary name', () => {
      const event = legacyDeployed();
      event.context.type = 'dev.cdevents.pipelinerun.queued.0.2.0';
      event.subject.content = {};
      expect(validateCdevent(event).violations).toEqual([{ path: '$.subject.type', message: 'must be pipelineRun' }]);
    });

    it('rejects subject.type in v0.5.1 events', () => {
      const event = deployed();
      event.subject.type = 'service';
      expect(validateCdevent(event).violations).toEqual([{ path: '$.subject.type', message: "unexpected property 'type'" }]);
    });

    it('has no links in v0.3.0', () => {
      const event = legacyDeployed();
      event.context.type = 'dev.cdevents.service.deployed.0.1.1';
      event.context.chainId = 'c';
      expect(validateCdevent(event).violations).toEqual([{ path: '$.context.chainId', message: "unexpected property 'chainId'" }]);
    });
  });

  describe('custom events', () => {
    it('uses the 0.5.1 rules with specversion, and leaves content open', () => {
      expect(validateCdevent(custom({ specversion: '0.5.1' }))).toEqual({ valid: true, schemaId: 'dev.cdeventsx@0.5.1', violations: [] });
    });

    it('uses the 0.4.1 rules when the context has version and no specversion', () => {
      const event = custom({ version: '0.4.1' });
      expect(validateCdevent(event)).toEqual({
        valid: false,
        schemaId: 'dev.cdeventsx@0.4.1',
        violations: [{ path: '$.subject.type', message: 'is required' }],
      });
      event.subject.type = 'mytool-resource';
      expect(validateCdevent(event).valid).toBe(true);
    });

    it('uses the 0.5.1 rules when the context has neither', () => {
      expect(validateCdevent(custom({})).violations).toEqual([{ path: '$.context.specversion', message: 'is required' }]);
    });

    it('explains the shape a custom type must have', () => {
      const result = validateCdevent(custom({ specversion: '0.5.1', type: 'dev.cdeventsx.mytool-resource.created.0.10.0' }));
      expect(result.schemaId).toBe('dev.cdeventsx@0.5.1');
      expect(result.violations).toEqual([
        { path: '$.context.type', message: expect.stringContaining('dev.cdeventsx.<tool>-<subject>.<predicate>.<M>.<m>.<p>') },
      ]);
    });
  });

  it('is pure: never mutates its input and gives the same result twice', () => {
    const event = deepFreeze(deployed());
    const broken = deepFreeze({ ...deployed(), extra: 1 });
    expect(validateCdevent(event)).toEqual(validateCdevent(event));
    expect(validateCdevent(broken)).toEqual(validateCdevent(broken));
  });

  it('is fast: 20 000 validations well under a second', () => {
    const event = deployed();
    const start = performance.now();
    for (let i = 0; i < 20_000; i++) validateCdevent(event);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe('formats', () => {
  it.each([
    ['2023-03-20T14:27:05.315384Z', true],
    ['2023-03-20T14:27:05.123456789+05:30', true],
    ['2023-03-20t14:27:05z', true],
    ['2023-03-20 14:27:05Z', true],
    ['2024-02-29T00:00:00Z', true],
    ['2016-12-31T23:59:60Z', true],
    ['2016-12-31T18:59:60-05:00', true],
    ['2023-03-20T14:27:05', false],
    ['2023-13-20T14:27:05Z', false],
    ['2023-02-30T14:27:05Z', false],
    ['2023-02-29T14:27:05Z', false],
    ['1900-02-29T00:00:00Z', false],
    ['2016-12-31T12:59:60Z', false],
    ['2023-03-20T24:00:00Z', false],
    ['2023-03-20', false],
  ])('isDateTime(%j) is %s', (text, expected) => {
    expect(isDateTime(text)).toBe(expected);
  });

  it.each([
    ['https://example.com/a?b#c', true, true],
    ['urn:x:y', true, true],
    ['http://[::1]:8080/x', true, true],
    ['mailto:a@b.example', true, true],
    ['/event/source/123', false, true],
    ['//host/p', false, true],
    ['relative/path', false, true],
    ['?q', false, true],
    ['#frag', false, true],
    ['', false, true],
    ['has space', false, false],
    ['http://[bad', false, false],
    ['http://h/%zz', false, false],
  ])('%j: uri %s, uri-reference %s', (text, uri, reference) => {
    expect(isUri(text)).toBe(uri);
    expect(isUriReference(text)).toBe(reference);
  });
});
