import fc from 'fast-check';

/**
 * JSON Schema → fast-check arbitraries, for the subset Lawful's OpenAPI 3.1 document uses: $ref, allOf, anyOf,
 * enum, const, type (also as a list), properties/required/additionalProperties, items/minItems/maxItems,
 * minLength/maxLength/pattern/format, minimum/maximum. Written here because the published generators target
 * fast-check 1–3 or zod 3 (json-schema-fast-check, zod-fast-check); this one is small and checked against ajv.
 */
export type JsonSchema = { [k: string]: unknown };
export type OpenApiDoc = { components?: { schemas?: Record<string, JsonSchema> } };
export type Path = (string | number)[];

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Strings that break naive code: NUL, lone surrogates, RTL override, zero-width, BOM, line separator, astral. */
export const NASTY = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\u202eevil',
  '\u200d',
  '\ufeff',
  'e\u0301',
  '𝕳𝖊𝖑𝖑𝖔',
  '\u2028\u2029',
  '%00',
  '../../etc/passwd',
  "'; drop table subjects;--",
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as literal text.
  '${7*7}',
  '\\',
  ' ',
  'ﷺ',
  '\u0600\u0601',
];

const codePoints = (s: string) => [...s].length;

const lengthOk = (s: string, min: number, max: number) => codePoints(s) >= min && s.length <= max;

/** Text of min..max characters: plain, any unicode, or the nasty list. */
export const text = (min = 0, max = 64) => {
  const cap = Math.max(min, Math.min(max, 64));
  const parts = [
    fc.string({ minLength: min, maxLength: cap }),
    fc.string({ unit: 'binary', minLength: min, maxLength: cap }),
    fc.array(fc.constantFrom(...NASTY), { minLength: 1, maxLength: 3 }).map((a) => a.join('').padEnd(min, 'x')),
  ];
  return fc.oneof({ weight: 3, arbitrary: parts[0]! }, parts[1]!, parts[2]!).filter((s) => lengthOk(s, min, max));
};

const typesOf = (s: JsonSchema): string[] | undefined => {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type as string[];
  if (isObj(s.properties)) return ['object'];
  if (s.items) return ['array'];
  return undefined;
};

