import { AppError } from '../../lib/errors.ts';
import type { Condition, Row, SchemaSnapshot, Transaction } from '../connectors/connector.ts';
import type { DataCollection, DataMap, DataSystem, LegalGround, SubjectIdentity } from './datamap.contract.ts';
import { liveSchema, systemTables } from './datamap.live.ts';
import { locate } from './datamap.locate.ts';
import {
  type ConnectorLookup,
  fieldStrategy,
  linkColumns,
  missingInLive,
  normaliseScalar,
  PSEUDONYM_PREFIX,
  pseudonymFor,
  scrubError,
} from './datamap.model.ts';

export type FieldOutcome = {
  column: string;
  strategy: 'set_null' | 'mask' | 'pseudonymise' | 'retain';
  ground?: LegalGround;
  period?: string;
};

export type CollectionErasure = {
  collection: string;
  table: string;
  /** Rows of the subject found in this collection. */
  matched: number;
  deleted: number;
  /** Rows actually changed; 0 on a re-run, which is how idempotence shows. */
  updated: number;
  fields: FieldOutcome[];
  /** Set when the rows themselves are kept under an Art. 17(3) exception. */
  retained?: { ground: LegalGround; period: string };
};

export type SystemErasure = {
  system: string;
  status: 'done' | 'failed' | 'skipped';
  collections: CollectionErasure[];
  error?: string;
};

export type ErasureReport = { systems: SystemErasure[]; complete: boolean };

export type EraseOptions = {
  connectorFor: ConnectorLookup;
  /** HMAC key for `pseudonymise`; required when the map uses it. */
  pseudonymKey?: Buffer;
  /** Plan only: everything runs inside the transaction, which is then rolled back. */
  dryRun?: boolean;
  batchSize?: number;
};

/**
 * Collections in the order their rows can be deleted: a collection comes before every collection it points to,
 * following both the map's references and the live foreign keys, so no delete trips a constraint.
 */
export const deletionOrder = (s: DataSystem, live: SchemaSnapshot | null): DataCollection[] => {
  const byTable = new Map(s.collections.map((c) => [c.table, c.name]));
  const parents = new Map(s.collections.map((c) => [c.name, new Set<string>()]));
  for (const r of s.references)
    if (r.from.collection !== r.to.collection) parents.get(r.from.collection)?.add(r.to.collection);
  for (const fk of live?.foreignKeys ?? []) {
    const child = byTable.get(fk.table);
    const parent = byTable.get(fk.refTable);
    if (child && parent && child !== parent) parents.get(child)?.add(parent);
  }
  // Kahn's algorithm on "is pointed to by": emit a collection once nothing still pointing to it is left.
  const pointedBy = new Map(s.collections.map((c) => [c.name, 0]));
  for (const ps of parents.values()) for (const p of ps) pointedBy.set(p, (pointedBy.get(p) ?? 0) + 1);
  const ready = s.collections.filter((c) => pointedBy.get(c.name) === 0).map((c) => c.name);
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const p of parents.get(name) ?? []) {
      const left = pointedBy.get(p)! - 1;
      pointedBy.set(p, left);
      if (left === 0) ready.push(p);
    }
  }
  // A cycle of references: what is left goes last, in map order; one statement per table still lets PostgreSQL
  // check the constraint at the end of the statement.
  for (const c of s.collections) if (!order.includes(c.name)) order.push(c.name);
  const byName = new Map(s.collections.map((c) => [c.name, c]));
  return order.map((n) => byName.get(n)!);
};

/**
 * Collections deleted by their search condition, never read: whole-row deletes whose every descendant (what is
 * reached through them) is one too. A descendant's condition is then a subquery on its parent's condition, so it
 * must be deleted first (children-first order) and compare columns of the same live type (as following read values
 * would). Each table is mapped once only (MySQL refuses a DELETE whose subquery reads its own table). Cycles and
 * anything else are read, as before.
 */
export const deletedByCondition = (s: DataSystem, live: SchemaSnapshot): Set<string> => {
  const byName = new Map(s.collections.map((c) => [c.name, c]));
  const position = new Map(deletionOrder(s, live).map((c, i) => [c.name, i]));
  const typeOf = (c: DataCollection, column: string) =>
    live.tables.get(c.table)?.columns.find((x) => x.name === column)?.dataType;
  const mapped = (table: string) => s.collections.filter((c) => c.table === table).length;
  const memo = new Map<string, boolean>();
  const ok = (c: DataCollection, above: readonly DataCollection[]): boolean => {
    const known = memo.get(c.name);
    if (known !== undefined) return known;
    if (c.erasure?.kind !== 'delete_row' || mapped(c.table) > 1 || above.includes(c)) return false;
    const result = s.references
      .filter((r) => r.to.collection === c.name)
      .every((r) => {
        const child = byName.get(r.from.collection);
        if (!child) return false;
        const type = typeOf(child, r.from.column);
        return (
          type !== undefined &&
          type === typeOf(c, r.to.column) &&
          position.get(child.name)! < position.get(c.name)! &&
          ok(child, [...above, c])
        );
      });
    memo.set(c.name, result);
    return result;
  };
  return new Set(s.collections.filter((c) => ok(c, [])).map((c) => c.name));
};

