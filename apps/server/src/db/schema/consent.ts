import { index, integer, jsonb, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { ts } from './tenants.ts';

export const notices = pgTable(
  'notices',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique('notices_key').on(t.tenantId, t.key), tenantIsolation()],
).enableRLS();

/**
 * Drafts are editable; a published version is frozen (a trigger refuses any change) and kept forever: it is what
 * people saw. `rendered` holds the exact HTML per locale and its SHA-256.
 */
export const noticeVersions = pgTable(
  'notice_versions',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    noticeId: text('notice_id').notNull(),
    version: integer('version').notNull(),
    status: text('status', { enum: ['draft', 'published'] }).notNull(),
    texts: jsonb('texts').$type<Record<string, { title: string; markdown: string }>>().notNull(),
    purposes: jsonb('purposes').$type<{ key: string; version: number | null }[]>().notNull(),
    rendered: jsonb('rendered').$type<Record<string, { html: string; sha256: string }>>(),
    effectiveAt: ts('effective_at'),
    publishedAt: ts('published_at'),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('notice_versions_version').on(t.tenantId, t.noticeId, t.version),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * The consent store: append-only (the app role may only INSERT and SELECT). Grants, refusals and withdrawals are all
 * records; the state at any instant is rebuilt from them. Only a truncated IP and a coarse user agent are kept.
 */
export const consentRecords = pgTable(
  'consent_records',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    submissionId: text('submission_id').notNull(),
    subjectId: text('subject_id').notNull(),
    purposeKey: text('purpose_key').notNull(),
    purposeVersion: integer('purpose_version').notNull(),
    decision: text('decision', { enum: ['grant', 'refuse', 'withdraw'] }).notNull(),
    pending: text('pending', { enum: ['no', 'confirmation'] }).notNull(),
    confirms: text('confirms'),
    noticeVersionId: text('notice_version_id').notNull(),
    noticeHash: text('notice_hash').notNull(),
    locale: text('locale').notNull(),
    method: text('method').notNull(),
    affirmativeAction: jsonb('affirmative_action').$type<Record<string, unknown>>().notNull(),
    collectionPoint: jsonb('collection_point').$type<Record<string, unknown>>().notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    ipPrefix: text('ip_prefix'),
    userAgent: text('user_agent'),
    actor: text('actor').notNull(),
    recordedAt: ts('recorded_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('consent_records_subject_idx').on(t.tenantId, t.subjectId, t.purposeKey, t.recordedAt),
    // The overview's weekly decisions: a time range per tenant.
    index('consent_records_recorded_idx').on(t.tenantId, t.recordedAt),
    tenantIsolation(),
  ],
).enableRLS();

/** The projection of the records: the current state per subject × purpose, updated in the same transaction. */
export const consentState = pgTable(
  'consent_state',
  {
    tenantId: text('tenant_id').notNull(),
    subjectId: text('subject_id').notNull(),
    purposeKey: text('purpose_key').notNull(),
    state: text('state', { enum: ['granted', 'refused', 'withdrawn', 'pending_confirmation'] }).notNull(),
    recordId: text('record_id').notNull(),
    since: ts('since').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.subjectId, t.purposeKey] }),
    index('consent_state_purpose_idx').on(t.tenantId, t.purposeKey, t.state),
    tenantIsolation(),
  ],
).enableRLS();

/** Idempotency: the same key returns the first answer; the same key with another body is a conflict. */
export const consentSubmissions = pgTable(
  'consent_submissions',
  {
    tenantId: text('tenant_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    submissionId: text('submission_id').notNull(),
    requestHash: text('request_hash').notNull(),
    response: jsonb('response').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.idempotencyKey] }), tenantIsolation()],
).enableRLS();
