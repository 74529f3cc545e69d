import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchema, ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { isDateTime, isUri, isUriReference } from '../../functions/src/core/cdevents/formats';
import { knownCdeventTypes, validateCdevent } from '../../functions/src/core/cdevents/validator';

/**
 * Differential test: Signalbox's own validator must give the same verdict (valid / invalid) as the
 * official CDEvents JSON schemas compiled by ajv (draft 2020-12 + ajv-formats full mode), on every
 * conformance example and on thousands of systematically mutated copies of them.
 */

const SHARED = resolve(import.meta.dirname, '../../../shared/cdevents');
const RELEASES = ['0.3.0', '0.4.1', '0.5.1'] as const;
type Release = (typeof RELEASES)[number];
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Segment = string | number;
interface SchemaNode {
  type?: string;
  enum?: string[];
  format?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  $ref?: string;
}

// ajv-formats is CommonJS; its default export arrives wrapped depending on the loader.
const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ??
  addFormatsPlugin) as typeof addFormatsPlugin;

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- The official validators -------------------------------------------------------------------

interface Official {
  /** Full type string → compiled schema, over all three releases. */
  byType: Map<string, { release: Release; validate: ValidateFunction; schema: SchemaNode }>;
  custom: Record<'0.4.1' | '0.5.1', { validate: ValidateFunction; schema: SchemaNode }>;
}

function buildOfficial(): Official {
  const byType: Official['byType'] = new Map();
  const custom: Partial<Official['custom']> = {};
  for (const release of RELEASES) {
    // One Ajv per release: the link schemas' $ids differ per release, and relative $refs resolve against them.
    const ajv = new Ajv2020({ strict: true, allErrors: false });
    addFormats(ajv);
    ajv.addKeyword('example');
    const linksDir = join(SHARED, release, 'schemas', 'links');
    if (release !== '0.3.0') for (const f of jsonFiles(linksDir)) ajv.addSchema(readJson(join(linksDir, f)) as AnySchema);
    const schemasDir = join(SHARED, release, 'schemas');
    for (const f of jsonFiles(schemasDir)) {
      const schema = readJson(join(schemasDir, f)) as SchemaNode;
      const type = schema.properties!.context!.properties!.type!.enum![0]!;
      expect(byType.has(type), `type ${type} appears twice`).toBe(false);
      byType.set(type, { release, validate: ajv.compile(schema as AnySchema), schema });
    }
    if (release !== '0.3.0') {
      const schema = readJson(join(SHARED, release, 'custom', 'schema.json')) as SchemaNode;
      custom[release] = { validate: ajv.compile(schema as AnySchema), schema };
    }
  }
  return { byType, custom: custom as Official['custom'] };
}

const official = buildOfficial();

/** The schema the harness selects for an event, by the same rule as the product: full type, custom by context. */
function officialSchema(event: unknown): { id: string; validate: ValidateFunction; schema: SchemaNode } | null {
  if (!isObject(event) || !isObject(event.context) || typeof event.context.type !== 'string') return null;
  const context = event.context;
  const type = context.type as string;
  if (type.startsWith('dev.cdeventsx.')) {
    const release = 'version' in context && !('specversion' in context) ? '0.4.1' : '0.5.1';
    return { id: `dev.cdeventsx@${release}`, ...official.custom[release] };
  }
  const found = official.byType.get(type);
  return found ? { id: type, validate: found.validate, schema: found.schema } : null;
}

function officialVerdict(event: unknown): { valid: boolean; schemaId: string | null } {
  const selected = officialSchema(event);
  return { valid: selected ? selected.validate(event) : false, schemaId: selected?.id ?? null };
}

// ---- Examples ----------------------------------------------------------------------------------

interface Example {
  release: Release;
  file: string;
  event: JsonObject;
}

function loadExamples(): Example[] {
  const out: Example[] = [];
  for (const release of RELEASES) {
    const dir = join(SHARED, release, 'conformance');
    for (const f of jsonFiles(dir)) out.push({ release, file: `${release}/conformance/${f}`, event: readJson(join(dir, f)) as JsonObject });
    if (release !== '0.3.0') {
      out.push({ release, file: `${release}/custom/conformance.json`, event: readJson(join(SHARED, release, 'custom', 'conformance.json')) as JsonObject });
    }
  }
  return out;
}

