import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.ts';
import { createJobs, type Jobs } from './jobs.ts';

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
