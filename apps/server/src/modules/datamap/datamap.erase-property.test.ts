import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  type TempDatabase,
} from '../../../../../test/support/databases.ts';
import { createConnector } from '../connectors/connector.factory.ts';
import type { Connector, Engine, Row } from '../connectors/connector.ts';
import { DataMap, type DataMapInput, type ErasureStrategy } from './datamap.contract.ts';
import { eraseSubject } from './datamap.erase.ts';
import { verifyErasure } from './datamap.verify.ts';

/**
 * Random small schemas (a people table and a chain of child tables, each pointing at the previous one), random
 * people and random erasure strategies. After erasing one person: no identifier of theirs remains in any mapped
 * column, nothing of anyone else changed, and a second run changes nothing.
 */

type Person = { email: string; phone: string; name: string };
type Plan = {
  people: Person[];
  /** Child rows per level: [ownerIndexInPreviousLevel, noteMentionsEmail] */
  levels: { rows: { owner: number; mention: boolean }[]; deleteRows: boolean; note: ErasureStrategy }[];
  root: { deleteRows: boolean; email: ErasureStrategy; phone: ErasureStrategy; name: ErasureStrategy };
  subjectCase: 'lower' | 'upper' | 'mixed';
};

const personArb = (i: number) =>
  fc.record({
    email: fc.stringMatching(/^[a-z][a-z0-9._]{0,10}$/).map((s) => `${s}.${i}@Example${i % 3}.org`),
    phone: fc
      .constantFrom('+44 20 ', '(0)20-', '020 ')
      .map((p) => `${p}${String(7000000 + i * 1337).padStart(7, '0')}`),
    name: fc.constantFrom('Ada Lovelace', 'Grace Hopper', "O'Brien; DROP TABLE x", 'Zoë "Z" Ünal', '%_\\ wild'),
  });

