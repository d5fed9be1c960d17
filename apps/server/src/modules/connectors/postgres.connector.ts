import pg from 'pg';
import {
  type Connector,
  columnKind,
  type ForeignKeyInfo,
  type Row,
  type SchemaSnapshot,
  type TableInfo,
  type Transaction,
} from './connector.ts';
import { buildDelete, buildDeleteWhere, buildUpdate, type Dialect, keysetPages, quoteWith } from './sql.builder.ts';

export type PostgresConnectorOptions = {
  url: string;
  /** The schema holding the mapped tables. */
  schema?: string;
  /** A platform's database is someone else's production system: keep our footprint small. */
  maxConnections?: number;
  statementTimeoutMs?: number;
};

const quote = quoteWith('"');

export const postgresDialect = (schema: string): Dialect => ({
  name: 'postgres',
  quote,
  param: (n) => `$${n}`,
  table: (name) => `${quote(schema)}.${quote(name)}`,
  // ::text so the same condition works on any column type (ids stored as integers, citext, uuid…).
  lower: (expr) => `lower(${expr}::text)`,
  digits: (expr) => `regexp_replace(${expr}::text, '[^0-9]', '', 'g')`,
  // One bound array whatever the list length; PostgreSQL infers its element type from the column.
  inList: (expr, values, bind) => `${expr} = ANY(${bind(values)})`,
});

const COLUMNS_SQL = `
SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type,
       NOT a.attnotnull AS nullable,
       CASE WHEN t.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 THEN a.atttypmod - 4 END AS max_length
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`;

const PRIMARY_KEYS_SQL = `
SELECT c.relname AS table_name, a.attname AS column_name
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE i.indisprimary AND n.nspname = $1
ORDER BY c.relname, k.ord`;

const FOREIGN_KEYS_SQL = `
SELECT con.conname AS name, c.relname AS table_name, rc.relname AS ref_table,
       array_agg(a.attname::text ORDER BY k.ord) AS columns, array_agg(ra.attname::text ORDER BY k.ord) AS ref_columns
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class rc ON rc.oid = con.confrelid
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refattnum, ord)
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refattnum
WHERE con.contype = 'f' AND n.nspname = $1
GROUP BY con.conname, c.relname, rc.relname
ORDER BY c.relname, con.conname`;

type ColumnRow = {
  table_name: string;
  column_name: string;
  data_type: string;
  nullable: boolean;
  max_length: number | null;
};

/**
 * Reaches a platform's PostgreSQL. Reads run in REPEATABLE READ READ ONLY transactions, so an access export is one
 * consistent snapshot and cannot change anything even if a bug slipped in.
 * @example const conn = createPostgresConnector({ url: 'postgres://lawful_ro@db/app' });
 */
export const createPostgresConnector = (opts: PostgresConnectorOptions): Connector => {
  const schema = opts.schema ?? 'public';
  const dialect = postgresDialect(schema);
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.maxConnections ?? 4 });
  // An idle connection the platform's database drops (restart, failover, DROP DATABASE) is an 'error' event on the
  // pool; unhandled, it would end the Lawful process. The pool discards that client; the next query reconnects.
  pool.on('error', () => undefined);
  const timeout = Math.trunc(opts.statementTimeoutMs ?? 60_000);

  const introspect = async (): Promise<SchemaSnapshot> => {
    const [cols, pks, fks] = await Promise.all([
      pool.query<ColumnRow>(COLUMNS_SQL, [schema]),
      pool.query<{ table_name: string; column_name: string }>(PRIMARY_KEYS_SQL, [schema]),
      pool.query<{ name: string; table_name: string; ref_table: string; columns: string[]; ref_columns: string[] }>(
        FOREIGN_KEYS_SQL,
        [schema],
      ),
    ]);
    const tables = new Map<string, TableInfo>();
    for (const r of cols.rows) {
      const t = tables.get(r.table_name) ?? { name: r.table_name, columns: [], primaryKey: [] };
      tables.set(r.table_name, t);
      t.columns.push({
        name: r.column_name,
        dataType: r.data_type,
        kind: columnKind(r.data_type),
        nullable: r.nullable,
        maxLength: r.max_length,
      });
    }
    for (const r of pks.rows) tables.get(r.table_name)?.primaryKey.push(r.column_name);
    const foreignKeys: ForeignKeyInfo[] = fks.rows.map((r) => ({
      name: r.name,
      table: r.table_name,
      columns: r.columns,
      refTable: r.ref_table,
      refColumns: r.ref_columns,
    }));
    return { tables, foreignKeys };
  };

  const begin = async (mode: 'read' | 'write'): Promise<Transaction> => {
    const client = await pool.connect();
    let done = false;
    const run = async (text: string, values: unknown[] = []) => (await client.query(text, values)).rowCount ?? 0;
    const finish = async (sql: string) => {
      if (done) return;
      done = true;
      try {
        await client.query(sql);
      } finally {
        client.release();
      }
    };
    try {
      await client.query(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      await client.query(`SET LOCAL statement_timeout = ${timeout}`);
    } catch (err) {
      client.release();
      throw err;
    }
    return {
      mode,
      select: (spec) => keysetPages(dialect, spec, async (st) => (await client.query<Row>(st.text, st.values)).rows),
      update: async (table, key, keys, set) =>
        keys.length === 0 ? 0 : run(...stmt(buildUpdate(dialect, table, key, keys, set))),
      updateRow: async (table, key, keyValues, set) => run(...stmt(buildUpdate(dialect, table, key, [keyValues], set))),
      delete: async (table, key, keys) =>
        keys.length === 0 ? 0 : run(...stmt(buildDelete(dialect, table, key, keys))),
      deleteWhere: async (table, anyOf) => run(...stmt(buildDeleteWhere(dialect, table, anyOf))),
      commit: () => finish('COMMIT'),
      rollback: () => finish('ROLLBACK'),
    };
  };

  const sample = async (table: string, columns: readonly string[], limit: number) => {
    const tx = await begin('read');
    try {
      for await (const rows of tx.select({ table, columns, key: [], anyOf: [], batchSize: limit })) return rows;
      return [];
    } finally {
      await tx.rollback();
    }
  };

  return { engine: 'postgres', introspect, sample, begin, close: () => pool.end() };
};

const stmt = (s: { text: string; values: unknown[] }): [string, unknown[]] => [s.text, s.values];