const examples = loadExamples();

// ---- Mutations ---------------------------------------------------------------------------------

interface Mutant {
  label: string;
  event: unknown;
}

function pathText(segments: readonly Segment[]): string {
  return (
    '$' +
    segments
      .map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
      .join('')
  );
}

function* walk(value: Json, segments: Segment[] = []): Generator<{ segments: Segment[]; value: Json }> {
  yield { segments, value };
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* walk(value[i]!, [...segments, i]);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) yield* walk(v, [...segments, k]);
}

function parentOf(root: Json, segments: readonly Segment[]): Json {
  let node = root;
  for (const s of segments.slice(0, -1)) node = (node as Record<string | number, Json>)[s]!;
  return node;
}

function withValue(root: JsonObject, segments: readonly Segment[], value: Json): JsonObject {
  const copy = structuredClone(root);
  (parentOf(copy, segments) as Record<string | number, Json>)[segments.at(-1)!] = value;
  return copy;
}

function without(root: JsonObject, segments: readonly Segment[]): JsonObject {
  const copy = structuredClone(root);
  const parent = parentOf(copy, segments);
  if (Array.isArray(parent)) parent.splice(segments.at(-1) as number, 1);
  else delete (parent as JsonObject)[segments.at(-1) as string];
  return copy;
}

/** The sub-schema of the official schema at a path of the example (following properties and items). */
function schemaAt(schema: SchemaNode, segments: readonly Segment[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const s of segments) {
    if (!node) return undefined;
    node = typeof s === 'number' ? node.items : node.properties?.[s];
  }
  return node;
}

/** A value the sub-schema accepts (used to add optional fields the example lacks). */
function sample(schema: SchemaNode): Json {
  if (schema.$ref) return [];
  if (schema.enum) return schema.enum[0]!;
  if (schema.anyOf) return sample(schema.anyOf[0]!);
  if (schema.oneOf) return sample(schema.oneOf[0]!);
  switch (schema.type) {
    case 'string':
      return schema.format === 'uri' ? 'https://example.com/x' : schema.format === 'date-time' ? '2024-01-01T00:00:00Z' : 'x';
    case 'array':
      return schema.items ? [sample(schema.items)] : [];
    case 'object': {
      const out: JsonObject = {};
      for (const name of schema.required ?? []) out[name] = sample(schema.properties?.[name] ?? {});
      return out;
    }
    default:
      return {};
  }
}

function otherTypes(value: Json): Json[] {
  if (typeof value === 'string') return [42, true, null, [value], { value }];
  if (typeof value === 'number') return [String(value)];
  if (typeof value === 'boolean') return [String(value)];
  if (value === null) return ['null'];
  if (Array.isArray(value)) return [{}, 'array-as-string'];
  return ['object-as-string', [], 7];
}

const TIMESTAMPS = [
  // invalid
  '2023-03-20T14:27:05',
  '2023-03-20T14:27:05.315384',
  '2023-13-20T14:27:05Z',
  '2023-00-10T14:27:05Z',
  '2023-02-30T14:27:05Z',
  '2023-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2023-04-31T00:00:00Z',
  '2023-03-20T24:00:00Z',
  '2023-03-20T14:60:00Z',
  '2023-03-20T14:27:60Z',
  '2023-03-20T14:27:05+24:00',
  '2023-03-20T14:27:05+05:60',
  '2023-03-20T14:27:05+05:',
  '2023-03-20T14:27:05.Z',
  '2023-03-20TT14:27:05Z',
  '2023-03-20T14:27:05Z ',
  ' 2023-03-20T14:27:05Z',
  '2023-03-20',
  '20230320T142705Z',
  '2023-3-20T14:27:05Z',
  'not a date',
  '',
  // valid, if odd
  '2024-02-29T00:00:00Z',
  '2000-02-29T12:00:00Z',
  '2023-03-20T14:27:05.123456789+05:30',
  '2023-03-20t14:27:05z',
  '2023-03-20 14:27:05Z',
  '2023-03-20T14:27:05+0530',
  '2023-03-20T14:27:05+05',
  '2023-03-20T14:27:05.1-00:00',
  '2016-12-31T23:59:60Z',
  '2016-12-31T18:59:60-05:00',
  '2016-12-31T23:59:60.999Z',
  '2016-12-31T22:59:60Z',
];

