import { type Condition, DEFAULT_BATCH_SIZE, type Row, type SelectSpec } from './connector.ts';

/**
 * The only place SQL text is assembled. Identifiers from the data map go through `quote` (rejecting NUL, doubling
 * the quote character), values only ever become placeholders, and numbers spliced in (LIMIT) are checked integers.
 */
export type Dialect = {
  readonly name: 'postgres' | 'mysql';
  quote(identifier: string): string;
  /** Placeholder for the n-th bound value (1-based). */
  param(n: number): string;
  /** The table as it appears in FROM/UPDATE/DELETE (schema-qualified where the engine needs it). */
  table(name: string): string;
  lower(expr: string): string;
  digits(expr: string): string;
  /** Condition "column IN values"; PostgreSQL binds one array, MySQL one placeholder per value. */
  inList(expr: string, values: readonly unknown[], bind: (v: unknown) => string): string;
};

export type Statement = { text: string; values: unknown[] };

export const quoteWith = (q: '"' | '`') => (identifier: string) => {
  if (identifier.length === 0 || identifier.includes('\0')) throw new Error('invalid SQL identifier');
  return q + identifier.split(q).join(q + q) + q;
};

/** LIKE wildcards in user input are escaped with `!`, a character that needs no escaping in either engine's literals. */
export const escapeLike = (value: string) => value.replace(/[!%_]/g, (c) => `!${c}`);

type Binder = { values: unknown[]; bind(v: unknown): string };

const binder = (d: Dialect): Binder => {
  const values: unknown[] = [];
  return {
    values,
    bind: (v) => {
      values.push(v);
      return d.param(values.length);
    },
  };
};

const assertLimit = (n: number) => {
  if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) throw new Error(`batch size ${n} is out of range`);
  return n;
};

/** One condition; inside a subquery (`depth` > 0) its column is qualified with that subquery's alias. */
const condition = (d: Dialect, b: Binder, c: Condition, depth = 0): string => {
  const col = depth > 0 ? `${d.quote(`s${depth}`)}.${d.quote(c.column)}` : d.quote(c.column);
  switch (c.op) {
    case 'in':
      return c.values.length === 0 ? '1 = 0' : d.inList(col, c.values, b.bind);
    case 'eq_ci':
      return `${d.lower(col)} = ${b.bind(c.value)}`;
    case 'digits_eq':
      return `${d.digits(col)} = ${b.bind(c.value)}`;
    case 'contains_ci':
      return `${d.lower(col)} LIKE ${b.bind(`%${escapeLike(c.value)}%`)} ESCAPE '!'`;
    case 'before':
      // In UTC, whatever the process's zone: PostgreSQL reads the ISO form (a timestamp column ignores the Z),
      // MySQL wants 'YYYY-MM-DD HH:MM:SS'.
      return `${col} < ${b.bind(d.name === 'mysql' ? c.value.toISOString().slice(0, 19).replace('T', ' ') : c.value.toISOString())}`;
    case 'in_select': {
      if (c.anyOf.length === 0) throw new Error('subquery without a condition');
      const alias = d.quote(`s${depth + 1}`);
      const where = c.anyOf.map((x) => condition(d, b, x, depth + 1)).join(' OR ');
      return `${col} IN (SELECT ${alias}.${d.quote(c.select)} FROM ${d.table(c.table)} ${alias} WHERE ${where})`;
    }
  }
};

const keyTuple = (d: Dialect, key: readonly string[]) =>
  key.length === 1 ? d.quote(key[0]!) : `(${key.map(d.quote).join(', ')})`;

const keyValues = (b: Binder, key: readonly string[], row: Row) =>
  key.length === 1 ? b.bind(row[key[0]!]) : `(${key.map((k) => b.bind(row[k])).join(', ')})`;

/**
 * One keyset page: rows matching any condition whose key sorts after `after`, in key order.
 * @example buildSelect(pg, { table: 'customer', columns: ['email'], key: ['id'], anyOf: [...] }, null, 500)
 */
export const buildSelect = (d: Dialect, spec: SelectSpec, after: Row | null, limit: number): Statement => {
  const b = binder(d);
  const cols = [...new Set([...spec.key, ...spec.columns])].map(d.quote).join(', ');
  const where = spec.anyOf.length === 0 ? ['1 = 1'] : [`(${spec.anyOf.map((c) => condition(d, b, c)).join(' OR ')})`];
  if (after) where.push(`${keyTuple(d, spec.key)} > ${keyValues(b, spec.key, after)}`);
  const order = spec.key.length > 0 ? ` ORDER BY ${spec.key.map(d.quote).join(', ')}` : '';
  const text = `SELECT ${cols} FROM ${d.table(spec.table)} WHERE ${where.join(' AND ')}${order} LIMIT ${assertLimit(limit)}`;
  return { text, values: b.values };
};

const keyIn = (d: Dialect, b: Binder, key: readonly string[], keys: readonly Row[]) => {
  if (key.length === 1)
    return d.inList(
      d.quote(key[0]!),
      keys.map((k) => k[key[0]!]),
      b.bind,
    );
  return `${keyTuple(d, key)} IN (${keys.map((k) => keyValues(b, key, k)).join(', ')})`;
};

export const buildUpdate = (
  d: Dialect,
  table: string,
  key: readonly string[],
  keys: readonly Row[],
  set: Row,
): Statement => {
  const b = binder(d);
  const assignments = Object.entries(set).map(([col, v]) => `${d.quote(col)} = ${b.bind(v)}`);
  if (assignments.length === 0) throw new Error('update without columns');
  return {
    text: `UPDATE ${d.table(table)} SET ${assignments.join(', ')} WHERE ${keyIn(d, b, key, keys)}`,
    values: b.values,
  };
};

export const buildDelete = (d: Dialect, table: string, key: readonly string[], keys: readonly Row[]): Statement => {
  const b = binder(d);
  return { text: `DELETE FROM ${d.table(table)} WHERE ${keyIn(d, b, key, keys)}`, values: b.values };
};

/** DELETE of the rows matching any condition; an empty list is refused rather than read as "every row". */
export const buildDeleteWhere = (d: Dialect, table: string, anyOf: readonly Condition[]): Statement => {
  if (anyOf.length === 0) throw new Error('delete without a condition');
  const b = binder(d);
  const where = anyOf.map((c) => condition(d, b, c)).join(' OR ');
  return { text: `DELETE FROM ${d.table(table)} WHERE ${where}`, values: b.values };
};

/** Splits a list so no statement binds more values than the engine (or sanity) allows. */
export const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * Walks a select page by page on its key, so memory stays bounded however many rows match. Without a key
 * (sampling) there is exactly one page.
 */
export async function* keysetPages(
  d: Dialect,
  spec: SelectSpec,
  query: (st: Statement) => Promise<Row[]>,
): AsyncIterable<Row[]> {
  const size = spec.batchSize ?? DEFAULT_BATCH_SIZE;
  let after: Row | null = null;
  for (;;) {
    const rows = await query(buildSelect(d, spec, after, size));
    if (rows.length > 0) yield rows;
    if (rows.length < size || spec.key.length === 0) return;
    after = rows[rows.length - 1]!;
  }
}
