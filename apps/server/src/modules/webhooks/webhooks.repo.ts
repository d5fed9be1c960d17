import type { WebhookDeliveryStatus } from '@lawful/contract';
import { and, asc, count, desc, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { webhookAttempts, webhookDeliveries, webhooks } from '../../db/schema/index.ts';

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;

/** Data access for webhook endpoints, deliveries and the attempt log. Deleted endpoints are invisible here. */
export const createWebhooksRepo = () => ({
  insert: async (q: Queryable, row: typeof webhooks.$inferInsert) => {
    await q.insert(webhooks).values(row);
  },
  countLive: async (q: Queryable, tenantId: string) => {
    const [r] = await q
      .select({ n: count() })
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), isNull(webhooks.deletedAt)));
    return r?.n ?? 0;
  },
  list: (q: Queryable, tenantId: string) =>
    q
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), isNull(webhooks.deletedAt)))
      .orderBy(asc(webhooks.id)),
  get: async (q: Queryable, tenantId: string, id: string, opts: { lock?: boolean } = {}) => {
    const query = q
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id), isNull(webhooks.deletedAt)));
    const [row] = opts.lock ? await query.for('update') : await query;
    return row;
  },
  /** Endpoints an emitted event goes to: live and enabled. The type filter is applied by the caller. */
  listEnabled: (q: Queryable, tenantId: string) =>
    q
      .select({ id: webhooks.id, eventTypes: webhooks.eventTypes })
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.enabled, true), isNull(webhooks.deletedAt))),
  update: async (q: Queryable, tenantId: string, id: string, set: Partial<typeof webhooks.$inferInsert>) => {
    const rows = await q
      .update(webhooks)
      .set(set)
      .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id), isNull(webhooks.deletedAt)))
      .returning();
    return rows[0];
  },
  /** Any endpoint, deleted or not: the worker must see that an endpoint went away. */
  getForDelivery: async (q: Queryable, tenantId: string, id: string) => {
    const [row] = await q
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id)));
    return row;
  },

  insertDelivery: async (q: Queryable, row: typeof webhookDeliveries.$inferInsert) => {
    await q.insert(webhookDeliveries).values(row);
  },
  getDelivery: async (q: Queryable, tenantId: string, id: string, opts: { lock?: boolean } = {}) => {
    const query = q
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id)));
    const [row] = opts.lock ? await query.for('update') : await query;
    return row;
  },
  updateDelivery: async (
    q: Queryable,
    tenantId: string,
    id: string,
    set: Partial<typeof webhookDeliveries.$inferInsert>,
  ) => {
    await q
      .update(webhookDeliveries)
      .set(set)
      .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id)));
  },
  /** Stops pending deliveries of an endpoint that was deleted. */
  cancelPending: async (q: Queryable, tenantId: string, webhookId: string) => {
    await q
      .update(webhookDeliveries)
      .set({ status: 'cancelled', nextAttemptAt: null })
      .where(
        and(
          eq(webhookDeliveries.tenantId, tenantId),
          eq(webhookDeliveries.webhookId, webhookId),
          eq(webhookDeliveries.status, 'pending'),
        ),
      );
  },
  /** Newest first, keyset-paginated on the time-sortable id. */
  listDeliveries: (
    q: Queryable,
    tenantId: string,
    webhookId: string,
    o: { limit: number; cursor?: string; status?: WebhookDeliveryStatus },
  ) =>
    q
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.tenantId, tenantId),
          eq(webhookDeliveries.webhookId, webhookId),
          o.cursor ? lt(webhookDeliveries.id, o.cursor) : undefined,
          o.status ? eq(webhookDeliveries.status, o.status) : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.id))
      .limit(o.limit),

  insertAttempt: async (q: Queryable, row: typeof webhookAttempts.$inferInsert) => {
    await q.insert(webhookAttempts).values(row);
  },
  attemptsOf: (q: Queryable, tenantId: string, deliveryIds: string[]) =>
    deliveryIds.length === 0
      ? Promise.resolve([] as AttemptRow[])
      : q
          .select()
          .from(webhookAttempts)
          .where(and(eq(webhookAttempts.tenantId, tenantId), inArray(webhookAttempts.deliveryId, deliveryIds)))
          .orderBy(asc(webhookAttempts.deliveryId), asc(webhookAttempts.attempt)),
});
export type WebhooksRepo = ReturnType<typeof createWebhooksRepo>;
