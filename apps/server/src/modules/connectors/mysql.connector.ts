import mysql from 'mysql2/promise';
import {
  type Connector,
  columnKind,
  connectionTarget,
  type ForeignKeyInfo,
  type Row,
  type SchemaSnapshot,
  type TableInfo,
  type Transaction,
} from './connector.ts';
import {
  buildDelete,
  buildDeleteWhere,
  buildUpdate,
  type Dialect,
  keysetPages,
  quoteWith,
  type Statement,
} from './sql.builder.ts';

export type MysqlConnectorOptions = {
  /** mysql://user:pass@host:3306/database — the database named in the URL holds the mapped tables. */
  url: string;
  maxConnections?: number;
};

const quote = quoteWith('`');

export const mysqlDialect: Dialect = {
  name: 'mysql',
  quote,
  param: () => '?',
  table: quote,
  lower: (expr) => `LOWER(${expr})`,
  // MySQL 8 and MariaDB 10.0.5+ both have REGEXP_REPLACE, replacing every match.
  digits: (expr) => `REGEXP_REPLACE(${expr}, '[^0-9]', '')`,
  inList: (expr, values, bind) => `${expr} IN (${values.map(bind).join(', ')})`,
};

/** `AND <column> IN (?, …)` for the tables looked at (nothing: every table); one placeholder per name. */
const onlyTables = (column: string, tables: readonly string[] | undefined) =>
  tables === undefined
    ? ''
    : tables.length === 0
      ? 'AND FALSE'
      : `AND ${column} IN (${tables.map(() => '?').join(', ')})`;

const columnsFrom = (tables: readonly string[] | undefined) => `information_schema.COLUMNS c
  JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
  WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' ${onlyTables('c.TABLE_NAME', tables)}`;

const keysFrom = (tables: readonly string[] | undefined) => `information_schema.KEY_COLUMN_USAGE k
  WHERE k.TABLE_SCHEMA = DATABASE() AND (k.CONSTRAINT_NAME = 'PRIMARY' OR k.REFERENCED_TABLE_NAME IS NOT NULL)
    ${onlyTables('k.TABLE_NAME', tables)}`;

/**
 * A hash of every catalogue row a snapshot is built from (columns with position, type and nullability; primary and
 * foreign key columns with what they reference). An order-free sum of per-row hashes, since GROUP_CONCAT would cut
 * a long list at group_concat_max_len and hide a change.
 */
const fingerprintSql = (tables: readonly string[] | undefined) => `
SELECT CONCAT(COUNT(*), '-', COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(x), 1, 15), 16, 10) AS UNSIGNED)), 0)) FROM (
  SELECT CONCAT_WS(':', c.TABLE_NAME, c.ORDINAL_POSITION, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE) AS x
  FROM ${columnsFrom(tables)}
  UNION ALL
  SELECT CONCAT_WS(':', k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION, k.COLUMN_NAME,
                   COALESCE(k.REFERENCED_TABLE_NAME, ''), COALESCE(k.REFERENCED_COLUMN_NAME, ''))
  FROM ${keysFrom(tables)}) f`;

/** The whole snapshot in one catalogue query, its fingerprint as the first row. */
const introspectSql = (tables: readonly string[] | undefined) => `
SELECT 'f' AS kind, NULL AS table_name, NULL AS constraint_name, NULL AS column_name, 0 AS pos,
       (${fingerprintSql(tables)}) AS column_type, NULL AS is_nullable, NULL AS max_length,
       NULL AS ref_table, NULL AS ref_column
UNION ALL
SELECT 'c', c.TABLE_NAME, NULL, c.COLUMN_NAME, c.ORDINAL_POSITION, c.COLUMN_TYPE, c.IS_NULLABLE,
       c.CHARACTER_MAXIMUM_LENGTH, NULL, NULL
FROM ${columnsFrom(tables)}
UNION ALL
SELECT 'k', k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.ORDINAL_POSITION, NULL, NULL, NULL,
       k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
FROM ${keysFrom(tables)}
ORDER BY kind, table_name, constraint_name, pos`;

type CatalogueRow = {
  kind: 'f' | 'c' | 'k';
  table_name: string;
  constraint_name: string;
  column_name: string;
  column_type: string;
  is_nullable: string;
  max_length: number | string | null;
  ref_table: string | null;
  ref_column: string | null;
};

type Queryable = Pick<mysql.Pool, 'query'>;

// The fingerprint's placeholders come twice (columns, keys); the snapshot's four times (fingerprint, then rows).
const bound = (tables: readonly string[] | undefined, times: number) =>
  tables === undefined ? [] : Array.from({ length: times }, () => tables).flat();

