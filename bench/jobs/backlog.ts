/**
 * Draining a deep job queue, on the machine's PostgreSQL: N jobs wait in one queue, then 8 workers (as Lawful's
 * `jobs.work`, one job at a time, asking again at once) take them. Timed until the first M are done, twice in the same
 * run, rounds interleaved: with pg-boss's own indexes only (the baseline: every fetch sorts the whole backlog) and
 * with Lawful's fetch index (`lawful_job_fetch`, lib/jobs.ts). Each round uses a fresh queue (its own partition).
 *
 *   node --import tsx bench/jobs/backlog.ts [--backlog 20000] [--take 3000] [--rounds 2]
 */

import { openPostgres } from '../../apps/server/src/db/client.ts';
import { createJobs, ensureFetchIndex } from '../../apps/server/src/lib/jobs.ts';
import { createLogger } from '../../apps/server/src/lib/logger.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { arg, fmt, pct, printTable } from '../lib.ts';

const BACKLOG = arg('backlog', 20_000);
const TAKE = arg('take', 3_000);
const ROUNDS = arg('rounds', 2);

const tmp = await createPostgresDatabase('lawful_bench_jobs');
const db = await openPostgres(tmp.url);
const jobs = createJobs({ db, logger: createLogger({ level: 'warn' }) });
await jobs.start();
let queueNo = 0;

/** Fills a fresh queue with BACKLOG jobs, then times 8 workers taking TAKE of them. */
const drain = async (withIndex: boolean) => {
  if (withIndex) await ensureFetchIndex(db);
  else await db.raw.query('drop index if exists pgboss.lawful_job_fetch');
  const name = `bench-backlog-${++queueNo}`;
  await jobs.boss.createQueue(name, { name });
  for (let i = 0; i < BACKLOG; i += 5_000) {
    await jobs.boss.insert(
      Array.from({ length: Math.min(5_000, BACKLOG - i) }, (_, k) => ({ name, data: { i: i + k } })),
    );
  }
  await db.raw.query('analyze pgboss.job');
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const t0 = performance.now();
  await jobs.work(
    name,
    async () => {
      if (++done === TAKE) finish();
    },
    { concurrency: 8 },
  );
  await finished;
  const ms = performance.now() - t0;
  await jobs.boss.offWork(name);
  // What is left is deleted, so the next round's table holds only its own backlog.
  await new Promise((r) => setTimeout(r, 500)); // the jobs in hand complete
  await db.raw.query('delete from pgboss.job where name = $1', [name]);
  return TAKE / (ms / 1000);
};

const rates: { base: number[]; indexed: number[] } = { base: [], indexed: [] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    rates.base.push(await drain(false));
    rates.indexed.push(await drain(true));
  }
  const median = (xs: number[]) => pct(xs, 50);
  printTable([
    {
      run: "pg-boss's own indexes (baseline)",
      'jobs/s': fmt(median(rates.base)),
      rounds: rates.base.map((x) => fmt(x)).join(', '),
    },
    {
      run: 'with lawful_job_fetch',
      'jobs/s': fmt(median(rates.indexed)),
      rounds: rates.indexed.map((x) => fmt(x)).join(', '),
    },
  ]);
  process.stdout.write(
    `backlog ${fmt(BACKLOG)} jobs, first ${fmt(TAKE)} taken by 8 workers; ratio indexed / baseline: ${(median(rates.indexed) / median(rates.base)).toFixed(1)}x\n`,
  );
} catch (e) {
  process.stdout.write(`failed: ${(e as Error).stack}\n`);
  process.exitCode = 1;
} finally {
  await jobs.stop();
  await db.close();
  await tmp.drop();
}