/** Keys per UPDATE/DELETE statement: far under both engines' bound-parameter limits, even for composite keys. */
const BATCH = 1000;
/** Rows per read page. Erasure holds the subject's rows anyway (keys only, for whole-row deletes), so pages can be big. */
const READ_BATCH = 5000;

const pkText = (c: DataCollection, row: Row) => c.primaryKey.map((k) => String(normaliseScalar(row[k]))).join('-');

/** The value a field must end up with; `undefined` means "leave it". Deterministic, so re-runs change nothing. */
const targetValue = (
  c: DataCollection,
  column: string,
  row: Row,
  live: SchemaSnapshot,
  key: Buffer | undefined,
): unknown => {
  const f = c.fields.find((x) => x.column === column)!;
  const s = fieldStrategy(c, f);
  const current = row[column];
  if (!s || s.kind === 'retain' || s.kind === 'delete_row' || current === null || current === undefined)
    return undefined;
  if (s.kind === 'set_null') return null;
  if (s.kind === 'mask') return s.pattern.split('{pk}').join(pkText(c, row));
  const text = String(normaliseScalar(current));
  if (text.startsWith(PSEUDONYM_PREFIX)) return undefined;
  const maxLength = live.tables.get(c.table)?.columns.find((x) => x.name === column)?.maxLength;
  return pseudonymFor(key!, f, text, s.length, maxLength);
};

/**
 * Applies the field strategies to rows that stay (set null, mask, pseudonymise); returns the rows changed. Rows
 * taking the same new values (one person's pseudonym, a fixed mask, null) go in one statement per 1,000 keys; values
 * that differ per row (a mask with {pk}) are one statement each. Rows already in their end state are left alone.
 */
export const anonymiseRows = async (
  tx: Transaction,
  c: DataCollection,
  rows: readonly Row[],
  live: SchemaSnapshot,
  key: Buffer | undefined,
): Promise<number> => {
  const erasable = c.fields.filter((f) => !f.otherPeople).map((f) => f.column);
  const groups = new Map<string, { set: Row; keys: Row[] }>();
  for (const row of rows) {
    const set: Row = {};
    for (const col of erasable) {
      const v = targetValue(c, col, row, live, key);
      if (v !== undefined && normaliseScalar(row[col]) !== v) set[col] = v;
    }
    if (Object.keys(set).length === 0) continue;
    const id = JSON.stringify(Object.entries(set).map(([k, v]) => [k, normaliseScalar(v)]));
    const g = groups.get(id) ?? { set, keys: [] };
    g.keys.push(Object.fromEntries(c.primaryKey.map((k) => [k, row[k]])));
    groups.set(id, g);
  }
  let changed = 0;
  for (const { set, keys } of groups.values()) {
    for (let i = 0; i < keys.length; i += BATCH) {
      const part = keys.slice(i, i + BATCH);
      changed +=
        part.length === 1
          ? await tx.updateRow(c.table, c.primaryKey, part[0]!, set)
          : await tx.update(c.table, c.primaryKey, part, set);
    }
  }
  return changed;
};

/** Deletes rows by primary key, 1,000 keys per statement; returns the rows deleted. */
export const deleteRows = async (tx: Transaction, c: DataCollection, rows: readonly Row[]): Promise<number> => {
  let n = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const keys = rows.slice(i, i + BATCH).map((r) => Object.fromEntries(c.primaryKey.map((k) => [k, r[k]])));
    n += await tx.delete(c.table, c.primaryKey, keys);
  }
  return n;
};

/** The columns a kept row is read with: its key, the columns references follow, and the fields erasure changes. */
const changedColumns = (s: DataSystem, c: DataCollection): string[] => {
  const changed = c.fields.filter((f) => {
    const kind = fieldStrategy(c, f)?.kind;
    return !f.otherPeople && (kind === 'set_null' || kind === 'mask' || kind === 'pseudonymise');
  });
  return [...new Set([...linkColumns(s, c), ...changed.map((f) => f.column)])];
};

const outcomes = (c: DataCollection): FieldOutcome[] =>
  c.fields.flatMap((f): FieldOutcome[] => {
    if (f.otherPeople) return [];
    const s = fieldStrategy(c, f);
    if (!s || s.kind === 'delete_row') return [];
    return [
      s.kind === 'retain'
        ? { column: f.column, strategy: 'retain', ground: s.ground, period: s.period }
        : { column: f.column, strategy: s.kind },
    ];
  });