const fingerprintWith = async (q: Queryable, tables: readonly string[]) => {
  const [rows] = await q.query<mysql.RowDataPacket[]>(
    { sql: fingerprintSql(tables), rowsAsArray: true },
    bound(tables, 2),
  );
  return String(rows[0]![0]);
};

const introspectWith = async (q: Queryable, tables?: readonly string[]): Promise<SchemaSnapshot> => {
  const [rows] = await q.query<(CatalogueRow & mysql.RowDataPacket)[]>(introspectSql(tables), bound(tables, 4));
  const tableMap = new Map<string, TableInfo>();
  const fks = new Map<string, ForeignKeyInfo>();
  let fingerprint = '';
  for (const r of rows) {
    if (r.kind === 'f') fingerprint = String(r.column_type);
    else if (r.kind === 'c') {
      const t = tableMap.get(r.table_name) ?? { name: r.table_name, columns: [], primaryKey: [] };
      tableMap.set(r.table_name, t);
      t.columns.push({
        name: r.column_name,
        dataType: r.column_type,
        kind: columnKind(r.column_type),
        nullable: r.is_nullable === 'YES',
        maxLength: r.max_length === null ? null : Number(r.max_length),
      });
    } else if (r.constraint_name === 'PRIMARY') tableMap.get(r.table_name)?.primaryKey.push(r.column_name);
    else {
      const id = `${r.table_name}\0${r.constraint_name}`;
      const fk = fks.get(id) ?? {
        name: r.constraint_name,
        table: r.table_name,
        columns: [],
        refTable: r.ref_table!,
        refColumns: [],
      };
      fks.set(id, fk);
      fk.columns.push(r.column_name);
      fk.refColumns.push(r.ref_column!);
    }
  }
  return { tables: tableMap, foreignKeys: [...fks.values()], fingerprint };
};

/**
 * Reaches a platform's MySQL or MariaDB. Statements are server-side prepared (values never enter SQL text); reads
 * run in READ ONLY transactions on one consistent snapshot.
 * @example const conn = createMysqlConnector({ url: 'mysql://lawful_ro@db:3306/shop' });
 */
export const createMysqlConnector = (opts: MysqlConnectorOptions): Connector => {
  const pool = mysql.createPool({
    uri: opts.url,
    connectionLimit: opts.maxConnections ?? 4,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });

  const introspect = (tables?: readonly string[]) => introspectWith(pool, tables);

  const begin = async (mode: 'read' | 'write'): Promise<Transaction> => {
    const conn = await pool.getConnection();
    let done = false;
    const rows = async (st: Statement) =>
      (await conn.execute<mysql.RowDataPacket[]>(st.text, st.values as never))[0] as Row[];
    const affected = async (st: Statement) =>
      (await conn.execute<mysql.ResultSetHeader>(st.text, st.values as never))[0].affectedRows;
    const finish = async (sql: string) => {
      if (done) return;
      done = true;
      try {
        await conn.query(sql);
      } finally {
        conn.release();
      }
    };
    try {
      await conn.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await conn.query(mode === 'read' ? 'START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT' : 'START TRANSACTION');
    } catch (err) {
      conn.release();
      throw err;
    }
    return {
      mode,
      introspect: (tables) => introspectWith(conn, tables),
      schemaFingerprint: (tables) => fingerprintWith(conn, tables),
      select: (spec) => keysetPages(mysqlDialect, spec, rows),
      update: async (table, key, keys, set) =>
        keys.length === 0 ? 0 : affected(buildUpdate(mysqlDialect, table, key, keys, set)),
      updateRow: async (table, key, keyValues, set) =>
        affected(buildUpdate(mysqlDialect, table, key, [keyValues], set)),
      delete: async (table, key, keys) =>
        keys.length === 0 ? 0 : affected(buildDelete(mysqlDialect, table, key, keys)),
      deleteWhere: async (table, anyOf) => affected(buildDeleteWhere(mysqlDialect, table, anyOf)),
      commit: () => finish('COMMIT'),
      rollback: () => finish('ROLLBACK'),
    };
  };

  const sample = async (table: string, columns: readonly string[], limit: number) => {
    const tx = await begin('read');
    try {
      for await (const page of tx.select({ table, columns, key: [], anyOf: [], batchSize: limit })) return page;
      return [];
    } finally {
      await tx.rollback();
    }
  };

  return {
    engine: 'mysql',
    target: connectionTarget('mysql', opts.url),
    introspect,
    sample,
    begin,
    close: () => pool.end(),
  };
};
