import { createHmac } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../lib/errors.ts';
import type { Condition, Connector, SchemaSnapshot } from '../connectors/connector.ts';
import {
  type DataCollection,
  type DataField,
  DataMap,
  type DataSystem,
  type ErasureStrategy,
  type SubjectIdentity,
} from './datamap.contract.ts';

/** Finds the connector for a system (from its `connection` name); throwing marks that system as failed. */
export type ConnectorLookup = (system: DataSystem) => Connector | Promise<Connector>;

/**
 * Parses a data map from YAML or JSON text. Every problem comes back at once, each with its dotted path.
 * @example loadDataMap(readFileSync('datamap.yaml', 'utf8'))
 */
export const loadDataMap = (text: string): DataMap => {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `the data map is not valid YAML or JSON: ${(err as Error).message}`, {
      field: '(body)',
    });
  }
  const parsed = DataMap.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  throw new AppError(
    'VALIDATION_FAILED',
    `the data map has ${issues.length} problem(s): ${issues[0]!.field}: ${issues[0]!.message}`,
    {
      field: issues[0]!.field,
      issues,
    },
  );
};

/** The strategy erasure applies to a field: its own, else its collection's. */
export const fieldStrategy = (c: DataCollection, f: DataField): ErasureStrategy | undefined => f.erasure ?? c.erasure;

/** Forms an identifier is searched in: what the subject gave, and the normalised form stores usually hold. */
export const normalisedIdentity = (id: SubjectIdentity): string => {
  const v = id.value.normalize('NFKC').trim();
  if (id.kind === 'email') return v.toLowerCase();
  if (id.kind === 'phone') return v.replace(/\D/g, '');
  return v;
};

// Fewer digits than this would match unrelated numbers (and an empty string would match every blank phone).
const MIN_PHONE_DIGITS = 6;

/** Every pseudonym starts with this, so erasing twice leaves a pseudonym alone instead of hashing it again. */
export const PSEUDONYM_PREFIX = 'psd_';

/**
 * Keyed pseudonym of a field's value: the same person gets the same pseudonym in every system (so counts still add
 * up) while nobody without the key can link it back. Identity values are normalised first; the result is clipped to
 * the column's width so it always fits.
 */
export const pseudonymFor = (
  key: Buffer,
  field: DataField,
  value: string,
  length: number,
  maxLength?: number | null,
) => {
  const kind = field.identity?.kind ?? field.category;
  const v = field.identity ? normalisedIdentity({ kind: field.identity.kind, value }) : value;
  const full = PSEUDONYM_PREFIX + createHmac('sha256', key).update(`${kind}\0${v}`).digest('hex').slice(0, length);
  return maxLength ? full.slice(0, Math.max(maxLength, PSEUDONYM_PREFIX.length + 8)) : full;
};

const integerLike = /^-?\d{1,18}$/;

/**
 * Conditions that find the subject directly in one collection, through its identity fields. With a pseudonym key,
 * identity fields erased by pseudonymisation are searched for the pseudonym too: pseudonymised data is still
 * personal data and belongs in an access export (EDPB 01/2022).
 */
export const identityConditions = (
  c: DataCollection,
  identities: readonly SubjectIdentity[],
  live: SchemaSnapshot | null,
  pseudonymKey?: Buffer,
): Condition[] => {
  const out: Condition[] = [];
  const table = live?.tables.get(c.table);
  for (const f of c.fields) {
    if (!f.identity) continue;
    const info = table?.columns.find((col) => col.name === f.column);
    const kind = info?.kind;
    for (const id of identities) {
      if (id.kind !== f.identity.kind || (id.namespace ?? null) !== (f.identity.namespace ?? null)) continue;
      const v = normalisedIdentity(id);
      if (id.kind === 'email') out.push({ op: 'eq_ci', column: f.column, value: v });
      else if (id.kind === 'phone') {
        if (v.length >= MIN_PHONE_DIGITS) out.push({ op: 'digits_eq', column: f.column, value: v });
      } else if (kind !== 'integer' || integerLike.test(v)) out.push({ op: 'in', column: f.column, values: [v] });
      const strategy = fieldStrategy(c, f);
      if (pseudonymKey && strategy?.kind === 'pseudonymise' && kind !== 'integer') {
        out.push({
          op: 'in',
          column: f.column,
          values: [pseudonymFor(pseudonymKey, f, id.value, strategy.length, info?.maxLength)],
        });
      }
    }
  }
  return out;
};

/** Columns of a collection that traversal needs: key, mapped fields, both ends of its references. */
export const neededColumns = (s: DataSystem, c: DataCollection): string[] => [
  ...new Set([...linkColumns(s, c), ...c.fields.map((f) => f.column)]),
];

/** The primary key and the columns references use: all a traversal needs to reach a row and go on from it. */
export const linkColumns = (s: DataSystem, c: DataCollection): string[] => {
  const cols = new Set(c.primaryKey);
  for (const r of s.references) {
    if (r.from.collection === c.name) cols.add(r.from.column);
    if (r.to.collection === c.name) cols.add(r.to.column);
  }
  return [...cols];
};

/** Which mapped tables and columns are absent from the live schema; traversal skips these and says so. */
export const missingInLive = (s: DataSystem, c: DataCollection, live: SchemaSnapshot): string | null => {
  const t = live.tables.get(c.table);
  if (!t) return `table ${c.table} does not exist`;
  const have = new Set(t.columns.map((col) => col.name));
  const missing = neededColumns(s, c).filter((col) => !have.has(col));
  return missing.length > 0 ? `column(s) ${missing.join(', ')} missing in table ${c.table}` : null;
};

/**
 * Removes the subject's identifiers from an error message before it is reported, because database errors quote the
 * offending value and reports end up in logs and audit entries.
 */
export const scrubError = (err: unknown, identities: readonly SubjectIdentity[]): string => {
  let msg = err instanceof Error ? err.message : String(err);
  for (const id of identities) {
    for (const v of [id.value, normalisedIdentity(id)]) if (v.length > 0) msg = msg.split(v).join('[identifier]');
  }
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${msg}` : msg;
};

/** A stable string for a row's key, to remember which rows have been seen. */
export const keyString = (key: readonly string[], row: Record<string, unknown>) =>
  JSON.stringify(key.map((k) => normaliseScalar(row[k])));

export const normaliseScalar = (v: unknown): unknown =>
  v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? String(v) : v;
