/**
 * Erasure requests through the job queue, on PostgreSQL: N people of the demo platform (each with their portfolios,
 * messages, e-mail events, calls and tickets) erased through the whole workflow — intake, approval, fan-out, one task
 * per system (the platform through the data map: traversal, deletes, pseudonymised calls, verification scan; Lawful's
 * own copy: crypto-shredding), completion with a signed certificate, e-mails to an in-memory outbox — by the real
 * pg-boss workers of this process.
 *
 * Prints requests/s end to end, task latency p50/p99, peak RSS, and the bare-queue baseline of the same run.
 *
 *   node --import tsx bench/erasure/queue.ts [--requests 1000] [--concurrency 20] [--minutes 30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../apps/server/src/config.ts';
import { createLogger } from '../../apps/server/src/lib/logger.ts';
import { openRuntime } from '../../apps/server/src/main.ts';
import { seedPlatform } from '../../apps/server/src/modules/demo/demo.platform.ts';
import { DEMO_MAP } from '../../apps/server/src/modules/demo/demo.setup.ts';
import { createMailer } from '../../apps/server/src/modules/email/email.mailer.ts';
import {
  createRequestsModule,
  registerRequestWorkers,
} from '../../apps/server/src/modules/requests/requests.module.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { arg, bareQueueRate, pct } from '../lib.ts';

const N = arg('requests', 1000);
const CONCURRENCY = arg('concurrency', 20);
const MINUTES = arg('minutes', 30);
const out = (s: string) => process.stdout.write(`${s}\n`);
const main = async () => {
  const lawfulDb = await createPostgresDatabase('lawful_bench_erq');
  const platformDb = await createPostgresDatabase('lawful_bench_erq_platform');
  const dir = mkdtempSync(join(tmpdir(), 'lawful-bench-'));
  const platform = new pg.Client({ connectionString: platformDb.url });
  await platform.connect();
  const { people } = await seedPlatform(platform, { users: N });
  await platform.query('analyze');
  const rows = Number((await platform.query('select count(*)::int as n from email_events')).rows[0].n);
  const config = loadConfig(
    { DATABASE_URL: lawfulDb.url, LAWFUL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), LOG_LEVEL: 'warn' },
    { data: dir },
  );
  const rt = await openRuntime(config, { logger: createLogger({ level: 'warn' }), worker: true });
  let mails = 0;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const { tenant } = await rt.services.tenants.create({ name: 'Bench', slug: 'bench' }, 'bench');
    const store = rt.services.dataMap.store;
    await store.put(tenant.id, DEMO_MAP, 'bench');
    await store.setConnection(tenant.id, 'demo-platform', { engine: 'postgres', url: platformDb.url }, 'bench');
    const m = createRequestsModule({
      ...rt.services.requestsModule.deps,
      mailer: createMailer({ from: 'bench@localhost', outbox: { put: async () => void mails++ } }),
    });
    await registerRequestWorkers(rt.jobs, m);
    out(`platform: ${N} people, ${rows} e-mail events among their rows`);

    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const p = people[next++]!;
          const { request } = await m.requests.create(
            tenant.id,
            {
              types: ['erasure'],
              identities: [{ type: 'email', value: p.email }],
              channel: 'api',
              identityVerified: true,
              locale: 'en',
            },
            'bench',
          );
          // Erasure waits for a person's approval by default; the bench is that person.
          if (request.state === 'awaiting_approval')
            await m.requests.approve(tenant.id, request.id, undefined, 'bench');
        }
      }),
    );
    const intakeMs = performance.now() - t0;
    out(`intake + approval: ${N} in ${(intakeMs / 1000).toFixed(1)} s = ${Math.round(N / (intakeMs / 1000))} /s`);

    const deadline = Date.now() + MINUTES * 60_000;
    let done = 0;
    while (Date.now() < deadline) {
      const r = await rt.db.raw.query<{ n: string }>(
        "select count(*) as n from requests where tenant_id = $1 and state in ('completed', 'partially_completed')",
        [tenant.id],
      );
      done = Number(r.rows[0]!.n);
      if (done >= N) break;
      await new Promise((x) => setTimeout(x, 1000));
    }
    const totalMs = performance.now() - t0;
    const partial = await rt.db.raw.query<{ n: string }>(
      "select count(*) as n from requests where tenant_id = $1 and state = 'partially_completed'",
      [tenant.id],
    );
    out(
      `completed: ${done}/${N} (${partial.rows[0]!.n} partially) in ${(totalMs / 1000).toFixed(1)} s = ${(done / (totalMs / 1000)).toFixed(1)} requests/s end to end`,
    );
    const tasks = await rt.db.raw.query<{ ms: number }>(
      'select extract(epoch from (completed_at - created_at)) * 1000 as ms from request_tasks where tenant_id = $1 and completed_at is not null',
      [tenant.id],
    );
    const tl = tasks.rows.map((r) => Number(r.ms));
    out(
      `task latency (created → settled): p50 ${Math.round(pct(tl, 50))} ms, p99 ${Math.round(pct(tl, 99))} ms over ${tl.length} tasks`,
    );
    const left = await platform.query('select count(*)::int as n from users');
    out(`platform users left: ${left.rows[0].n} of ${N}; peak RSS ${(peak / 2 ** 20).toFixed(0)} MB; e-mails ${mails}`);

    // Baseline in the same run: the bare queue, as many no-op jobs as the workflow ran (fan-out + 2 tasks + 2 mails).
    const { rate: baseRate } = await bareQueueRate(rt.jobs, {
      jobs: N * 5,
      callers: CONCURRENCY,
      maxMs: MINUTES * 60_000,
    });
    const flowRate = (done * 5) / (totalMs / 1000);
    out(
      `baseline: bare pg-boss ${Math.round(baseRate)} jobs/s; workflow ${Math.round(flowRate)} jobs/s = ${(flowRate / baseRate).toFixed(2)} of it`,
    );
  } finally {
    clearInterval(sampler);
    await rt.close();
    await platform.end();
    await lawfulDb.drop();
    await platformDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