const URI_VALUES = [
  'has space',
  'relative/path',
  'http://[bad',
  'urn:x:y',
  '//host/p',
  '?q',
  '#frag',
  '',
  'https://example.com/a/b?c=d#e',
  'http://[::1]:8080/x',
  'http://[v1.fe]/x',
  'http://user:pw@host:80/p',
  'http://host:8o/p',
  'mailto:a@b.example',
  'foo:',
  '/event/source/123',
  'a"b',
  'http://h/%zz',
  'http://h/%41',
  'HTTP://EXAMPLE.COM',
  'file:///tmp/x',
  'http://h/ü',
  '1http://h',
  'x:/[::1]',
];

const ENUM_KEYS = new Set(['outcome', 'severity', 'type', 'outputType', 'linkType', 'ticketType', 'priority', 'resolution']);
const ENUM_VALUES = ['pass', 'success', 'Failure', 'other', 'RELATION', 'START', 'ticket', 'testSuiteRun', 'unit', 'manual', 'report', 'mytool-resource', 'my-tool-res'];
const URI_KEYS = new Set(['source', 'schemaUri', 'uri', 'url', 'viewUrl', 'ticketURI']);

function mutate(example: Example): Mutant[] {
  const event = example.event;
  const schema = officialSchema(event)!.schema;
  const out: Mutant[] = [];
  const add = (label: string, mutated: unknown) => out.push({ label, event: mutated });

  for (const { segments, value } of walk(event)) {
    const at = pathText(segments);
    if (segments.length > 0) {
      if (typeof segments.at(-1) === 'string') add(`delete ${at}`, without(event, segments));
      else add(`remove item ${at}`, without(event, segments));
      for (const other of otherTypes(value)) add(`set ${at} = ${JSON.stringify(other)}`, withValue(event, segments, other));
      if (typeof value === 'string' && value !== '') add(`set ${at} = ""`, withValue(event, segments, ''));
      const key = segments.at(-1);
      if (typeof key === 'string' && typeof value === 'string') {
        if (URI_KEYS.has(key)) for (const v of URI_VALUES) add(`set ${at} = ${JSON.stringify(v)}`, withValue(event, segments, v));
        if (ENUM_KEYS.has(key)) {
          for (const v of ENUM_VALUES) add(`set ${at} = ${JSON.stringify(v)}`, withValue(event, segments, v));
          add(`set ${at} = upper-case`, withValue(event, segments, value.toUpperCase()));
        }
      }
    }
    if (isObject(value)) {
      add(`add ${at}.zzUnexpected`, withValue(event, [...segments, 'zzUnexpected'], 'x'));
      // Optional fields the example lacks: add them valid, mistyped, and with odd formatted values.
      const sub = schemaAt(schema, segments);
      for (const [name, fieldSchema] of Object.entries(sub?.properties ?? {})) {
        if (name in value) continue;
        const field = [...segments, name];
        const fieldAt = pathText(field);
        add(`add ${fieldAt} = sample`, withValue(event, field, sample(fieldSchema)));
        add(`add ${fieldAt} = 7`, withValue(event, field, 7));
        add(`add ${fieldAt} = ""`, withValue(event, field, ''));
        if (fieldSchema.format === 'uri' || fieldSchema.format === 'uri-reference') {
          for (const v of URI_VALUES) add(`add ${fieldAt} = ${JSON.stringify(v)}`, withValue(event, field, v));
        }
      }
    }
  }

  for (const t of TIMESTAMPS) add(`set $.context.timestamp = ${JSON.stringify(t)}`, withValue(event, ['context', 'timestamp'], t));

  const context = event.context as JsonObject;
  const type = context.type as string;
  for (const version of ['9.9.9', '0.0.0', '0.10.0', '10.0.0']) {
    const changed = type.replace(/\d+\.\d+\.\d+$/, version);
    add(`set $.context.type = ${JSON.stringify(changed)}`, withValue(event, ['context', 'type'], changed));
  }
  for (const other of ['dev.cdevents.unknown.thing.0.1.0', 'dev.cdeventsx.my2tool-re2source.created.0.1.0', 'dev.cdeventsx.mytool.created.0.1.0', 'DEV.CDEVENTS.service.deployed.0.3.0', 'dev.cdeventsx.']) {
    add(`set $.context.type = ${JSON.stringify(other)}`, withValue(event, ['context', 'type'], other));
  }

  // Spec-version field swaps between the 0.4 (`version`) and 0.5 (`specversion`) lines.
  const versionKey = 'specversion' in context ? 'specversion' : 'version';
  const otherKey = versionKey === 'version' ? 'specversion' : 'version';
  const renamed = structuredClone(event);
  const renamedContext = renamed.context as JsonObject;
  renamedContext[otherKey] = renamedContext[versionKey]!;
  delete renamedContext[versionKey];
  add(`rename $.context.${versionKey} to ${otherKey}`, renamed);
  add(`add $.context.${otherKey}`, withValue(event, ['context', otherKey], '0.5.0'));
  add(`add $.subject.type = "ticket"`, withValue(event, ['subject', 'type'], 'ticket'));

  for (const v of [{ a: 1 }, {} as JsonObject, 'aGVsbG8=', '', [], [1], 1, null, true]) {
    add(`set $.customData = ${JSON.stringify(v)}`, withValue(event, ['customData'], v));
  }
  add('set $.customDataContentType = 1', withValue(event, ['customDataContentType'], 1));

  if (Array.isArray(context.links)) {
    context.links.forEach((_, i) => {
      for (const linkType of ['END', 'PATH', 'RELATION', 'START', 'end']) {
        add(`set $.context.links[${i}].linkType = ${linkType}`, withValue(event, ['context', 'links', i, 'linkType'], linkType));
      }
    });
    add('set $.context.links = []', withValue(event, ['context', 'links'], []));
    add('append link {linkType: END}', withValue(event, ['context', 'links', context.links.length], { linkType: 'END' }));
    add('append link RELATION with empty target', withValue(event, ['context', 'links', context.links.length], { linkType: 'RELATION', linkKind: 'X', target: {} }));
  }
  return out;
}

