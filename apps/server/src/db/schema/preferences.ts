import { index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { bytea, ts } from './tenants.ts';

/**
 * Every signed link handed out for the people-facing pages (preference centre, one-click unsubscribe, double opt-in
 * confirmation). The token carries only ids and an expiry; this row lets staff revoke it before it expires.
 */
export const preferenceLinks = pgTable(
  'preference_links',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    subjectId: text('subject_id').notNull(),
    kind: text('kind', { enum: ['preferences', 'unsubscribe', 'confirm'] }).notNull(),
    purposeKey: text('purpose_key'),
    submissionId: text('submission_id'),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('preference_links_subject_idx').on(t.tenantId, t.subjectId),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Where e-mails wait when no SMTP server is configured (embedded mode): the whole message (recipient included)
 * sealed under the tenant key, read with `lawful outbox list|show`.
 */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    kind: text('kind').notNull(),
    subjectId: text('subject_id'),
    sealed: bytea('sealed').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('email_outbox_created_idx').on(t.tenantId, t.createdAt),
    tenantIsolation(),
  ],
).enableRLS();
