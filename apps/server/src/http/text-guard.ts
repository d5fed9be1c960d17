import { AppError } from '../lib/errors.ts';

// A NUL, or half of a UTF-16 surrogate pair: JSON can carry them (`\u0000`, `\ud800`), PostgreSQL cannot store them
// in text or jsonb, and no name, notice or note needs them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const describe = (s: string) => (s.includes('\u0000') ? 'a NUL character' : 'a lone UTF-16 surrogate');

/** The dotted path of the first string or key in `value` that PostgreSQL cannot store, with why; else null. */
export const unstorableText = (
  value: unknown,
  path: (string | number)[] = [],
): { field: string; why: string } | null => {
  if (typeof value === 'string')
    return UNSTORABLE.test(value) ? { field: path.join('.') || '(body)', why: describe(value) } : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = unstorableText(value[i], [...path, i]);
      if (r) return r;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (UNSTORABLE.test(k)) return { field: [...path, k].join('.'), why: describe(k) };
      const r = unstorableText(v, [...path, k]);
      if (r) return r;
    }
  }
  return null;
};

/**
 * Throws a 400 naming the field when validated input holds text PostgreSQL cannot store; without it such input
 * passed zod and failed at INSERT as a 500.
 * @example rejectUnstorableText({ name: 'a\u0000b' }) // throws VALIDATION_FAILED, field 'name'
 */
export const rejectUnstorableText = (value: unknown) => {
  const bad = unstorableText(value);
  if (bad) throw new AppError('VALIDATION_FAILED', `${bad.field}: must not contain ${bad.why}`, { field: bad.field });
};
