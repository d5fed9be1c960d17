import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { createJobs, JOB_EXPIRE_SECONDS, type Jobs } from './jobs.ts';

describe('jobs on the same database', () => {
  let h: Harness;
  let jobs: Jobs;
  beforeAll(async () => {
    h = await createHarness();
    jobs = createJobs({ db: h.rt.db, logger: h.rt.logger });
    await jobs.start();
  });
  afterAll(async () => {
    await jobs.stop();
    await h.close();
  });

  it('a job enqueued in a rolled-back transaction never runs; a committed one runs once', async () => {
    const seen: string[] = [];
    await jobs.work<{ tag: string }>('test-tx', async (d) => {
      seen.push(d.tag);
    });
    await h.rt.db.system
      .transaction(async (tx) => {
        await jobs.send('test-tx', { tag: 'rolled-back' }, { tx });
        await tx.execute(sql`select 1`);
        throw new Error('abort');
      })
      .catch(() => {});
    await h.rt.db.system.transaction(async (tx) => {
      await jobs.send('test-tx', { tag: 'committed' }, { tx });
    });
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen).toEqual(['committed']);
  });

  it("a deep queue is taken in pg-boss's order without sorting its backlog: pg-boss's fetch walks our fetch index", async () => {
    // A queue made after start: its partition inherits the index from pg-boss's partitioned job table.
    await jobs.boss.createQueue('test-backlog', { name: 'test-backlog' });
    await jobs.boss.insert(
      Array.from({ length: 3000 }, (_, i) => ({
        name: 'test-backlog',
        data: { i },
      })),
    );
    await h.rt.db.raw.query('analyze pgboss.job');
    const copies = await h.rt.db.raw.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'pgboss.lawful_job_fetch'::regclass`,
    );
    expect(copies.rows.length).toBeGreaterThanOrEqual(1);
    // pg-boss 10's fetch, as it sends it (plans.js fetchNextJob), without the update around it.
    const plan = await h.rt.db.raw.query<{ 'QUERY PLAN': string }>(
      `explain select id from pgboss.job where name = 'test-backlog' and state < 'active' and start_after < now()
        order by priority desc, created_on, id limit 1 for update skip locked`,
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).not.toMatch(/Sort/);
    expect(
      copies.rows.some((c) => text.includes(c.name)),
      text,
    ).toBe(true);
    // And the order is pg-boss's own: the job it hands out is the first by (priority desc, created_on, id).
    const head = await h.rt.db.raw.query<{ id: string }>(
      `select id from pgboss.job where name = 'test-backlog' order by priority desc, created_on, id limit 1`,
    );
    const [first] = await jobs.boss.fetch('test-backlog');
    expect(first?.id).toBe(head.rows[0]!.id);
  });

  it('a failing job is retried', async () => {
    let calls = 0;
    await jobs.work('test-retry', async () => {
      calls++;
      if (calls === 1) throw new Error('transient');
    });
    await jobs.boss.send('test-retry', {}, { retryLimit: 3, retryDelay: 1 });
    for (let i = 0; i < 100 && calls < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(2);
  });
});

describe('job leases: a worker that dies mid-job', () => {
  let h: Harness;
  let jobs: Jobs;
  beforeAll(async () => {
    h = await createHarness();
    jobs = createJobs({ db: h.rt.db, logger: h.rt.logger, leaseSeconds: 2 });
    await jobs.start();
  });
  afterAll(async () => {
    await jobs.stop();
    await h.close();
  });

  it('a job taken by a worker that died is handed out again once its lease lapses, not after the 15-minute expiry', async () => {
    await jobs.boss.createQueue('test-lease', { name: 'test-lease', retryLimit: 3, retryDelay: 1 });
    await jobs.boss.send('test-lease', { tag: 'orphan' });
    // A worker takes the job and is killed: pg-boss's row says active, and nobody will ever finish it.
    const [taken] = await jobs.boss.fetch('test-lease');
    expect(taken).toBeDefined();
    const seen: string[] = [];
    await jobs.work<{ tag: string }>('test-lease', async (d, meta) => {
      seen.push(`${d.tag}:${meta.id === taken!.id}`);
    });
    const t0 = Date.now();
    for (let i = 0; i < 150 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['orphan:true']);
    expect(Date.now() - t0).toBeLessThan(12_000);
  });

  it("a job's pg-boss expiry is 23 h, also on a queue made with the old 15 minutes (past its expiry pg-boss fails a job and runs it again alongside)", async () => {
    // As an earlier version made it: pg-boss fails a job still active after 900 s, and runs it again.
    await jobs.boss.createQueue('test-expiry', { name: 'test-expiry', expireInSeconds: 900 });
    const id = await jobs.send('test-expiry', {});
    const job = await h.rt.db.raw.query<{ s: number }>(
      "select extract(epoch from expire_in)::int as s from pgboss.job where name = 'test-expiry' and id = $1",
      [id],
    );
    const queue = await h.rt.db.raw.query<{ s: number }>(
      "select expire_seconds as s from pgboss.queue where name = 'test-expiry'",
    );
    expect([job.rows[0]!.s, queue.rows[0]!.s]).toEqual([JOB_EXPIRE_SECONDS, JOB_EXPIRE_SECONDS]);
    expect(JOB_EXPIRE_SECONDS).toBeGreaterThanOrEqual(23 * 3600);
  });

  it('a live job longer than its lease renews it and runs once', async () => {
    let calls = 0;
    let done = false;
    await jobs.work('test-long', async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 6_000)); // three leases
      done = true;
    });
    await jobs.send('test-long', {});
    for (let i = 0; i < 150 && !done; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(done).toBe(true);
    expect(calls).toBe(1);
  });
});
