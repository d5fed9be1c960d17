import fc from 'fast-check';
import type { Pools } from './fuzz-fixtures.ts';
import {
  type Hints,
  type JsonSchema,
  type Mutation,
  mutationsOf,
  type OpenApiDoc,
  text,
  validOf,
} from './fuzz-schema.ts';

/** What the fuzzer reads of an OpenAPI operation. */
export type Operation = {
  method: string;
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  body?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  public: boolean;
};

export const operationsOf = (doc: OpenApiDoc & { paths: Record<string, Record<string, unknown>> }) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, raw]) => {
      const op = raw as {
        parameters?: Operation['parameters'];
        requestBody?: Operation['body'];
        responses: Operation['responses'];
        security?: unknown[];
      };
      return {
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody,
        responses: op.responses,
        public: !op.security,
      } satisfies Operation;
    }),
  );

/** One request: what was sent and, for a broken body, which field was broken. */
export type FuzzCase = {
  kind: 'valid' | 'invalid' | 'raw' | 'none';
  note: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  mutation?: Mutation;
};

const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as raw (invalid) UTF-8 bytes
  }
};

const badSegments = ['%', '%E0%A4%A', '%ED%A0%80', '%00', '..', '%2F', 'a%2Fb', '%20', 'x'.repeat(5000), '%C0%AF'];
const badQueries = ['%', '%%', 'a=%ZZ', '=', '&&', 'a[b]=1&a[c]=2', 'limit=1&limit=2', '%00=%00', 'api_key=x'];

export const MALFORMED_JSON = [
  '{',
  '{"a":}',
  '{"a":1,}',
  "{'a':1}",
  '\u0000',
  '',
  ' ',
  'null',
  'true',
  '"s"',
  '1e999',
  '{"a":"\\ud800"}',
  '{"__proto__":{"role":"admin"}}',
  '\ufeff{}',
  '{"a":1}{"b":2}',
  '[',
];
const deepJson = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const WRONG_CT = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
];

const valueText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Random requests for one operation: path parameters (a real id of the caller's tenant, another tenant's, a well
 * formed unknown id, or garbage), query strings (documented keys with valid or junk values, unknown keys, broken
 * escapes) and bodies (valid by the schema, one mutation away from valid, malformed or of the wrong content type).
 */