const casesByExample = examples.map((example) => ({ example, mutants: mutate(example) }));
const totalMutants = casesByExample.reduce((n, c) => n + c.mutants.length, 0);

function verdictOf(valid: boolean): string {
  return valid ? 'valid' : 'invalid';
}

// ---- Tests -------------------------------------------------------------------------------------

describe('CDEvents validator vs the official JSON schemas', () => {
  it('loads 39 / 46 / 46 conformance examples (131 in all)', () => {
    const count = (r: Release) => examples.filter((e) => e.release === r).length;
    expect([count('0.3.0'), count('0.4.1'), count('0.5.1')]).toEqual([39, 46, 46]);
    expect(examples).toHaveLength(131);
  });

  it('knows exactly the type strings of the official schemas', () => {
    expect([...knownCdeventTypes()].sort()).toEqual([...official.byType.keys()].sort());
    expect(knownCdeventTypes()).toHaveLength(39 + 45 + 45);
  });

  it.each(examples.map((e) => [e.file, e] as const))('accepts the conformance example %s, as ajv does', (_file, example) => {
    const ours = validateCdevent(example.event);
    const theirs = officialVerdict(example.event);
    expect(theirs.valid).toBe(true);
    expect(ours.violations).toEqual([]);
    expect(ours.valid).toBe(true);
    expect(ours.schemaId).toBe(theirs.schemaId);
  });

  it.each(casesByExample.map((c) => [c.example.file, c.mutants.length, c] as const))(
    'gives ajv verdicts on mutations of %s (%i cases)',
    (_file, _count, { mutants }) => {
      const disagreements: string[] = [];
      for (const mutant of mutants) {
        const theirs = officialVerdict(mutant.event);
        const ours = validateCdevent(mutant.event);
        if (ours.valid !== theirs.valid || ours.schemaId !== theirs.schemaId) {
          disagreements.push(
            `${mutant.label}: ajv ${verdictOf(theirs.valid)} (${theirs.schemaId}), ours ${verdictOf(ours.valid)} (${ours.schemaId}) ${JSON.stringify(ours.violations)}`,
          );
        }
        // An invalid verdict always comes with at least one violation, and a valid one with none.
        if (ours.valid !== (ours.violations.length === 0)) disagreements.push(`${mutant.label}: valid=${ours.valid} but ${ours.violations.length} violations`);
      }
      expect(disagreements).toEqual([]);
    },
  );

  it('ran thousands of differential cases, with both verdicts well represented', () => {
    let valid = 0;
    for (const { mutants } of casesByExample) for (const m of mutants) if (validateCdevent(m.event).valid) valid++;
    console.info(`cdevents differential: ${examples.length} examples + ${totalMutants} mutants = ${examples.length + totalMutants} cases (${valid} mutants valid, ${totalMutants - valid} invalid)`);
    expect(totalMutants).toBeGreaterThan(20_000);
    expect(valid).toBeGreaterThan(2_000);
    expect(totalMutants - valid).toBeGreaterThan(10_000);
  });

  it('agrees on non-object documents', () => {
    for (const value of [null, [], 'x', 1, true, [{}]]) {
      expect(validateCdevent(value).valid).toBe(officialVerdict(value).valid);
    }
  });
});

