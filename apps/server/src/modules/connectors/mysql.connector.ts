import mysql from 'mysql2/promise';
import {
  type Connector,
  columnKind,
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

const COLUMNS_SQL = `
SELECT c.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name, c.COLUMN_TYPE AS column_type,
       c.IS_NULLABLE AS is_nullable, c.CHARACTER_MAXIMUM_LENGTH AS max_length
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

const KEYS_SQL = `
SELECT CONSTRAINT_NAME AS name, TABLE_NAME AS table_name, COLUMN_NAME AS column_name,
       REFERENCED_TABLE_NAME AS ref_table, REFERENCED_COLUMN_NAME AS ref_column
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = DATABASE() AND (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL)
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`;

type ColumnRow = {
  table_name: string;
  column_name: string;
  column_type: string;
  is_nullable: string;
  max_length: number | null;
};
type KeyRow = {
  name: string;
  table_name: string;
  column_name: string;
  ref_table: string | null;
  ref_column: string | null;
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

  const introspect = async (): Promise<SchemaSnapshot> => {
    const [[cols], [keys]] = await Promise.all([
      pool.query<(ColumnRow & mysql.RowDataPacket)[]>(COLUMNS_SQL),
      pool.query<(KeyRow & mysql.RowDataPacket)[]>(KEYS_SQL),
    ]);
    const tables = new Map<string, TableInfo>();
    for (const r of cols) {
      const t = tables.get(r.table_name) ?? { name: r.table_name, columns: [], primaryKey: [] };
      tables.set(r.table_name, t);
      t.columns.push({
        name: r.column_name,
        dataType: r.column_type,
        kind: columnKind(r.column_type),
        nullable: r.is_nullable === 'YES',
        maxLength: r.max_length === null ? null : Number(r.max_length),
      });
    }
    const fks = new Map<string, ForeignKeyInfo>();
    for (const r of keys) {
      if (r.name === 'PRIMARY') {
        tables.get(r.table_name)?.primaryKey.push(r.column_name);
        continue;
      }
      const id = `${r.table_name}\0${r.name}`;
      const fk = fks.get(id) ?? {
        name: r.name,
        table: r.table_name,
        columns: [],
        refTable: r.ref_table!,
        refColumns: [],
      };
      fks.set(id, fk);
      fk.columns.push(r.column_name);
      fk.refColumns.push(r.ref_column!);
    }
    return { tables, foreignKeys: [...fks.values()] };
  };

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

  return { engine: 'mysql', introspect, sample, begin, close: () => pool.end() };
};
