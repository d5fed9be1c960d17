import type { WebhookAttempt } from '@lawful/contract';
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksRepo } from './webhooks.repo.ts';
import type { Sender } from './webhooks.sender.ts';

/** The pg-boss queue that carries one job per delivery attempt. */
export const WEBHOOK_DELIVERY_JOB = 'webhook.deliver';

/** What a job carries: ids and a counter, never the payload. `attempt` is the number this run records. */
export type DeliveryJob = {
  tenantId: string;
  deliveryId: string;
  attempt: number;
  trigger: WebhookAttempt['trigger'];
};

/**
 * A job that does nothing: sending it outside any transaction registers the queue with this process's job client.
 * On PGlite (one connection) the first enqueue must not happen inside a transaction, or the queue's creation would
 * wait for that very transaction. See `webhooks.prepare()`.
 */
export type PrepareJob = { prepare: true };

/** The Standard Webhooks schedule: after the first try, retry after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];

/**
 * Enqueues an attempt inside a tenant transaction. Tenant transactions run as `lawful_app`, which has no rights on
 * pg-boss's schema (it is created at start, after migrations); pg-boss's own statements therefore run as the owner
 * for their duration, then the transaction drops back to the RLS-bound role. Still one transaction: both commit or
 * neither does.
 */
export const enqueueInTenantTx = async (
  jobs: Pick<Jobs, 'send'>,
  tx: Tx,
  job: DeliveryJob,
  startAfter?: Date,
): Promise<void> => {
  // Restore whatever role the caller's transaction had (lawful_app for tenant work, none for system work).
  const before = (await tx.execute(sql`select current_setting('role') as role`)) as unknown as {
    rows: { role: string }[];
  };
  await tx.execute(sql`set local role none`);
  await jobs.send<DeliveryJob>(WEBHOOK_DELIVERY_JOB, job, { tx, ...(startAfter ? { startAfter } : {}) });
  await tx.execute(sql`select set_config('role', ${before.rows[0]!.role}, true)`);
};

export const secretField = (webhookId: string) => `webhook:${webhookId}:secret`;

/**
 * Runs one delivery attempt. Idempotent under re-runs: the attempt is recorded only if the delivery still expects
 * exactly this attempt number, checked under a row lock in the transaction that records it. A worker that crashes
 * after sending but before recording makes pg-boss run the job again; the receiver then sees the same `webhook-id`
 * twice and dedupes, and the log still holds one row for the attempt.
 *
 * The HTTP call happens between two short transactions, never inside one: a slow receiver must not hold a
 * database connection (PGlite has only one).
 */
export const createDeliveryWorker = (deps: {
  db: Database;
  repo: WebhooksRepo;
  vault: Pick<Vault, 'openForTenant'>;
  jobs: Pick<Jobs, 'send'>;
  clock: Clock;
  logger: Logger;
  send: Sender;
  retryDelaysSeconds: readonly number[];
}) => {
  const { db, repo, vault, jobs, clock, logger, send } = deps;

  const expects = (d: { status: string; attempts: number } | undefined, attempt: number) =>
    d !== undefined && d.status === 'pending' && d.attempts === attempt - 1;

  return async (job: DeliveryJob | PrepareJob): Promise<void> => {
    if ('prepare' in job) return;
    const { tenantId, deliveryId, attempt, trigger } = job;
    const plan = await db.tenant(tenantId, async (tx) => {
      const d = await repo.getDelivery(tx, tenantId, deliveryId);
      if (!d || !expects(d, attempt)) return null; // a duplicate or stale job: this attempt is already recorded
      const w = await repo.getForDelivery(tx, tenantId, d.webhookId);
      if (!w || w.deletedAt || !w.enabled || !w.secretSealed) {
        await repo.updateDelivery(tx, tenantId, deliveryId, { status: 'cancelled', nextAttemptAt: null });
        return null;
      }
      const secret = await vault.openForTenant(tx, tenantId, secretField(w.id), w.secretSealed);
      return { url: w.url, secret, body: d.payload, webhookId: w.id };
    });
    if (!plan) return;

    const at = clock.now();
    const result = await send({ url: plan.url, secret: plan.secret, messageId: deliveryId, body: plan.body, at });

    await db.tenant(tenantId, async (tx) => {
      const d = await repo.getDelivery(tx, tenantId, deliveryId, { lock: true });
      if (!expects(d, attempt)) return; // another run of this job recorded the attempt first
      await repo.insertAttempt(tx, { tenantId, deliveryId, attempt, trigger, at, ...result });
      if (result.outcome === 'success') {
        await repo.updateDelivery(tx, tenantId, deliveryId, {
          status: 'succeeded',
          attempts: attempt,
          succeededAt: clock.now(),
          nextAttemptAt: null,
        });
        return;
      }
      // Replays are one attempt each; automatic attempts follow the schedule until it runs out.
      const delay = trigger === 'auto' ? deps.retryDelaysSeconds[attempt - 1] : undefined;
      if (delay === undefined) {
        await repo.updateDelivery(tx, tenantId, deliveryId, {
          status: 'failed',
          attempts: attempt,
          nextAttemptAt: null,
        });
        logger.warn(
          {
            tenantId,
            webhookId: plan.webhookId,
            deliveryId,
            attempt,
            errorClass: result.errorClass,
            statusCode: result.statusCode,
          },
          'webhook delivery failed for good',
        );
        return;
      }
      const nextAttemptAt = new Date(clock.now().getTime() + delay * 1000);
      await repo.updateDelivery(tx, tenantId, deliveryId, { attempts: attempt, nextAttemptAt });
      await enqueueInTenantTx(jobs, tx, { tenantId, deliveryId, attempt: attempt + 1, trigger: 'auto' }, nextAttemptAt);
    });
  };
};
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
