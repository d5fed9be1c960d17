import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TempDatabase } from '../../../test/support/databases.ts';
import { loadConfig } from '../src/config.ts';
import { openPostgres } from '../src/db/client.ts';
import { createLogger } from '../src/lib/logger.ts';
import { openRuntime, type Runtime, registerWorkers } from '../src/main.ts';
import { createExportDelivery } from '../src/modules/datamap/datamap.exports.ts';
import { createDataMapRepo } from '../src/modules/datamap/datamap.repo.ts';
import { seedPlatform } from '../src/modules/demo/demo.platform.ts';
import { DEMO_MAP } from '../src/modules/demo/demo.setup.ts';
import { backend, freshDatabase, TEST_MASTER_KEY } from './harness.ts';

/**
 * The fast CI form of bench/faults.ts (d) and (e): two runtimes with their own pools, job workers and in-memory
 * state, as two server processes have, working one PostgreSQL database. PostgreSQL project only: PGlite serves one
 * process. (The kill -9 itself, with real processes and pg-boss's lease running out, is the script's.)
 */
describe.skipIf(backend !== 'postgres')('two workers on one database (issue 10)', { timeout: 90_000 }, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let platform: TempDatabase;
  let people: { email: string }[];
  const runtimes: Runtime[] = [];
  let tenantId: string;
  let q: pg.Client;
  // Writers append to audit_pending; a sealer moves entries into the chain (audit_entries). Count both.
  const AUDIT =
    '(select tenant_id, action, target from audit_entries union all select tenant_id, action, target from audit_pending) a';
  const one = async (text: string, params: unknown[] = []) =>
    Number((await q.query<{ n: number }>(text, params)).rows[0]!.n);

  beforeAll(async () => {
    fresh = await freshDatabase();
    platform = await createPostgresDatabase('lawful_test_platform');
    const c = new pg.Client({ connectionString: platform.url });
    await c.connect();
    ({ people } = await seedPlatform(c, { users: 30 }));
    await c.end();
    // Two "processes": each its own pool, pg-boss, caches and in-flight maps; one data folder (packages, keys).
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({ LAWFUL_MASTER_KEY: TEST_MASTER_KEY, DATABASE_URL: fresh.url! }, { data: fresh.dir });
      const rt = await openRuntime(config, {
        logger: createLogger({ level: 'silent' }),
        db: await openPostgres(fresh.url!),
        worker: true,
      });
      runtimes.push(rt);
    }
    const s = runtimes[0]!.services;
    tenantId = (await s.tenants.create({ name: 'Workers', slug: 'workers' }, 'test')).tenant.id;
    await s.dataMap.store.put(tenantId, DEMO_MAP, 'test');
    await s.dataMap.store.setConnection(tenantId, 'demo-platform', { engine: 'postgres', url: platform.url }, 'test');
    q = new pg.Client({ connectionString: fresh.url });
    await q.connect();
  });
  afterAll(async () => {
    await q?.end();
    for (const rt of runtimes) await rt.close();
    await platform?.drop();
    await fresh?.drop();
  });

  it('a package asked for by both at once is built once; a build whose process died is built again, leaving one file', async () => {
    const [a, b] = runtimes.map((rt) => rt.services.dataMap.exports);
    const dir = join(fresh.dir, 'exports', tenantId);
    const target = { tenantId, requestId: 'req_01JDQ2M3ZV9G7X6S5R4Q3P2N1M', subjectId: null, kind: 'access' as const };
    let builds = 0;
    const produce = async (out: NodeJS.WritableStream) => {
      builds++;
      await new Promise((r) => setTimeout(r, 300)); // long enough for the other process to ask meanwhile
      out.end('package');
      return { ok: true };
    };
    const [ra, rb] = await Promise.all([a!.ensure(target, produce), b!.ensure(target, produce)]);
    expect(builds).toBe(1);
    expect([ra.state, rb.state, rb.fileName]).toEqual(['ready', 'ready', ra.fileName]);
    expect(await one(`select count(*)::int as n from ${AUDIT} where action = 'export.ready'`)).toBe(1);

    // A third process starts the next package, writes some of it and dies: its lock goes with its connection.
    const dying = await openPostgres(fresh.url!);
    const c = createExportDelivery({
      db: dying,
      repo: createDataMapRepo(),
      vault: runtimes[0]!.services.vault,
      audit: runtimes[0]!.services.audit,
      clock: runtimes[0]!.clock,
      logger: runtimes[0]!.logger,
      dir: join(fresh.dir, 'exports'),
      days: 7,
      publicUrl: 'http://127.0.0.1',
    });
    const next = { ...target, requestId: 'req_01JDQ2M3ZV9G7X6S5R4Q3P2N1N' };
    void c
      .ensure(next, async (out) => {
        out.write(Buffer.alloc(64 * 1024, 1));
        return new Promise(() => {}); // never finishes: the process is killed here
      })
      .catch(() => {});
    const exportId = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await q.query<{ id: string }>(
          "select id from export_packages where request_id = $1 and state = 'building'",
          [next.requestId],
        );
        const f = readdirSync(dir).find((x) => r.rows[0] && x.startsWith(`${r.rows[0].id}.`));
        if (f) return r.rows[0]!.id;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the dying build never started');
    })();
    await q.query(
      `select pg_terminate_backend(l.pid) from pg_locks l join pg_database d on d.oid = l.database
        where l.locktype = 'advisory' and d.datname = current_database()`,
    );
    const rebuilt = await b!.ensure(next, produce);
    expect(rebuilt).toMatchObject({ id: exportId, state: 'ready' });
    expect(readdirSync(dir).filter((f) => f.startsWith(`${exportId}.`))).toEqual([rebuilt.fileName]);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(builds).toBe(2);
  });

  it('twenty erasure and access requests worked by both: every task settled once, every package built once', async () => {
    for (const rt of runtimes) await registerWorkers(rt);
    const ids: string[] = [];
    const m = runtimes.map((rt) => rt.services.requestsModule.requests);
    for (let i = 0; i < 20; i++) {
      const requests = m[i % 2]!;
      const { request } = await requests.create(
        tenantId,
        {
          types: [i % 4 < 2 ? 'erasure' : 'access'],
          identities: [{ type: 'email', value: people[i + 1]!.email }],
          channel: 'api',
          identityVerified: true,
          locale: 'en',
        },
        'test',
      );
      if (request.state === 'awaiting_approval') await requests.approve(tenantId, request.id, undefined, 'test');
      ids.push(request.id);
    }
    const closed = async () =>
      one("select count(*)::int as n from requests where id = any($1) and state = 'completed'", [ids]);
    for (let i = 0; i < 300 && (await closed()) < 20; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await closed()).toBe(20);
    const per = (sql: string) => one(`select count(*)::int as n from (${sql}) x`, [tenantId]);
    // Settled twice → two 'task' events; run twice → two datamap.erase entries; built twice → two export.ready.
    expect(
      await per(
        "select details->>'taskId' from request_events where tenant_id = $1 and kind = 'task' group by 1 having count(*) > 1",
      ),
    ).toBe(0);
    expect(await per("select 1 from request_tasks where tenant_id = $1 and state <> 'done'")).toBe(0);
    expect(
      await per(
        `select target from ${AUDIT} where tenant_id = $1 and action in ('datamap.erase', 'export.ready') group by action, target having count(*) > 1`,
      ),
    ).toBe(0);
    expect(await per(`select 1 from ${AUDIT} where tenant_id = $1 and action = 'datamap.erase'`)).toBe(10);
    expect(await per('select 1 from erasure_log where tenant_id = $1')).toBe(10);
    const ready = await one(
      "select count(*)::int as n from export_packages where request_id = any($1) and state = 'ready'",
      [ids],
    );
    expect(ready).toBe(10);
    // Two packages from the first test, and one per access request: no leftover of a second build.
    expect(readdirSync(join(fresh.dir, 'exports', tenantId))).toHaveLength(12);
  });
});
