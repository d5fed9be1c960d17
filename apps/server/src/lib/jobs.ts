import PgBoss from 'pg-boss';
import type { Database, Tx } from '../db/client.ts';
import type { Logger } from './logger.ts';

/**
 * Background jobs on pg-boss, in the same database (the embedded PGlite too). A job caused by a change is enqueued
 * in the change's own transaction: both commit, or neither does.
 */
export type JobHandler<T> = (data: T, meta: { id: string }) => Promise<void>;

export type Jobs = {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Enqueue inside a transaction (`tx`) or on its own. Same `singletonKey` → at most one queued job. */
  send<T extends object>(
    name: string,
    data: T,
    opts?: { tx?: Tx; singletonKey?: string; startAfter?: Date; retryLimit?: number },
  ): Promise<string | null>;
  /**
   * `concurrency` independent workers, each taking one job at a time (a pg-boss batch succeeds or fails as a whole,
   * so one failing job would send its neighbours round again). A worker that found a job asks again at once; only
   * an empty queue waits `pollingIntervalSeconds`.
   */
  work<T extends object>(
    name: string,
    handler: JobHandler<T>,
    opts?: { concurrency?: number; pollingIntervalSeconds?: number },
  ): Promise<void>;
  schedule(name: string, cron: string, data?: object): Promise<void>;
  /** Names a queue up front, so that the first enqueue inside a transaction needs no setup (PGlite has one connection). */
  declare(...names: string[]): void;
  boss: PgBoss;
};

/**
 * A running job renews its lease every quarter of `leaseSeconds`; a job whose lease ran out is handed out again.
 * pg-boss alone keeps a job whose process died (kill -9, a lost machine) `active` until its expiry, 15 minutes later.
 */
const LEASE_SECONDS = 60;
/**
 * pg-boss fails a job still running at its expiry and hands it out again while the first run goes on (a large export
 * or erasure can outlast its 15-minute default). Dead workers are found by the lease above, so the expiry is only the
 * backstop for a handler that never returns: the longest pg-boss allows (under 24 h).
 */
export const JOB_EXPIRE_SECONDS = 23 * 60 * 60;
const QUEUE_SETTINGS = { retryLimit: 8, retryDelay: 5, retryBackoff: true, expireInSeconds: JOB_EXPIRE_SECONDS };
// pg-boss keeps `output` for the result of a finished job; while a job runs it holds our lease.
const RENEW = `update pgboss.job set output = jsonb_build_object('leaseAt', now())
                where name = $1 and id = $2 and state = 'active'`;
const LAPSED_WHERE = `state = 'active' and not coalesce(output ? 'lapsed', false)
  and greatest(started_on, coalesce((output->>'leaseAt')::timestamptz, started_on)) < now() - make_interval(secs => $1)`;
const LAPSED = `select name, id from pgboss.job where ${LAPSED_WHERE}`;
// Marks the job first, so that of several processes sweeping at once only one hands it out again.
const CLAIM_LAPSED = `update pgboss.job set output = jsonb_build_object('lapsed', now())
                       where name = $2 and id = $3 and ${LAPSED_WHERE} returning id`;

/**
 * pg-boss takes the next job with `WHERE name = $1 AND state < 'active' AND start_after < now() ORDER BY priority
 * DESC, created_on, id LIMIT n`, and its only index for it is on (name, start_after): every fetch sorts the queue's
 * whole backlog (432 ms, spilling to disk, with 40,000 jobs waiting; docs/benchmarks.md, Job queue backlog), so the
 * deeper the queue, the slower it drains. An index in the fetch's own order lets it stop at the first row (0.2 ms).
 * Made on pg-boss's partitioned job table, PostgreSQL gives every queue's partition its own copy, present and future.
 * Looked up first, so a restart takes no lock; two processes creating it at once are both satisfied.
 */
const FETCH_INDEX = 'lawful_job_fetch';
export const ensureFetchIndex = async (db: Database) => {
  const exists = await db.raw.query(
    `select 1 from pg_class where relname = '${FETCH_INDEX}' and relnamespace = 'pgboss'::regnamespace`,
  );
  if (exists.rows.length) return;
  try {
    await db.raw.query(
      `create index if not exists ${FETCH_INDEX} on pgboss.job (name, priority desc, created_on, id) where state < 'active'`,
    );
  } catch (e) {
    // Another process made it between the lookup and here (a duplicate name or a catalogue race): nothing to do.
    if (!['42P07', '23505'].includes((e as { code?: string }).code ?? '')) throw e;
  }
};