/** The schema a $ref names (one level: the document's refs all point into components.schemas). */
export const deref = (doc: OpenApiDoc, s: JsonSchema): JsonSchema => {
  let cur = s;
  for (let i = 0; i < 20 && typeof cur.$ref === 'string'; i++) {
    const name = cur.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${cur.$ref}`);
    cur = target;
  }
  return cur;
};

/** allOf folded into one schema: properties and required united, types intersected, the first other keyword wins. */
export const flatten = (doc: OpenApiDoc, s: JsonSchema): JsonSchema => {
  const d = deref(doc, s);
  if (!Array.isArray(d.allOf)) return d;
  const out: JsonSchema = {};
  const { allOf, ...rest } = d;
  for (const part of [...(allOf as JsonSchema[]).map((p) => flatten(doc, p)), rest]) {
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties') out.properties = { ...(out.properties as object), ...(v as object) };
      else if (k === 'required')
        out.required = [...new Set([...((out.required as string[]) ?? []), ...(v as string[])])];
      else if (k === 'type') {
        const a = typesOf(out) ?? typesOf({ type: v }) ?? [];
        const b = typesOf({ type: v }) ?? [];
        out.type = a.filter((t) => b.includes(t));
      } else if (!(k in out)) out[k] = v;
    }
  }
  return out;
};

const dateTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,16}$/), fc.constantFrom('example.org', 'example.com'))
  .map(([a, b]) => `${a}@${b}`);
// An address literal (no DNS), and one that no harness ever contacts: no delivery worker runs in the fuzz tests.
const uri = fc
  .tuple(
    fc.constantFrom('https://93.184.215.14', 'https://127.0.0.1', 'http://127.0.0.1:9'),
    fc.stringMatching(/^(\/[a-z0-9]{1,8}){0,3}$/),
  )
  .map(([a, b]) => `${a}${b || '/'}`);

/** A string matching `pattern`; lookaheads (which fast-check cannot generate) are dropped and then checked. */
const matching = (pattern: string) => {
  const re = new RegExp(pattern, 'u');
  try {
    return fc.stringMatching(re);
  } catch {
    const loose = new RegExp(pattern.replace(/\(\?[!=][^)]*\)/g, ''), 'u');
    return fc.stringMatching(loose).filter((s) => re.test(s));
  }
};

export type Hints = Record<string, { arb: fc.Arbitrary<unknown>; replace?: boolean }>;

/**
 * Valid values of a schema. `hints` bias properties by name (`url`, or `Schema.url` for one schema's property)
 * towards values that reach deeper than a 404 (ids and keys that exist); a hint with `replace` is used alone (a
 * database URL must never be a random host).
 */
export const validOf = (doc: OpenApiDoc, hints: Hints = {}) => {
  const gen = (schema: JsonSchema, depth: number, key?: string, owner?: string): fc.Arbitrary<unknown> => {
    const s = flatten(doc, schema);
    const name = typeof schema.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : undefined;
    const hint = (key ? (hints[`${owner}.${key}`] ?? hints[key]) : undefined) ?? (name ? hints[`#${name}`] : undefined);
    if (hint?.replace) return hint.arb;
    const base = plain(s, depth, name);
    return hint ? fc.oneof({ weight: 3, arbitrary: hint.arb }, { weight: 1, arbitrary: base }) : base;
  };
  const plain = (s: JsonSchema, depth: number, name?: string): fc.Arbitrary<unknown> => {
    if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf))
      return fc.oneof(...((s.anyOf ?? s.oneOf) as JsonSchema[]).map((a) => gen(a, depth + 1)));
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
    const types = typesOf(s);
    if (!types) return fc.jsonValue({ maxDepth: 2 });
    return fc.oneof(...types.map((t) => ofType(s, t, depth, name)));
  };
  const ofType = (s: JsonSchema, t: string, depth: number, name?: string): fc.Arbitrary<unknown> => {
    switch (t) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({ min: (s.minimum as number) ?? -1_000_000, max: (s.maximum as number) ?? 1_000_000 });
      case 'number':
        return fc.double({
          min: (s.minimum as number) ?? -1e9,
          max: (s.maximum as number) ?? 1e9,
          noNaN: true,
          noDefaultInfinity: true,
        });
      case 'string':
        return stringOf(s);
      case 'array': {
        const min = (s.minItems as number) ?? 0;
        const max = Math.max(min, Math.min((s.maxItems as number) ?? 3, 3));
        if (depth > 8) return fc.constant([]);
        return fc.array(gen((s.items as JsonSchema) ?? {}, depth + 1), { minLength: min, maxLength: max });
      }
      case 'object': {
        const props = isObj(s.properties) ? (s.properties as Record<string, JsonSchema>) : {};
        const required = ((s.required as string[]) ?? []).filter((k) => k in props);
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) {
          // Deep optional branches are left out rather than recursing forever.
          if (depth > 8 && !required.includes(k)) continue;
          model[k] = gen(v, depth + 1, k, name);
        }
        const rec = fc.record(model, { requiredKeys: required });
        if (isObj(s.additionalProperties) && Object.keys(props).length === 0) {
          const values = gen(s.additionalProperties as JsonSchema, depth + 1);
          // The document's maps are keyed by locale; it does not say so (no propertyNames), so the key is a hint.
          const keys = isObj(s.propertyNames)
            ? gen(s.propertyNames, depth + 1)
            : (hints['(map key)']?.arb ?? text(1, 16));
          return fc.dictionary(keys as fc.Arbitrary<string>, values, { maxKeys: 3 });
        }
        return rec;
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  const stringOf = (s: JsonSchema): fc.Arbitrary<string> => {
    const min = (s.minLength as number) ?? 0;
    const max = (s.maxLength as number) ?? 10_000;
    if (s.format === 'date-time') return dateTime;
    if (s.format === 'email') return email.filter((e) => e.length <= max);
    if (s.format === 'uri') return uri.filter((u) => u.length <= max);
    if (typeof s.pattern === 'string') return matching(s.pattern).filter((x) => lengthOk(x, min, max));
    return text(min, max);
  };
  return (schema: JsonSchema, key?: string) => gen(schema, 0, key);
};

/** One way to break a valid value, and where (a dotted path; '' is the whole body). */
export type Mutation = { kind: string; path: string; body: unknown };

const setAt = (root: unknown, path: Path, value: unknown | typeof REMOVE): unknown => {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === REMOVE) delete cur[last];
  // defineProperty, so '__proto__' becomes an own key as JSON.parse would make it, not a prototype change.
  else Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
};
const REMOVE = Symbol('remove');

