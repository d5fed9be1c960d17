import { randomBytes } from 'node:crypto';
import {
  type CreateWebhook,
  type UpdateWebhook,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryList,
  type WebhookDeliveryQuery,
  WebhookEvent,
  type WebhookWithSecret,
} from '@lawful/contract';
import type { Database, Queryable, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import {
  createDeliveryWorker,
  DEFAULT_RETRY_DELAYS_SECONDS,
  enqueueInTenantTx,
  type PrepareJob,
  secretField,
  WEBHOOK_DELIVERY_JOB,
} from './webhooks.delivery.ts';
import type { AttemptRow, DeliveryRow, WebhookRow, WebhooksRepo } from './webhooks.repo.ts';
import { createSender } from './webhooks.sender.ts';
import { checkWebhookUrl, guardedLookup } from './webhooks.url.ts';

export type WebhookOptions = {
  /** LAWFUL_ALLOW_INSECURE_WEBHOOKS: hosts that may use http and private addresses. Development only. */
  allowInsecureHosts: readonly string[];
  retryDelaysSeconds?: readonly number[];
  timeoutMs?: number;
};

/** A tenant may register this many endpoints: enough for every recipient, few enough to bound fan-out per event. */
const MAX_ENDPOINTS = 50;

/** 256 random bits, in the `whsec_<base64>` form the Standard Webhooks libraries take as is. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.eventTypes,
  enabled: r.enabled,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  secretRotatedAt: iso(r.secretRotatedAt),
});

const toDelivery = (d: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery => ({
  id: d.id,
  webhookId: d.webhookId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  createdAt: d.createdAt.toISOString(),
  nextAttemptAt: iso(d.nextAttemptAt),
  succeededAt: iso(d.succeededAt),
  payload: JSON.parse(d.payload),
  attemptLog: attempts.map((a) => ({
    attempt: a.attempt,
    trigger: a.trigger,
    at: a.at.toISOString(),
    durationMs: a.durationMs,
    statusCode: a.statusCode,
    outcome: a.outcome,
    errorClass: a.errorClass,
  })),
});

/**
 * Webhook endpoints, the `emit` other modules call inside their transactions, delivery and replay.
 * @example await webhooks.emit(tx, tenantId, { type: 'consent.withdrawn', data: { subjectId, purposeId, purposeKey, consentId, at } });
 */
export const createWebhooksService = (deps: {
  db: Database;
  repo: WebhooksRepo;
  vault: Pick<Vault, 'sealForTenant' | 'openForTenant'>;
  audit: Pick<AuditLog, 'append'>;
  jobs: Pick<Jobs, 'send' | 'declare'>;
  clock: Clock;
  logger: Logger;
  options: WebhookOptions;
}) => {
  const { db, repo, vault, audit, jobs, clock, options } = deps;
  jobs.declare(WEBHOOK_DELIVERY_JOB);
  const allowHosts = options.allowInsecureHosts.map((h) => h.toLowerCase());
  if (allowHosts.length > 0) {
    deps.logger.warn(
      { hosts: allowHosts.length },
      'LAWFUL_ALLOW_INSECURE_WEBHOOKS is set: webhooks to the listed hosts may use http and private addresses; never set it in production',
    );
  }

  const validateUrl = async (url: string) => {
    const problem = await checkWebhookUrl(url, allowHosts);
    if (problem) throw new AppError('VALIDATION_FAILED', `url ${problem.reason}`, { field: 'url' });
  };

  const liveWebhook = async (tx: Queryable, tenantId: string, id: string, lock = false) => {
    const row = await repo.get(tx, tenantId, id, { lock });
    if (!row) throw notFound('webhook');
    return row;
  };

  const withAttempts = async (tx: Queryable, tenantId: string, rows: DeliveryRow[]) => {
    const attempts = await repo.attemptsOf(
      tx,
      tenantId,
      rows.map((r) => r.id),
    );
    return rows.map((r) =>
      toDelivery(
        r,
        attempts.filter((a) => a.deliveryId === r.id),
      ),
    );
  };

  /**
   * Records one delivery per enabled endpoint that subscribes to the event's type and enqueues its first attempt,
   * in the caller's transaction: if it rolls back, nothing is sent. Returns the delivery ids.
   */
  const emit = async (
    tx: Tx,
    tenantId: string,
    event: WebhookEvent,
    opts: { only?: readonly string[] } = {},
  ): Promise<string[]> => {
    const e = WebhookEvent.parse(event);
    // `only` narrows to named endpoints, for events meant for one recipient (a request task and its token).
    const endpoints = (await repo.listEnabled(tx, tenantId)).filter(
      (w) => (w.eventTypes.length === 0 || w.eventTypes.includes(e.type)) && (!opts.only || opts.only.includes(w.id)),
    );
    const now = clock.now();
    const payload = JSON.stringify({ type: e.type, timestamp: now.toISOString(), data: e.data });
    const ids: string[] = [];
    for (const w of endpoints) {
      const id = newId('delivery', now.getTime());
      await repo.insertDelivery(tx, {
        tenantId,
        id,
        webhookId: w.id,
        eventType: e.type,
        payload,
        status: 'pending',
        attempts: 0,
        createdAt: now,
        nextAttemptAt: now,
      });
      await enqueueInTenantTx(jobs, tx, { tenantId, deliveryId: id, attempt: 1, trigger: 'auto' });
      ids.push(id);
    }
    return ids;
  };

  const create = async (tenantId: string, input: CreateWebhook, actor: string): Promise<WebhookWithSecret> => {
    await validateUrl(input.url); // before the transaction: DNS may be slow
    return db.tenant(tenantId, async (tx) => {
      if ((await repo.countLive(tx, tenantId)) >= MAX_ENDPOINTS) {
        throw new AppError('RULE_VIOLATION', `a tenant may have at most ${MAX_ENDPOINTS} webhook endpoints`);
      }
      const now = clock.now();
      const id = newId('webhook', now.getTime());
      const secret = newSecret();
      const row: WebhookRow = {
        tenantId,
        id,
        url: input.url,
        description: input.description,
        eventTypes: input.eventTypes,
        enabled: input.enabled,
        secretSealed: await vault.sealForTenant(tx, tenantId, secretField(id), secret),
        createdAt: now,
        updatedAt: now,
        secretRotatedAt: null,
        deletedAt: null,
      };
      await repo.insert(tx, row);
      // The URL stays out of the audit entry: receivers sometimes put tokens in it.
      await audit.append(tx, tenantId, {
        actor,
        action: 'webhook.create',
        target: id,
        details: { eventTypes: input.eventTypes, enabled: input.enabled },
      });
      return { ...toWebhook(row), secret };
    });
  };

  const update = async (tenantId: string, id: string, input: UpdateWebhook, actor: string): Promise<Webhook> => {
    if (input.url !== undefined) await validateUrl(input.url);
    return db.tenant(tenantId, async (tx) => {
      const current = await liveWebhook(tx, tenantId, id, true);
      const fields = Object.keys(input);
      if (fields.length === 0) return toWebhook(current);
      const row = await repo.update(tx, tenantId, id, { ...input, updatedAt: clock.now() });
      await audit.append(tx, tenantId, { actor, action: 'webhook.update', target: id, details: { fields } });
      return toWebhook(row!);
    });
  };

  /** Keeps the row and its delivery log (proof that recipients were told), drops the secret, stops pending work. */
  const remove = (tenantId: string, id: string, actor: string) =>
    db.tenant(tenantId, async (tx) => {
      await liveWebhook(tx, tenantId, id, true);
      const now = clock.now();
      await repo.update(tx, tenantId, id, { deletedAt: now, updatedAt: now, enabled: false, secretSealed: null });
      await repo.cancelPending(tx, tenantId, id);
      await audit.append(tx, tenantId, { actor, action: 'webhook.delete', target: id });
    });

  /** The old secret stops working at once: every later attempt, retries of older deliveries included, uses the new one. */
  const rotateSecret = (tenantId: string, id: string, actor: string): Promise<WebhookWithSecret> =>
    db.tenant(tenantId, async (tx) => {
      await liveWebhook(tx, tenantId, id, true);
      const now = clock.now();
      const secret = newSecret();
      const row = await repo.update(tx, tenantId, id, {
        secretSealed: await vault.sealForTenant(tx, tenantId, secretField(id), secret),
        secretRotatedAt: now,
        updatedAt: now,
      });
      await audit.append(tx, tenantId, { actor, action: 'webhook.rotate_secret', target: id });
      return { ...toWebhook(row!), secret };
    });

  /** Sends a finished delivery again: same body, same `webhook-id`, a fresh timestamp and signature. One attempt. */
  const replay = (tenantId: string, deliveryId: string, actor: string): Promise<WebhookDelivery> =>
    db.tenant(tenantId, async (tx) => {
      const d = await repo.getDelivery(tx, tenantId, deliveryId, { lock: true });
      if (!d) throw notFound('delivery');
      const w = await repo.get(tx, tenantId, d.webhookId);
      if (!w) throw new AppError('INVALID_TRANSITION', 'the endpoint of this delivery was deleted');
      if (!w.enabled) throw new AppError('INVALID_TRANSITION', 'the endpoint of this delivery is disabled');
      if (d.status === 'pending') {
        throw new AppError('INVALID_TRANSITION', 'this delivery is still being attempted; replay it once it is done');
      }
      const now = clock.now();
      await repo.updateDelivery(tx, tenantId, deliveryId, { status: 'pending', nextAttemptAt: now });
      await enqueueInTenantTx(jobs, tx, { tenantId, deliveryId, attempt: d.attempts + 1, trigger: 'replay' });
      await audit.append(tx, tenantId, { actor, action: 'webhook.replay', target: deliveryId });
      const [out] = await withAttempts(tx, tenantId, [{ ...d, status: 'pending', nextAttemptAt: now }]);
      return out!;
    });

  const deliveries = (tenantId: string, webhookId: string, q: WebhookDeliveryQuery): Promise<WebhookDeliveryList> =>
    db.tenant(tenantId, async (tx) => {
      await liveWebhook(tx, tenantId, webhookId);
      const rows = await repo.listDeliveries(tx, tenantId, webhookId, { ...q, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      return {
        items: await withAttempts(tx, tenantId, page),
        nextCursor: rows.length > q.limit ? page.at(-1)!.id : null,
      };
    });

  const deliver = createDeliveryWorker({
    db,
    repo,
    vault,
    jobs,
    clock,
    logger: deps.logger,
    retryDelaysSeconds: options.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS,
    send: createSender({
      timeoutMs: options.timeoutMs ?? 10_000,
      lookup: guardedLookup(allowHosts),
      allowHosts,
    }),
  });

  /** Enabled endpoints that take this event type: the recipients a per-recipient event goes to. */
  const subscribers = async (tx: Tx, tenantId: string, type: WebhookEvent['type']) =>
    (await repo.listEnabled(tx, tenantId))
      .filter((w) => w.eventTypes.length === 0 || w.eventTypes.includes(type))
      .map((w) => w.id);

  let prepared: Promise<unknown> | null = null;

  return {
    /**
     * Call once, outside any transaction, in a process that emits but runs no delivery worker (registerWorkers
     * covers workers): it makes the first in-transaction enqueue safe on PGlite.
     */
    prepare: async () => {
      prepared ??= jobs.send<PrepareJob>(WEBHOOK_DELIVERY_JOB, { prepare: true });
      await prepared;
    },
    emit,
    subscribers,
    create,
    update,
    remove,
    rotateSecret,
    replay,
    deliveries,
    deliver,
    list: (tenantId: string) => db.tenant(tenantId, async (tx) => (await repo.list(tx, tenantId)).map(toWebhook)),
    get: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => toWebhook(await liveWebhook(tx, tenantId, id))),
  };
};
export type WebhooksService = ReturnType<typeof createWebhooksService>;