/** `worker: false` (CLI commands) only enqueues: no polling, maintenance or cron in that process. */
export const createJobs = (deps: { db: Database; logger: Logger; worker?: boolean; leaseSeconds?: number }): Jobs => {
  const { db, logger } = deps;
  const worker = deps.worker ?? true;
  const lease = deps.leaseSeconds ?? LEASE_SECONDS;
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => db.raw.query(text, values) },
    schema: 'pgboss',
    // One database serves both the API and the queue; keep maintenance light.
    maintenanceIntervalSeconds: 120,
    supervise: worker,
    schedule: worker,
  });
  boss.on('error', (err: Error) => logger.error({ err }, 'job queue error'));
  const queues = new Set<string>();
  const declared = new Set<string>();
  let started: Promise<unknown> | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  /** Every worker process returns lapsed jobs to their queue, as failures: retried, within their retry limit. */
  const sweep = async () => {
    const { rows } = await db.raw.query<{ name: string; id: string }>(LAPSED, [lease]);
    for (const { name, id } of rows) {
      if ((await db.raw.query(CLAIM_LAPSED, [lease, name, id])).rows.length === 0) continue;
      logger.warn({ queue: name, job: id }, 'job lease lapsed (its worker is gone); handing it out again');
      await boss.fail(name, id, { message: `worker lost: no lease renewal for ${lease} s` });
    }
  };
  const ensureStarted = () => {
    started ??= (async () => {
      await boss.start();
      await ensureFetchIndex(db);
      for (const name of declared) await ensureQueue(name);
      if (worker) {
        sweeper = setInterval(
          () => void sweep().catch((err: Error) => logger.error({ err }, 'job lease sweep failed')),
          (lease * 1000) / 4,
        );
        sweeper.unref();
      }
    })();
    return started;
  };
  const ensureQueue = async (name: string) => {
    if (queues.has(name)) return;
    await boss.createQueue(name, { name, ...QUEUE_SETTINGS });
    // createQueue leaves an existing queue as it was: one made by an earlier version (15-minute expiry) is brought up
    // to these settings. Jobs already queued keep the expiry they were sent with.
    await boss.updateQueue(name, { name, ...QUEUE_SETTINGS });
    queues.add(name);
  };
  return {
    boss,
    start: async () => {
      await ensureStarted();
    },
    stop: async () => {
      if (sweeper) clearInterval(sweeper);
      if (started) await boss.stop({ graceful: true, timeout: 10_000 });
    },
    declare(...names) {
      for (const n of names) declared.add(n);
    },
    async send(name, data, opts = {}) {
      if (opts.tx && !queues.has(name) && db.kind === 'pglite') {
        // Creating a queue needs the connection the caller's transaction holds: it would wait forever.
        throw new Error(`job queue "${name}" was not declared; call jobs.declare('${name}') when wiring`);
      }
      await ensureStarted();
      await ensureQueue(name);
      const options: PgBoss.SendOptions = {
        ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...(opts.retryLimit !== undefined ? { retryLimit: opts.retryLimit } : {}),
      };
      if (!opts.tx) return boss.send(name, data, options);
      // The queue's tables belong to the owner, not to the RLS-bound app role: switch to the owner for pg-boss's
      // statements only, then back to the caller's role. Still one transaction: both commit or neither does.
      const raw = db.rawOf(opts.tx);
      const before = (await raw.query<{ role: string }>("select current_setting('role') as role")).rows[0]!.role;
      await raw.query('set local role none');
      try {
        options.db = { executeSql: (text: string, values: unknown[]) => raw.query(text, values) };
        return await boss.send(name, data, options);
      } finally {
        await raw.query("select set_config('role', $1, true)", [before]);
      }
    },
    async work(name, handler, opts = {}) {
      await ensureQueue(name);
      for (let i = 0; i < (opts.concurrency ?? 1); i++) {
        let id = '';
        id = await boss.work(
          name,
          { batchSize: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1 },
          async ([job]) => {
            if (!job) return;
            const renew = setInterval(
              () => void db.raw.query(RENEW, [name, job.id]).catch(() => {}),
              (lease * 1000) / 4,
            );
            try {
              await handler(job.data as never, { id: job.id });
            } finally {
              clearInterval(renew);
              // pg-boss would otherwise sleep out the polling interval even though more work may be waiting.
              boss.notifyWorker(id);
            }
          },
        );
      }
    },
    async schedule(name, cron, data = {}) {
      await ensureQueue(name);
      await boss.schedule(name, cron, data, { tz: 'UTC' });
    },
  };
};