/** A JSON array nested `n` deep: '[[[…]]]'. */
export const deepArray = (n: number): unknown => {
  let v: unknown = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

const wrongTypeValue = (types: string[] | undefined, pick: number): unknown => {
  const candidates: [string, unknown][] = [
    ['string', 'not-a-number'],
    ['number', 12345.5],
    ['integer', 7],
    ['boolean', true],
    ['object', { nested: { deeper: [1, 'two', null] } }],
    ['array', ['x', 1]],
    ['null', null],
    ['deep', deepArray(500)],
  ];
  const ok = candidates.filter(([t]) => !types?.includes(t) && !(t === 'integer' && types?.includes('number')));
  const deep = ok.find(([t]) => t === 'deep');
  if (types?.includes('array') && deep) ok.splice(ok.indexOf(deep), 1);
  return ok[pick % ok.length]?.[1];
};

/**
 * Every single-step mutation of `value` that the schema forbids: a wrong type, a missing required field, an unknown
 * field (mass assignment: tenantId, role, status), a string over its maximum or off its pattern or enum, a number
 * out of range, too many or too few items — at every depth, plus a non-object or deeply nested whole body.
 */
export const mutationsOf = (doc: OpenApiDoc, schema: JsonSchema, value: unknown, pick: number): Mutation[] => {
  const out: Mutation[] = [];
  const at = (path: Path, kind: string, v: unknown | typeof REMOVE, fieldPath: Path = path) =>
    out.push({ kind, path: fieldPath.join('.'), body: setAt(value, path, v) });
  const walk = (raw: JsonSchema, v: unknown, path: Path, depth: number) => {
    if (depth > 10) return;
    const s = flatten(doc, raw);
    if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) return; // which branch is "wrong" is ambiguous
    const types = typesOf(s);
    if (types) at(path, 'wrong type', wrongTypeValue(types, pick + depth));
    if (Array.isArray(s.enum) && typeof v === 'string') at(path, 'not in enum', `${v}-not-allowed`);
    if (typeof v === 'string') {
      if (typeof s.maxLength === 'number')
        at(path, 'too long', 'x'.repeat(Math.min(s.maxLength + 1 + (pick % 50_000), 600_000)));
      if (typeof s.minLength === 'number' && s.minLength > 0) at(path, 'too short', '');
      if (typeof s.pattern === 'string') {
        const bad = `${v}\u0000!`;
        if (!new RegExp(s.pattern, 'u').test(bad)) at(path, 'off pattern', bad);
      }
    }
    if (typeof v === 'number') {
      if (typeof s.maximum === 'number') at(path, 'above maximum', s.maximum + 1);
      if (typeof s.minimum === 'number') at(path, 'below minimum', s.minimum - 1);
      if (types?.includes('integer') && !types.includes('number')) at(path, 'not an integer', v + 0.5);
    }
    if (Array.isArray(v)) {
      const items = (s.items as JsonSchema) ?? {};
      if (typeof s.maxItems === 'number' && s.maxItems < 5000 && v.length > 0)
        at(
          path,
          'too many items',
          Array.from({ length: s.maxItems + 1 }, () => v[0]),
        );
      if (typeof s.minItems === 'number' && s.minItems > 0) at(path, 'too few items', []);
      if (v.length > 0) walk(items, v[0], [...path, 0], depth + 1);
    }
    if (isObj(v) && isObj(s.properties)) {
      const props = s.properties as Record<string, JsonSchema>;
      for (const k of (s.required as string[]) ?? []) if (k in v) at([...path, k], 'missing required', REMOVE);
      if (s.additionalProperties === false) {
        const extra = ['tenantId', 'role', 'status', 'x', '__proto__', 'constructor'][pick % 6]!;
        if (!(extra in props)) at([...path, extra], 'unknown field', 'mass-assigned');
      }
      for (const [k, sub] of Object.entries(props)) if (k in v) walk(sub, v[k], [...path, k], depth + 1);
    }
  };
  walk(schema, value, [], 0);
  // Whole-body breakage: a body of the wrong shape entirely.
  for (const body of [null, [], 'text', 0, deepArray(800)]) out.push({ kind: 'not an object', path: '', body });
  return out;
};
