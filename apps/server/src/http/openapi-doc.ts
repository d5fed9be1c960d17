type Node = Record<string, unknown>;

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * zod-to-openapi renders `Ref.nullable()` for OpenAPI 3.1 as `allOf: [{ $ref }, { type: [T, 'null'] }]`, which
 * JSON Schema reads as "a Ref AND (T or null)" — so null, the very value it means to allow, fails validation in
 * every client that checks responses. Rewritten to `anyOf: [{ $ref }, { type: 'null' }]`, which says what it means.
 * @example repairNullableRefs({ allOf: [{ $ref: '#/x' }, { type: ['string', 'null'] }] })
 * // → { anyOf: [{ $ref: '#/x' }, { type: 'null' }] }
 */
export const repairNullableRefs = <T>(doc: T): T => {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!isNode(x)) return x;
    const out: Node = {};
    for (const [k, v] of Object.entries(x)) out[k] = walk(v);
    const all = out.allOf;
    if (Array.isArray(all) && all.length === 2 && isNode(all[0]) && typeof all[0].$ref === 'string' && isNode(all[1])) {
      const { type, ...rest } = all[1];
      if (Array.isArray(type) && type.includes('null') && Object.keys(rest).length === 0) {
        const { allOf: _drop, ...others } = out;
        return { ...others, anyOf: [all[0], { type: 'null' }] };
      }
    }
    return out;
  };
  return walk(doc) as T;
};
