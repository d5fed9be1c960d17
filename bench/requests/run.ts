/**
 * Requests benchmark, on PostgreSQL: N verified requests (objection: no approval step) through the whole workflow —
 * intake, fan-out job, one task job per system (3 no-op systems), completion with a signed certificate, received and
 * completion e-mails (to an in-memory outbox) — with the real pg-boss workers of this process.
 *
 * Prints intake requests/s, end-to-end requests/s (first intake to last completion) and job latency p50/p99
 * (task created → settled; request received → closed).
 *
 *   node --import tsx bench/requests/run.ts [--requests 10000] [--concurrency 20] [--minutes 60]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../apps/server/src/config.ts';
import { createLogger } from '../../apps/server/src/lib/logger.ts';
import { openRuntime } from '../../apps/server/src/main.ts';
import { createMailer } from '../../apps/server/src/modules/email/email.mailer.ts';
import type { SystemTaskRunner } from '../../apps/server/src/modules/requests/requests.core.ts';
import {
  createRequestsModule,
  registerRequestWorkers,
} from '../../apps/server/src/modules/requests/requests.module.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { arg, bareQueueRate, pct } from '../lib.ts';

const N = arg('requests', 10_000);
const CONCURRENCY = arg('concurrency', 20);
const MINUTES = arg('minutes', 60);
const out = (s: string) => process.stdout.write(`${s}\n`);
const noop: SystemTaskRunner = {
  systemsFor: async () => [
    { id: 'sys_a', name: 'A' },
    { id: 'sys_b', name: 'B' },
    { id: 'sys_c', name: 'C' },
  ],
  run: async () => ({ status: 'done', recordsAffected: 0 }),
};

const main = async () => {
  const pgdb = await createPostgresDatabase('lawful_bench_requests');
  const dir = mkdtempSync(join(tmpdir(), 'lawful-bench-'));
  const config = loadConfig(
    { DATABASE_URL: pgdb.url, LAWFUL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), LOG_LEVEL: 'warn' },
    { data: dir },
  );
  const rt = await openRuntime(config, { logger: createLogger({ level: 'warn' }), worker: true });
  let mails = 0;
  try {
    const m = createRequestsModule({
      ...rt.services.requestsModule.deps,
      runner: noop,
      mailer: createMailer({ from: 'bench@localhost', outbox: { put: async () => void mails++ } }),
    });
    const { tenant } = await rt.services.tenants.create({ name: 'Bench', slug: 'bench' }, 'bench');
    await registerRequestWorkers(rt.jobs, m);

    const t0 = performance.now();
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const i = next++;
          const { request } = await m.requests.create(
            tenant.id,
            {
              types: ['objection'],
              identities: [{ type: 'email', value: `person${i}@example.com` }],
              channel: 'api',
              identityVerified: true,
              locale: 'en',
            },
            'bench',
          );
          ids.push(request.id);
        }
      }),
    );
    const intakeMs = performance.now() - t0;
    out(`intake: ${N} requests in ${(intakeMs / 1000).toFixed(1)} s = ${Math.round(N / (intakeMs / 1000))} requests/s`);

    const deadline = Date.now() + MINUTES * 60_000;
    let done = 0;
    while (Date.now() < deadline) {
      const r = await rt.db.raw.query<{ n: string }>(
        "select count(*) as n from requests where tenant_id = $1 and state = 'completed'",
        [tenant.id],
      );
      done = Number(r.rows[0]!.n);
      if (done >= N) break;
      await new Promise((x) => setTimeout(x, 1000));
    }
    const totalMs = performance.now() - t0;
    out(
      `completed: ${done}/${N} in ${(totalMs / 1000).toFixed(1)} s = ${Math.round(done / (totalMs / 1000))} requests/s end to end`,
    );
    const tasks = await rt.db.raw.query<{ ms: number }>(
      'select extract(epoch from (completed_at - created_at)) * 1000 as ms from request_tasks where tenant_id = $1 and completed_at is not null',
      [tenant.id],
    );
    const reqs = await rt.db.raw.query<{ ms: number }>(
      'select extract(epoch from (closed_at - received_at)) * 1000 as ms from requests where tenant_id = $1 and closed_at is not null',
      [tenant.id],
    );
    const tl = tasks.rows.map((r) => Number(r.ms));
    const rl = reqs.rows.map((r) => Number(r.ms));
    out(
      `task job latency (created → settled): p50 ${Math.round(pct(tl, 50))} ms, p99 ${Math.round(pct(tl, 99))} ms over ${tl.length} tasks`,
    );
    out(`request latency (received → closed): p50 ${Math.round(pct(rl, 50))} ms, p99 ${Math.round(pct(rl, 99))} ms`);
    out(`e-mails written to the outbox: ${mails}`);

    // Baseline, same process and database: the bare queue. As many no-op jobs as the workflow ran (fan-out, three
    // tasks, two e-mails per request), enqueued one by one from 20 callers and worked by as many workers as the
    // request queues have (2 + 4 + 2), so the ratio says what the workflow costs on top of pg-boss itself.
    const base = await bareQueueRate(rt.jobs, { jobs: N * 6, callers: CONCURRENCY, maxMs: MINUTES * 60_000 });
    const baseRate = base.rate;
    const flowRate = (done * 6) / (totalMs / 1000);
    out(
      `baseline: ${base.worked} bare pg-boss jobs in ${(base.ms / 1000).toFixed(1)} s = ${Math.round(baseRate)} jobs/s`,
    );
    out(
      `workflow jobs/s ÷ bare queue jobs/s: ${(flowRate / baseRate).toFixed(2)} (${Math.round(flowRate)} vs ${Math.round(baseRate)})`,
    );
  } finally {
    await rt.close();
    await pgdb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
