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
  work<T extends object>(
    name: string,
    handler: JobHandler<T>,
    opts?: { batchSize?: number; pollingIntervalSeconds?: number },
  ): Promise<void>;
  schedule(name: string, cron: string, data?: object): Promise<void>;
  boss: PgBoss;
};

/** `worker: false` (CLI commands) only enqueues: no polling, maintenance or cron in that process. */
export const createJobs = (deps: { db: Database; logger: Logger; worker?: boolean }): Jobs => {
  const { db, logger } = deps;
  const worker = deps.worker ?? true;
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
  // A CLI command that never enqueues should not pay for starting the queue.
  let started: Promise<unknown> | null = null;
  const ensureStarted = () => {
    started ??= boss.start();
    return started;
  };
  const ensureQueue = async (name: string) => {
    await ensureStarted();
    if (queues.has(name)) return;
    await boss.createQueue(name, { name, retryLimit: 8, retryDelay: 5, retryBackoff: true, expireInSeconds: 900 });
    queues.add(name);
  };
  return {
    boss,
    start: async () => {
      await ensureStarted();
    },
    stop: async () => {
      if (started) await boss.stop({ graceful: true, timeout: 10_000 });
    },
    async send(name, data, opts = {}) {
      await ensureQueue(name);
      const options: PgBoss.SendOptions = {
        ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...(opts.retryLimit !== undefined ? { retryLimit: opts.retryLimit } : {}),
      };
      if (opts.tx) {
        const raw = db.rawOf(opts.tx);
        options.db = { executeSql: (text: string, values: unknown[]) => raw.query(text, values) };
      }
      return boss.send(name, data, options);
    },
    async work(name, handler, opts = {}) {
      await ensureQueue(name);
      await boss.work(
        name,
        { batchSize: opts.batchSize ?? 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1 },
        async (jobs) => {
          for (const job of jobs) await handler(job.data as never, { id: job.id });
        },
      );
    },
    async schedule(name, cron, data = {}) {
      await ensureQueue(name);
      await boss.schedule(name, cron, data, { tz: 'UTC' });
    },
  };
};