export const caseArb = (
  doc: OpenApiDoc,
  op: Operation,
  ctx: { own: Pools; other: Pools; hints: Hints; bodyLimit: number },
): fc.Arbitrary<FuzzCase> => {
  const valid = validOf(doc, ctx.hints);
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');

  const segment = (p: Operation['parameters'][number], clean: boolean) => {
    const own = ctx.own[p.name] ?? [];
    const mine = own.length > 0 ? fc.constantFrom(...own) : valid(p.schema).map(valueText);
    if (clean) return mine.map(encode);
    const theirs = (ctx.other[p.name] ?? []).length > 0 ? fc.constantFrom(...ctx.other[p.name]!) : mine;
    return fc.oneof(
      { weight: 6, arbitrary: mine.map(encode) },
      { weight: 1, arbitrary: theirs.map(encode) },
      { weight: 1, arbitrary: valid(p.schema).map((v) => encode(valueText(v))) },
      { weight: 1, arbitrary: text(1, 40).map(encode) },
      { weight: 1, arbitrary: fc.constantFrom(...badSegments) },
    );
  };
  const pathOf = (clean: boolean) =>
    fc
      .tuple(...pathParams.map((p) => segment(p, clean)))
      .map((vals) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, vals[i]!), op.path));

  const query = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          ...queryParams.map((p) =>
            fc.option(fc.oneof({ weight: 3, arbitrary: valid(p.schema, `?${p.name}`) }, text(0, 30)), {
              nil: undefined,
            }),
          ),
          fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.tuple(text(1, 12), text(0, 20))),
        )
        .map(([...vals]) => {
          const extra = vals.pop() as [string, string] | undefined;
          const q = new URLSearchParams();
          queryParams.forEach((p, i) => {
            if (vals[i] !== undefined) q.append(p.name, valueText(vals[i]));
          });
          if (extra) q.append(extra[0], extra[1]);
          return q.toString();
        }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...badQueries) },
  );
  const headers = fc
    .tuple(...headerParams.map((p) => fc.option(fc.oneof(valid(p.schema), text(0, 300)), { nil: undefined })))
    .map((vals) => {
      const out: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        // A header value cannot carry control characters or non-Latin-1 text; such a request never leaves a client.
        const v = vals[i] === undefined ? undefined : valueText(vals[i]).replace(/[^\x20-\x7e]/g, '?');
        if (v !== undefined) out[p.name] = v;
      });
      return out;
    });

  const url = (path: string, q: string) => (q ? `${path}?${q}` : path);
  const jsonSchema = op.body?.content['application/json']?.schema;
  const otherTypes = Object.keys(op.body?.content ?? {}).filter((t) => t !== 'application/json');
  const kinds: fc.WeightedArbitrary<FuzzCase>[] = [];

  if (jsonSchema) {
    const body = valid(jsonSchema);
    kinds.push({
      weight: 4,
      arbitrary: fc.record({ path: pathOf(false), q: query, h: headers, v: body }).map(({ path, q, h, v }) => ({
        kind: 'valid' as const,
        note: 'valid body',
        url: url(path, q),
        headers: { ...h, 'content-type': 'application/json' },
        body: JSON.stringify(v),
      })),
    });
    // A broken body goes with clean parameters, so the field at fault is the one that was broken.
    kinds.push({
      weight: 4,
      arbitrary: fc.record({ path: pathOf(true), v: body, n: fc.nat() }).map(({ path, v, n }) => {
        const all = mutationsOf(doc, jsonSchema, v, n);
        const m = all[n % all.length]!;
        return {
          kind: 'invalid' as const,
          note: `${m.kind} at ${m.path || '(body)'}`,
          url: path,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(m.body),
          mutation: m,
        };
      }),
    });
    kinds.push({
      weight: 2,
      arbitrary: fc
        .record({
          path: pathOf(true),
          v: body,
          raw: fc.oneof(
            fc.constantFrom(...MALFORMED_JSON).map((b) => ({ b, ct: 'application/json', note: 'malformed JSON' })),
            fc.constantFrom(...WRONG_CT).map((ct) => ({ b: undefined, ct, note: `content type ${ct || '(none)'}` })),
            fc.constantFrom(
              { b: deepJson(100_000), ct: 'application/json', note: 'JSON nested 100,000 deep' },
              { b: `{"a":"${'x'.repeat(ctx.bodyLimit + 10)}"}`, ct: 'application/json', note: 'over the body limit' },
            ),
          ),
        })
        .map(({ path, v, raw }) => ({
          kind: 'raw' as const,
          note: raw.note,
          url: path,
          headers: raw.ct ? { 'content-type': raw.ct } : ({} as Record<string, string>),
          body: raw.b ?? JSON.stringify(v),
        })),
    });
  }
  for (const ct of otherTypes) {
    // The NDJSON audience and the YAML data map: lines and documents, good and bad.
    const line = fc.oneof(
      valid({ $ref: '#/components/schemas/Identity' }).map((v) => JSON.stringify(v)),
      text(0, 80),
      fc.constantFrom('{', '[]', 'null', '{"kind":"email"}', 'a: &a [*a, *a, *a, *a]', 'a: !!js/function "x"'),
    );
    kinds.push({
      weight: jsonSchema ? 1 : 8,
      arbitrary: fc
        .record({ path: pathOf(false), q: query, lines: fc.array(line, { maxLength: 20 }) })
        .map(({ path, q, lines }) => ({
          kind: 'raw' as const,
          note: `${ct} body`,
          url: url(path, q),
          headers: { 'content-type': ct },
          body: lines.join('\n'),
        })),
    });
  }
  if (!op.body) {
    const stray =
      op.method === 'GET' ? fc.constant(undefined) : fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined });
    kinds.push({
      weight: 1,
      arbitrary: fc.record({ path: pathOf(false), q: query, h: headers, b: stray }).map(({ path, q, h, b }) => ({
        kind: 'none' as const,
        note: b === undefined ? 'no body' : 'a body where none is taken',
        url: url(path, q),
        headers: b === undefined ? h : { ...h, 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      })),
    });
  }
  return fc.oneof(...kinds);
};
