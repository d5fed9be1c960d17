import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

/** Row-level security alone keeps tenants apart, even for a query that forgets its tenant filter. */
describe('tenant isolation in the database (check 54)', () => {
  let h: Harness;
  let a: string;
  let b: string;
  beforeAll(async () => {
    h = await createHarness();
    a = (await h.newTenant('A')).tenant.id;
    b = (await h.newTenant('B')).tenant.id;
  });
  afterAll(() => h.close());

  it('a query without a tenant filter sees only the current tenant’s rows, in every table', async () => {
    const tables = (
      await h.rt.db.raw.query<{ t: string }>(
        "select c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'",
      )
    ).rows.map((r) => r.t);
    expect(tables.length).toBeGreaterThan(5);
    const withTenant = new Set(
      (
        await h.rt.db.raw.query<{ t: string }>(
          "select table_name as t from information_schema.columns where table_schema = 'public' and column_name = 'tenant_id'",
        )
      ).rows.map((r) => r.t),
    );
    for (const t of tables) {
      if (t !== 'tenants' && !withTenant.has(t)) {
        // Install-wide tables (e.g. the sub-processor list) have RLS and no policy: the app role sees nothing.
        const none = await h.rt.db.tenant(a, (tx) => h.rt.db.rawOf(tx).query(`select * from ${t}`));
        expect(none.rows, t).toHaveLength(0);
        continue;
      }
      const col = t === 'tenants' ? 'id' : 'tenant_id';
      const seen = await h.rt.db.tenant(a, (tx) =>
        h.rt.db.rawOf(tx).query<{ v: string }>(`select distinct ${col} as v from ${t}`),
      );
      for (const r of seen.rows) expect(r.v, t).toBe(a);
    }
    const keysOfA = await h.rt.db.tenant(a, (tx) => h.rt.db.rawOf(tx).query('select * from api_keys'));
    expect(keysOfA.rows.length).toBeGreaterThan(0);
  });

  it('the app role cannot write a row for another tenant', async () => {
    await expect(
      h.rt.db.tenant(a, (tx) =>
        h.rt.db
          .rawOf(tx)
          .query(
            "insert into subjects (tenant_id, id, created_at) values ($1, 'sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M', now())",
            [b],
          ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('without a tenant set, the app role sees nothing', async () => {
    const r = await h.rt.db.system.transaction(async (tx) => {
      await h.rt.db.rawOf(tx).query("select set_config('role', 'lawful_app', true)");
      return h.rt.db.rawOf(tx).query('select * from api_keys');
    });
    expect(r.rows).toHaveLength(0);
  });

  it('every table has row-level security enabled', async () => {
    const r = await h.rt.db.raw.query<{ t: string }>(
      "select c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity",
    );
    expect(r.rows).toEqual([]);
  });
});
