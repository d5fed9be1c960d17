import type { BreachRisk, BreachStatus, Subprocessor } from '@lawful/contract';
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { ts } from './tenants.ts';

/**
 * The breach register (Art. 33(5): document every breach, notified or not). Descriptions of the incident only,
 * never the personal data involved. `deadline_at` is `aware_at + 72 h`, stored so reminders find it by index.
 */
export const breaches = pgTable(
  'breaches',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    status: text('status').$type<BreachStatus>().notNull(),
    processorSide: boolean('processor_side').notNull(),
    processorAwareAt: ts('processor_aware_at'),
    awareAt: ts('aware_at').notNull(),
    deadlineAt: ts('deadline_at').notNull(),
    occurredFrom: ts('occurred_from'),
    occurredTo: ts('occurred_to'),
    whatHappened: text('what_happened').notNull(),
    subjectCategories: text('subject_categories').array().notNull(),
    approxSubjects: integer('approx_subjects'),
    approxRecords: integer('approx_records'),
    dataCategories: text('data_categories').array().notNull(),
    systems: text('systems').array().notNull(),
    likelyConsequences: text('likely_consequences').notNull(),
    measuresTaken: text('measures_taken').notNull(),
    measuresProposed: text('measures_proposed').notNull(),
    recommendedActions: text('recommended_actions').notNull(),
    contactPoint: text('contact_point').notNull(),
    risk: text('risk').$type<BreachRisk>().notNull(),
    requestWindow: jsonb('request_window').$type<{ from: string; to: string } | null>(),
    authorityNotifiedAt: ts('authority_notified_at'),
    authorityReference: text('authority_reference'),
    delayReason: text('delay_reason'),
    subjectsNotifiedAt: ts('subjects_notified_at'),
    closedAt: ts('closed_at'),
    /** Reminder milestones (hours after awareness) already sent: 24, 48, 66. */
    remindersSent: integer('reminders_sent').array().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('breaches_pending_deadline_idx')
      .on(t.deadlineAt)
      .where(sql`authority_notified_at is null and closed_at is null`),
    tenantIsolation(),
  ],
).enableRLS();

/** Who was told of a breach, when and how: append-only, pseudonymous subject ids and message ids only. */
export const breachNotifications = pgTable(
  'breach_notifications',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    breachId: text('breach_id').notNull(),
    recipient: text('recipient').$type<'subject' | 'tenant'>().notNull(),
    subjectId: text('subject_id'),
    channel: text('channel').$type<'smtp' | 'outbox' | 'none'>().notNull(),
    messageId: text('message_id'),
    outcome: text('outcome').$type<'sent' | 'queued' | 'not_sent'>().notNull(),
    reason: text('reason'),
    at: ts('at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('breach_notifications_breach_idx').on(t.tenantId, t.breachId, t.subjectId),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * The install's sub-processor list, one row per announced version (install-wide: no tenant). RLS on and no policy
 * for the app role: only the owner connection reads it, for the public page, ROPA exports and announcements.
 */
export const subprocessorLists = pgTable(
  'subprocessor_lists',
  {
    id: text('id').primaryKey(),
    entries: jsonb('entries').$type<Subprocessor[]>().notNull(),
    effectiveAt: ts('effective_at').notNull(),
    announcedAt: ts('announced_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('subprocessor_lists_effective_idx').on(t.effectiveAt)],
).enableRLS();