const eraseInTransaction = async (
  s: DataSystem,
  tx: Transaction,
  live: SchemaSnapshot,
  identities: readonly SubjectIdentity[],
  opts: EraseOptions,
): Promise<CollectionErasure[]> => {
  const found = new Map<string, Row[]>(s.collections.map((c) => [c.name, []]));
  const deferred = new Map<string, Condition[][]>();
  // Whole-row deletes are done by condition where they can be, in one statement each, the way one would write them
  // by hand: most of a big erasure (events, messages, what hangs off them) never travels to Node and back.
  const byCondition = deletedByCondition(s, live);
  const pages = locate(s, tx, {
    defer: (c) => byCondition.has(c.name),
    identities,
    live,
    // Rows deleted whole need only their key and the columns references follow; rows kept need those and the fields
    // erasure changes. Reading the other fields would only move bytes.
    columns: (c) => (c.erasure?.kind === 'delete_row' ? linkColumns(s, c) : changedColumns(s, c)),
    pseudonymKey: opts.pseudonymKey,
    batchSize: opts.batchSize ?? READ_BATCH,
  });
  for await (const { collection, rows, where } of pages) {
    if (where) deferred.set(collection.name, [...(deferred.get(collection.name) ?? []), where]);
    else found.get(collection.name)!.push(...rows);
  }

  const results = new Map<string, CollectionErasure>();
  for (const c of s.collections) {
    const rowStrategy = c.erasure;
    results.set(c.name, {
      collection: c.name,
      table: c.table,
      matched: found.get(c.name)!.length,
      deleted: 0,
      updated: 0,
      fields: rowStrategy?.kind === 'delete_row' ? [] : outcomes(c),
      ...(rowStrategy?.kind === 'retain'
        ? { retained: { ground: rowStrategy.ground, period: rowStrategy.period } }
        : {}),
    });
  }
  // Updates first (they never break a constraint that deleting would need), then deletes children-first.
  for (const c of s.collections) {
    if (c.erasure?.kind === 'delete_row') continue;
    results.get(c.name)!.updated += await anonymiseRows(tx, c, found.get(c.name)!, live, opts.pseudonymKey);
  }
  for (const c of deletionOrder(s, live)) {
    if (c.erasure?.kind !== 'delete_row') continue;
    const r = results.get(c.name)!;
    for (const where of deferred.get(c.name) ?? []) {
      const n = await tx.deleteWhere(c.table, where);
      r.deleted += n;
      r.matched += n;
    }
    r.deleted += await deleteRows(tx, c, found.get(c.name)!);
  }
  return s.collections.map((c) => results.get(c.name)!);
};

const eraseSystem = async (
  s: DataSystem,
  identities: readonly SubjectIdentity[],
  opts: EraseOptions,
): Promise<SystemErasure> => {
  let tx: Transaction | undefined;
  try {
    const connector = await opts.connectorFor(s);
    tx = await connector.begin('write');
    // Checked inside the transaction, right before its statements: one fingerprint query when the schema is known.
    const live = await liveSchema(connector, tx, systemTables(s));
    const problems = s.collections.map((c) => missingInLive(s, c, live)).filter((p): p is string => p !== null);
    // Erasing part of a system would leave the subject half-erased with a "done" status: refuse instead.
    if (problems.length > 0) {
      await tx.rollback();
      return {
        system: s.id,
        status: 'failed',
        collections: [],
        error: `map does not match the database: ${problems.join('; ')}`,
      };
    }
    const collections = await eraseInTransaction(s, tx, live, identities, opts);
    if (opts.dryRun) await tx.rollback();
    else await tx.commit();
    return { system: s.id, status: 'done', collections };
  } catch (err) {
    await tx?.rollback().catch(() => undefined);
    return { system: s.id, status: 'failed', collections: [], error: scrubError(err, identities) };
  }
};

/**
 * Erases one subject from every system in the map. Each system is one transaction: it happens completely or not at
 * all, and every strategy is deterministic, so running again (after a crash, or twice) ends in the same state and
 * reports `updated: 0, deleted: 0`. Rows kept under Art. 17(3) are reported with their ground.
 * @example
 * const report = await eraseSubject(map, [{ kind: 'email', value: 'ada@example.com' }], { connectorFor, pseudonymKey });
 */
export const eraseSubject = async (
  map: DataMap,
  identities: readonly SubjectIdentity[],
  opts: EraseOptions,
): Promise<ErasureReport> => {
  const usesPseudonyms = map.systems.some((s) =>
    s.collections.some(
      (c) => c.erasure?.kind === 'pseudonymise' || c.fields.some((f) => f.erasure?.kind === 'pseudonymise'),
    ),
  );
  if (usesPseudonyms && !opts.pseudonymKey) {
    throw new AppError(
      'RULE_VIOLATION',
      'the data map pseudonymises fields, so erasure needs the pseudonymisation key',
    );
  }
  if (identities.length === 0)
    throw new AppError('VALIDATION_FAILED', 'erasure needs at least one identifier', { field: 'identities' });
  const systems: SystemErasure[] = [];
  for (const s of map.systems) systems.push(await eraseSystem(s, identities, opts));
  return { systems, complete: systems.every((s) => s.status === 'done') };
};