describe('string formats vs ajv-formats (full mode)', () => {
  const ajvUri = fullFormats.uri as (s: string) => boolean;
  const ajvUriReference = fullFormats['uri-reference'] as RegExp;
  const ajvDateTime = (fullFormats['date-time'] as { validate: (s: string) => boolean }).validate;

  /** A small deterministic generator, so a failure reproduces. */
  function generator(seed: number) {
    let state = seed;
    return <T>(choices: readonly T[]): T => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return choices[state % choices.length]!;
    };
  }

  it('agrees on 100 000 generated URI-like strings', () => {
    const pick = generator(7);
    const pieces = ['a', 'Z', '0', ':', '/', '//', '?', '#', '[', ']', '@', '%', '%4', '%41', '.', '-', '"', ' ', 'v1.', 'ffff', '1.2.3.4', '::', 'http:', 'urn:', ':80', '!', "'", '\\', 'é', '{'];
    const mismatches: string[] = [];
    let validUris = 0;
    for (let i = 0; i < 100_000; i++) {
      let s = '';
      for (let n = 1 + (i % 10); n > 0; n--) s += pick(pieces);
      if (isUri(s)) validUris++;
      if (isUri(s) !== ajvUri(s)) mismatches.push(`uri ${JSON.stringify(s)}`);
      if (isUriReference(s) !== ajvUriReference.test(s)) mismatches.push(`uri-reference ${JSON.stringify(s)}`);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(validUris).toBeGreaterThan(1_000);
  });

  it('agrees on 100 000 generated date-times', () => {
    const pick = generator(11);
    const mismatches: string[] = [];
    let valid = 0;
    for (let i = 0; i < 100_000; i++) {
      const s =
        `${pick(['2023', '2024', '1900', '2000', '0000'])}-${pick(['01', '02', '04', '12', '13', '00', '1'])}-${pick(['28', '29', '30', '31', '00', '32'])}` +
        `${pick(['T', 't', ' ', '\n', 'TT', ''])}${pick(['23', '00', '24', '22', '99', '30', '1'])}:${pick(['59', '00', '60', '01'])}:` +
        `${pick(['59', '60', '60.5', '61', '59.99999999999999999', '00.123456789', '00.'])}` +
        `${pick(['Z', 'z', '+01:00', '-01:00', '+05:30', '+0530', '+05', '-00:01', '+00:01', '+23:59', '+24:00', '', '+07:00', '-12:00', '+05:', 'Z '])}`;
      if (isDateTime(s)) valid++;
      if (isDateTime(s) !== ajvDateTime(s)) mismatches.push(JSON.stringify(s));
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(valid).toBeGreaterThan(3_000);
  });
});
