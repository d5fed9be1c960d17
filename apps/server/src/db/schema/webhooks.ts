import type { WebhookAttempt, WebhookDeliveryStatus, WebhookEventType } from '@lawful/contract';
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { bytea, ts } from './tenants.ts';

/** A recipient's endpoint. The signing secret is sealed under the tenant key and wiped when the endpoint is deleted. */
export const webhooks = pgTable(
  'webhooks',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    url: text('url').notNull(),
    description: text('description').notNull(),
    /** Empty = every event type. */
    eventTypes: text('event_types').array().$type<WebhookEventType[]>().notNull(),
    enabled: boolean('enabled').notNull(),
    secretSealed: bytea('secret_sealed'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    secretRotatedAt: ts('secret_rotated_at'),
    /** Kept (without its secret) so the delivery log stays as proof that recipients were told (Art. 19). */
    deletedAt: ts('deleted_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), tenantIsolation()],
).enableRLS();

/** One event for one endpoint. `payload` is the exact body, so retries and replays send the same bytes. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    webhookId: text('webhook_id').notNull(),
    eventType: text('event_type').$type<WebhookEventType>().notNull(),
    payload: text('payload').notNull(),
    status: text('status').$type<WebhookDeliveryStatus>().notNull(),
    attempts: integer('attempts').notNull(),
    createdAt: ts('created_at').notNull(),
    nextAttemptAt: ts('next_attempt_at'),
    succeededAt: ts('succeeded_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('webhook_deliveries_webhook_idx').on(t.tenantId, t.webhookId, t.id.desc()),
    index('webhook_deliveries_pending_idx').on(t.tenantId, t.nextAttemptAt).where(sql`status = 'pending'`),
    tenantIsolation(),
  ],
).enableRLS();

/** The delivery log: one row per attempt, never a response body. (tenant, delivery, attempt) is unique. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    tenantId: text('tenant_id').notNull(),
    deliveryId: text('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    trigger: text('trigger').$type<WebhookAttempt['trigger']>().notNull(),
    at: ts('at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    outcome: text('outcome').$type<WebhookAttempt['outcome']>().notNull(),
    errorClass: text('error_class').$type<NonNullable<WebhookAttempt['errorClass']>>(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deliveryId, t.attempt] }), tenantIsolation()],
).enableRLS();