const planArb: fc.Arbitrary<Plan> = fc.integer({ min: 2, max: 5 }).chain((n) =>
  fc.record({
    people: fc.tuple(...Array.from({ length: n }, (_, i) => personArb(i))),
    levels: fc.array(
      fc.record({
        rows: fc.array(fc.record({ owner: fc.nat(), mention: fc.boolean() }), { minLength: 0, maxLength: 8 }),
        deleteRows: fc.boolean(),
        note: fc.constantFrom<ErasureStrategy>({ kind: 'set_null' }, { kind: 'mask', pattern: '[note removed]' }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    root: fc.record({
      deleteRows: fc.boolean(),
      email: fc.constantFrom<ErasureStrategy>(
        { kind: 'mask', pattern: 'gone-{pk}@erased.invalid' },
        { kind: 'pseudonymise', length: 32 },
        { kind: 'set_null' },
      ),
      phone: fc.constantFrom<ErasureStrategy>({ kind: 'set_null' }, { kind: 'pseudonymise', length: 16 }),
      name: fc.constantFrom<ErasureStrategy>({ kind: 'mask', pattern: 'erased' }, { kind: 'set_null' }),
    }),
    subjectCase: fc.constantFrom('lower', 'upper', 'mixed'),
  }),
);

type Db = {
  engine: Engine;
  temp: TempDatabase;
  connector: Connector;
  exec(sql: string, values?: unknown[]): Promise<Row[]>;
};

const openDb = async (engine: Engine): Promise<Db> => {
  const temp =
    engine === 'postgres' ? await createPostgresDatabase('lawful_prop') : await createMysqlDatabase('lawful_prop');
  const connector = createConnector({ engine, url: temp.url });
  if (engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: temp.url, max: 1 });
    return {
      engine,
      temp,
      connector,
      exec: async (sql, v = []) => (await pool.query(sql, v)).rows,
      close: () => pool.end(),
    } as Db;
  }
  const pool = mysql.createPool({ uri: temp.url, connectionLimit: 1 });
  return {
    engine,
    temp,
    connector,
    exec: async (sql, v = []) => (await pool.query(sql, v))[0] as Row[],
    close: () => pool.end(),
  } as Db;
};

let run = 0;

/** Builds the tables and the data map for one plan; returns table names in parent → child order. */
const setUp = async (db: Db, plan: Plan) => {
  const q = (s: string) => (db.engine === 'postgres' ? `"${s}"` : `\`${s}\``);
  const p = (i: number) => (db.engine === 'postgres' ? `$${i}` : '?');
  const id = `r${++run}_${randomBytes(3).toString('hex')}`;
  const tables = [`People_${id}`, ...plan.levels.map((_, i) => `Child${i}_${id}`)];
  await db.exec(
    `CREATE TABLE ${q(tables[0]!)} (id INT PRIMARY KEY, email VARCHAR(100), phone VARCHAR(30), full_name VARCHAR(60))`,
  );
  for (const [i, p2] of plan.people.entries()) {
    await db.exec(`INSERT INTO ${q(tables[0]!)} VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`, [
      i + 1,
      p2.email,
      p2.phone,
      p2.name,
    ]);
  }
  // Each child row belongs, through its chain of owners, to one person at the root.
  let parentRows = plan.people.map((_, i) => ({ id: i + 1, person: i }));
  const nextId = { v: 1000 };
  for (const [li, level] of plan.levels.entries()) {
    const parent = tables[li]!;
    await db.exec(
      `CREATE TABLE ${q(tables[li + 1]!)} (id INT PRIMARY KEY, owner_id INT NOT NULL REFERENCES ${q(parent)} (id), note VARCHAR(200), val INT)`,
    );
    const rows = level.rows
      .filter(() => parentRows.length > 0)
      .map((r) => ({ id: nextId.v++, parent: parentRows[r.owner % parentRows.length]!, mention: r.mention }));
    for (const r of rows) {
      const who = plan.people[r.parent.person]!;
      const note = r.mention ? `call ${who.email.toUpperCase()} re order` : 'no contact details';
      await db.exec(`INSERT INTO ${q(tables[li + 1]!)} VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`, [
        r.id,
        r.parent.id,
        note,
        r.id % 7,
      ]);
    }
    parentRows = rows.map((r) => ({ id: r.id, person: r.parent.person }));
  }
  // A deleted parent needs deleted children, or the foreign key would (rightly) stop the erasure.
  const deleted = [plan.root.deleteRows];
  for (const l of plan.levels) deleted.push(deleted[deleted.length - 1]! || l.deleteRows);
  const input: DataMapInput = {
    version: 1,
    systems: [
      {
        id: 'app',
        engine: db.engine,
        connection: 'test',
        collections: [
          {
            name: 'people',
            table: tables[0]!,
            primaryKey: ['id'],
            ...(deleted[0] ? { erasure: { kind: 'delete_row' } } : {}),
            fields: [
              {
                column: 'email',
                category: 'user.contact.email',
                identity: { kind: 'email' },
                erasure: deleted[0] ? undefined : plan.root.email,
              },
              {
                column: 'phone',
                category: 'user.contact.phone',
                identity: { kind: 'phone' },
                erasure: deleted[0] ? undefined : plan.root.phone,
              },
              { column: 'full_name', category: 'user.name', erasure: deleted[0] ? undefined : plan.root.name },
            ],
          },
          ...plan.levels.map((l, i) => ({
            name: `child${i}`,
            table: tables[i + 1]!,
            primaryKey: ['id'],
            ...(deleted[i + 1] ? { erasure: { kind: 'delete_row' as const } } : {}),
            fields: [
              {
                column: 'note',
                category: 'user.content.message' as const,
                erasure: deleted[i + 1] ? undefined : l.note,
              },
            ],
            freeText: ['note'],
          })),
        ],
        references: plan.levels.map((_, i) => ({
          from: { collection: `child${i}`, column: 'owner_id' },
          to: { collection: i === 0 ? 'people' : `child${i - 1}`, column: 'id' },
        })),
      },
    ],
  };
  return { tables, map: DataMap.parse(input) };
};

const dump = async (db: Db, tables: string[]) => {
  const q = (s: string) => (db.engine === 'postgres' ? `"${s}"` : `\`${s}\``);
  const out = new Map<string, Row[]>();
  for (const t of tables) out.set(t, await db.exec(`SELECT * FROM ${q(t)} ORDER BY id`));
  return out;
};

/** Which rows belong to person 0, following owner_id down the chain. */
const subjectRows = (data: Map<string, Row[]>, tables: string[]) => {
  const own = new Map<string, Set<number>>();
  let ids = new Set([1]);
  own.set(tables[0]!, ids);
  for (const t of tables.slice(1)) {
    ids = new Set(
      data
        .get(t)!
        .filter((r) => ids.has(Number(r.owner_id)))
        .map((r) => Number(r.id)),
    );
    own.set(t, ids);
  }
  return own;
};

const checksum = (r: Row) => createHash('sha256').update(JSON.stringify(r)).digest('hex');

const subjectIdentities = (plan: Plan) => {
  const e = plan.people[0]!.email;
  const email = plan.subjectCase === 'lower' ? e.toLowerCase() : plan.subjectCase === 'upper' ? e.toUpperCase() : e;
  return [
    { kind: 'email' as const, value: email },
    { kind: 'phone' as const, value: plan.people[0]!.phone.replace(/\D/g, '').replace(/^(\d{3})/, '$1 ') },
  ];
};

describe.each(['postgres', 'mysql'] as const)('erasure properties on %s', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(engine);
  });
  afterAll(async () => {
    await db?.connector.close();
    await (db as unknown as { close(): Promise<void> } | undefined)?.close();
    await db?.temp.drop();
  });

  it('leaves no identifier of the subject anywhere and nothing of anyone else changed; a re-run is a no-op', async () => {
    const key = randomBytes(32);
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const { tables, map } = await setUp(db, plan);
        const before = await dump(db, tables);
        const mine = subjectRows(before, tables);
        const ids = subjectIdentities(plan);
        const first = await eraseSubject(map, ids, { connectorFor: () => db.connector, pseudonymKey: key });
        expect(first.systems[0]!.error).toBeUndefined();
        expect(first.complete).toBe(true);
        const after = await dump(db, tables);

        const email = plan.people[0]!.email.toLowerCase();
        const digits = plan.people[0]!.phone.replace(/\D/g, '');
        for (const [t, rows] of after) {
          for (const r of rows) {
            for (const v of Object.values(r)) {
              if (typeof v !== 'string') continue;
              expect(v.toLowerCase()).not.toContain(email);
              expect(v.replace(/\D/g, '')).not.toBe(digits);
            }
          }
          const others = (rs: Row[]) => rs.filter((r) => !mine.get(t)!.has(Number(r.id))).map(checksum);
          expect(others(rows)).toEqual(others(before.get(t)!));
        }
        const verification = await verifyErasure(map, ids, { connectorFor: () => db.connector });
        expect(verification.residue).toEqual([]);
        expect(verification.clean).toBe(true);

        const second = await eraseSubject(map, ids, { connectorFor: () => db.connector, pseudonymKey: key });
        for (const c of second.systems[0]!.collections)
          expect([c.collection, c.updated, c.deleted]).toEqual([c.collection, 0, 0]);
        expect(await dump(db, tables)).toEqual(after);
      }),
      { numRuns: engine === 'postgres' ? 15 : 10 },
    );
  });
});
