import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  type TempDatabase,
} from '../../../../../test/support/databases.ts';
import { createConnector } from './connector.factory.ts';
import type { Connector, Engine } from './connector.ts';
import { mysqlDialect } from './mysql.connector.ts';
import { postgresDialect } from './postgres.connector.ts';
import { buildDeleteWhere, buildSelect, quoteWith } from './sql.builder.ts';

describe('statement building', () => {
  it('never puts a value into SQL text', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (email, other) => {
        const st = buildSelect(
          postgresDialect('public'),
          {
            table: 't',
            columns: ['a'],
            key: ['id'],
            anyOf: [
              { op: 'eq_ci', column: 'a', value: email },
              { op: 'contains_ci', column: 'b', value: other },
            ],
          },
          { id: other },
          10,
        );
        expect(st.text).toBe(
          'SELECT "id", "a" FROM "public"."t" WHERE (lower("a"::text) = $1 OR lower("b"::text) LIKE $2 ESCAPE \'!\') AND "id" > $3 ORDER BY "id" LIMIT 10',
        );
        expect(st.values[0]).toBe(email);
      }),
    );
  });

  it('nests subqueries for rows reached through rows never read, every inner column qualified, values bound', () => {
    const anyOf = [
      {
        op: 'in_select' as const,
        column: 'portfolio_id',
        table: 'portfolios',
        select: 'id',
        anyOf: [
          {
            op: 'in_select' as const,
            column: 'user_id',
            table: 'users',
            select: 'id',
            anyOf: [{ op: 'eq_ci' as const, column: 'email', value: 'ada@example.com' }],
          },
          { op: 'in' as const, column: 'user_id', values: [7, 8] },
        ],
      },
    ];
    const pg = buildDeleteWhere(postgresDialect('public'), 'form_submissions', anyOf);
    expect(pg.text).toBe(
      'DELETE FROM "public"."form_submissions" WHERE "portfolio_id" IN (SELECT "s1"."id" FROM "public"."portfolios" "s1" ' +
        'WHERE "s1"."user_id" IN (SELECT "s2"."id" FROM "public"."users" "s2" WHERE lower("s2"."email"::text) = $1) ' +
        'OR "s1"."user_id" = ANY($2))',
    );
    expect(pg.values).toEqual(['ada@example.com', [7, 8]]);
    const my = buildDeleteWhere(mysqlDialect, 'form_submissions', anyOf);
    expect(my.text).toBe(
      'DELETE FROM `form_submissions` WHERE `portfolio_id` IN (SELECT `s1`.`id` FROM `portfolios` `s1` ' +
        'WHERE `s1`.`user_id` IN (SELECT `s2`.`id` FROM `users` `s2` WHERE LOWER(`s2`.`email`) = ?) ' +
        'OR `s1`.`user_id` IN (?, ?))',
    );
    expect(my.values).toEqual(['ada@example.com', 7, 8]);
    expect(() =>
      buildDeleteWhere(mysqlDialect, 't', [{ op: 'in_select', column: 'a', table: 'u', select: 'id', anyOf: [] }]),
    ).toThrow(/subquery without a condition/);
  });

  it('rejects identifiers no engine accepts, and out-of-range batch sizes', () => {
    expect(() => quoteWith('"')('a\0b')).toThrow();
    expect(() => quoteWith('`')('')).toThrow();
    expect(() => buildSelect(mysqlDialect, { table: 't', columns: [], key: ['id'], anyOf: [] }, null, 0)).toThrow();
  });
});

// Real servers decide whether quoting is right: hostile table and column names must round-trip untouched.
describe.each(['postgres', 'mysql'] as Engine[])('identifier quoting on %s', (engine) => {
  let db: TempDatabase;
  let conn: Connector;
  beforeAll(async () => {
    db =
      engine === 'postgres' ? await createPostgresDatabase('lawful_quote') : await createMysqlDatabase('lawful_quote');
    conn = createConnector({ engine, url: db.url });
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it('creates, finds, updates and deletes through names full of quotes, wildcards and SQL', async () => {
    // MySQL names may not end in a space and are at most 64 characters; PostgreSQL folds nothing once quoted.
    const name = fc
      .stringMatching(/^[a-zA-Z"`'%_;\-() éü*]{1,20}$/)
      .filter((s) => !s.endsWith(' ') && s.trim().length > 0);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(name, name, fc.string({ maxLength: 30 }), async (tableBase, column, value) => {
        fc.pre(column.toLowerCase() !== 'id' && column !== '__proto__'); // the map refuses __proto__ (see contract)
        const d = engine === 'postgres' ? postgresDialect('public') : mysqlDialect;
        const table = `${tableBase}${++n}`;
        const ddl = `CREATE TABLE ${d.table(table)} (${d.quote('id')} INT PRIMARY KEY, ${d.quote(column)} VARCHAR(100))`;
        await execRaw(engine, db.url, ddl);
        const live = await conn.introspect();
        expect(live.tables.get(table)?.columns.map((c) => c.name)).toEqual(['id', column]);
        await execRaw(engine, db.url, `INSERT INTO ${d.table(table)} VALUES (1, ${d.param(1)}), (2, ${d.param(2)})`, [
          value,
          `${value}!`,
        ]);
        const t = await conn.begin('write');
        const found = [];
        for await (const page of t.select({
          table,
          columns: [column],
          key: ['id'],
          anyOf: [{ op: 'in', column, values: [value] }],
        }))
          found.push(...page);
        expect(found.map((r) => r.id)).toEqual([1]);
        expect(await t.update(table, ['id'], [{ id: 2 }], { [column]: 'x' })).toBe(1);
        expect(await t.delete(table, ['id'], [{ id: 1 }])).toBe(1);
        await expect(t.deleteWhere(table, [])).rejects.toThrow('delete without a condition');
        expect(await t.deleteWhere(table, [{ op: 'eq_ci', column, value: 'x' }])).toBe(1);
        await t.commit();
        await execRaw(engine, db.url, `DROP TABLE ${d.table(table)}`);
      }),
      { numRuns: 15 },
    );
  });
});

const execRaw = async (engine: Engine, url: string, sql: string, values: unknown[] = []) => {
  if (engine === 'postgres') {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(sql, values).finally(() => c.end());
    return;
  }
  const mysql = (await import('mysql2/promise')).default;
  const c = await mysql.createConnection(url);
  await c.execute(sql, values as never).finally(() => c.end());
};
