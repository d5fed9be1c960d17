/**
 * What Lawful needs from a platform's database, whatever the engine. Everything the data map drives goes through
 * these few operations, so every statement is built in one place (sql.builder.ts) with quoted identifiers and
 * bound values, and no caller ever writes SQL.
 */

import { createHash } from 'node:crypto';

export type Engine = 'postgres' | 'mysql';

/** Coarse column kind, enough to tell whether a category fits a column and whether a value can be compared. */
export type ColumnKind = 'text' | 'integer' | 'numeric' | 'temporal' | 'boolean' | 'binary' | 'json' | 'other';

export type ColumnInfo = {
  name: string;
  dataType: string;
  kind: ColumnKind;
  nullable: boolean;
  maxLength: number | null;
};

export type TableInfo = { name: string; columns: ColumnInfo[]; primaryKey: string[] };

export type ForeignKeyInfo = {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
};

export type SchemaSnapshot = {
  tables: Map<string, TableInfo>;
  foreignKeys: ForeignKeyInfo[];
  /**
   * A hash of the catalogue rows the snapshot was read from, computed in the same query; `schemaFingerprint` over
   * the same tables returns the same hash for as long as the schema stays as it was.
   */
  fingerprint: string;
};

export type Row = Record<string, unknown>;

/**
 * One way a row can match. Selects combine their conditions with OR, so one query finds a subject by any of
 * their identifiers. Values are always bound, never spliced into SQL.
 */
export type Condition =
  | { op: 'in'; column: string; values: readonly unknown[] }
  /** lower(column) = value; the caller passes the value already lowercased. */
  | { op: 'eq_ci'; column: string; value: string }
  /** the column with everything but digits removed = value (phone numbers in any format). */
  | { op: 'digits_eq'; column: string; value: string }
  /** lower(column) contains value, with LIKE wildcards in value escaped (free-text residue). */
  | { op: 'contains_ci'; column: string; value: string }
  /** column < value, for a date or timestamp column (retention: rows older than the cut-off). */
  | { op: 'before'; column: string; value: Date }
  /**
   * column IN (SELECT `select` FROM `table` WHERE any of `anyOf`): rows reached through rows that are never read
   * (a parent deleted by condition). The subquery's columns are qualified, so none can silently mean the outer table.
   */
  | { op: 'in_select'; column: string; table: string; select: string; anyOf: readonly Condition[] };

export type SelectSpec = {
  table: string;
  columns: readonly string[];
  /** Keyset pagination walks this key (the primary key), so no batch ever holds more than batchSize rows. */
  key: readonly string[];
  anyOf: readonly Condition[];
  batchSize?: number;
};

export type Transaction = {
  readonly mode: 'read' | 'write';
  /** The live schema, read on this transaction's connection: `Connector.introspect` in one catalogue query. */
  introspect(tables?: readonly string[]): Promise<SchemaSnapshot>;
  /**
   * One cheap catalogue query: the `fingerprint` that `introspect(tables)` would return now. Equal fingerprints mean
   * a snapshot read earlier still describes these tables (columns, types, nullability, primary and foreign keys).
   */
  schemaFingerprint(tables: readonly string[]): Promise<string>;
  /** Streams matching rows in key order, batch by batch. */
  select(spec: SelectSpec): AsyncIterable<Row[]>;
  /** Updates the rows whose key equals one of `keys`; returns the number of rows changed. */
  update(table: string, key: readonly string[], keys: readonly Row[], set: Row): Promise<number>;
  /** Updates one row, with values that may differ from row to row (masks with {pk}, pseudonyms). */
  updateRow(table: string, key: readonly string[], keyValues: Row, set: Row): Promise<number>;
  delete(table: string, key: readonly string[], keys: readonly Row[]): Promise<number>;
  /**
   * Deletes the rows matching any of the conditions, in one statement, without reading them first; for rows
   * deleted whole that nothing else is reached through. Refuses an empty condition list (that would be every row).
   */
  deleteWhere(table: string, anyOf: readonly Condition[]): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
};

export type Connector = {
  readonly engine: Engine;
  /** Which database this reaches (a hash of engine, URL and schema, so no secret): a key for caching its schema. */
  readonly target: string;
  /**
   * The live schema in one catalogue query; with `tables`, only those tables (and the foreign keys they declare).
   * @example const live = await conn.introspect(['customer', 'invoice']);
   */
  introspect(tables?: readonly string[]): Promise<SchemaSnapshot>;
  /** A few rows of a table, for discovery; read-only. */
  sample(table: string, columns: readonly string[], limit: number): Promise<Row[]>;
  /** `read` opens a read-only snapshot; `write` an ordinary transaction. Always end it with commit or rollback. */
  begin(mode: 'read' | 'write'): Promise<Transaction>;
  close(): Promise<void>;
};

export const DEFAULT_BATCH_SIZE = 500;

/** `Connector.target`: the same database reached with the same URL gives the same value; the URL never shows. */
export const connectionTarget = (engine: Engine, url: string, schema = '') =>
  `${engine}:${createHash('sha256').update(`${url}\0${schema}`).digest('base64url').slice(0, 22)}`;

/**
 * Runs `fn` in a transaction and commits, or rolls back and rethrows.
 * @example await withTransaction(conn, 'write', (tx) => tx.delete('orders', ['id'], [{ id: 1 }]));
 */
export const withTransaction = async <T>(
  connector: Connector,
  mode: 'read' | 'write',
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> => {
  const tx = await connector.begin(mode);
  let result: T;
  try {
    result = await fn(tx);
  } catch (err) {
    await tx.rollback().catch(() => undefined);
    throw err;
  }
  await tx.commit();
  return result;
};

/** Maps an engine's type name to a ColumnKind; shared because both engines use mostly the same SQL type names. */
export const columnKind = (dataType: string): ColumnKind => {
  const t = dataType.toLowerCase();
  if (/^(tiny|small|medium|big)?int(eger)?\b|^int[248]\b|^serial|^bigserial|^smallserial/.test(t)) return 'integer';
  if (/^(numeric|decimal|real|double|float|money)/.test(t)) return 'numeric';
  if (/^(date|time|timestamp|datetime|year|interval)/.test(t)) return 'temporal';
  if (/^(bool|boolean|bit\b|bit\()/.test(t)) return 'boolean';
  if (/^(bytea|blob|tinyblob|mediumblob|longblob|binary|varbinary)/.test(t)) return 'binary';
  if (/^json/.test(t)) return 'json';
  if (/char|text|citext|uuid|enum|set\(|inet|cidr/.test(t)) return 'text';
  return 'other';
};
