import type {
  JurisdictionCode,
  RefusalGround,
  RequestChannel,
  RequestFee,
  RequestLocale,
  RequestState,
  RequestTaskState,
  RequestType,
} from '@lawful/contract';
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { bytea, ts } from './tenants.ts';

/**
 * Data-subject requests. Identities and the subject's own words are sealed under the subject's data key (or the
 * tenant key when no subject could be named), so erasing the subject shreds them too. Deadlines are stored as the
 * pure deadline functions return them.
 */
export const requests = pgTable(
  'requests',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    types: text('types').array().$type<RequestType[]>().notNull(),
    state: text('state').$type<RequestState>().notNull(),
    channel: text('channel').$type<RequestChannel>().notNull(),
    subjectId: text('subject_id'),
    /** JSON `RequestIdentity[]` (+ the note), sealed. */
    identitiesSealed: bytea('identities_sealed').notNull(),
    /** 'subject' = under the subject's data key; 'tenant' = under the tenant key (no subject named). */
    sealedUnder: text('sealed_under').$type<'subject' | 'tenant'>().notNull(),
    locale: text('locale').$type<RequestLocale>().notNull(),
    jurisdiction: text('jurisdiction').$type<JurisdictionCode>().notNull(),
    timeZone: text('time_zone').notNull(),
    receivedAt: ts('received_at').notNull(),
    startDate: text('start_date').notNull(),
    originalDueAt: ts('original_due_at').notNull(),
    dueAt: ts('due_at').notNull(),
    clockPausedAt: ts('clock_paused_at'),
    verifiedAt: ts('verified_at'),
    extension: jsonb('extension').$type<{
      period: { unit: 'months' | 'days'; count: number };
      reason: string;
      decidedAt: string;
    } | null>(),
    refusal: jsonb('refusal').$type<{ grounds: RefusalGround[]; explanation: string; decidedAt: string } | null>(),
    fee: jsonb('fee').$type<RequestFee | null>(),
    assignee: text('assignee'),
    duplicateOf: text('duplicate_of'),
    /** Signed completion certificate (compact JWS), once closed after work was done. */
    certificate: text('certificate'),
    remindedAt: ts('reminded_at'),
    escalatedAt: ts('escalated_at'),
    closedAt: ts('closed_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('requests_subject_idx').on(t.tenantId, t.subjectId),
    index('requests_open_due_idx').on(t.tenantId, t.dueAt).where(sql`closed_at is null`),
    // The console queue: by due date (keyset on due_at, id), all requests, open ones, or one state.
    index('requests_due_idx').on(t.tenantId, t.dueAt, t.id),
    index('requests_open_due_id_idx').on(t.tenantId, t.dueAt, t.id).where(sql`closed_at is null`),
    index('requests_state_due_idx').on(t.tenantId, t.state, t.dueAt, t.id),
    // The overview's weekly flow: received and closed per week.
    index('requests_received_idx').on(t.tenantId, t.receivedAt),
    index('requests_closed_idx').on(t.tenantId, t.closedAt).where(sql`closed_at is not null`),
    tenantIsolation(),
  ],
).enableRLS();

/** The timeline: append-only (the app role may not update or delete), one row per thing that happened. */
export const requestEvents = pgTable(
  'request_events',
  {
    tenantId: text('tenant_id').notNull(),
    requestId: text('request_id').notNull(),
    seq: integer('seq').notNull(),
    at: ts('at').notNull(),
    actor: text('actor').notNull(),
    kind: text('kind').notNull(),
    fromState: text('from_state').$type<RequestState>(),
    toState: text('to_state').$type<RequestState>(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.requestId, t.seq] }), tenantIsolation()],
).enableRLS();

/** One unit of work: a connected system, a recipient (Art. 19) or a manual step. Unique per target: idempotent. */
export const requestTasks = pgTable(
  'request_tasks',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    requestId: text('request_id').notNull(),
    kind: text('kind').$type<'system' | 'recipient' | 'manual'>().notNull(),
    /** System id, webhook endpoint id, or the manual step's key. */
    targetId: text('target_id').notNull(),
    name: text('name').notNull(),
    state: text('state').$type<RequestTaskState>().notNull(),
    attempts: integer('attempts').notNull(),
    recordsAffected: integer('records_affected'),
    note: text('note'),
    checklist: jsonb('checklist').$type<{ item: string; done: boolean }[] | null>(),
    /** SHA-256 of the recipient's callback token. */
    tokenHash: text('token_hash'),
    createdAt: ts('created_at').notNull(),
    completedAt: ts('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('request_tasks_target_key').on(t.tenantId, t.requestId, t.kind, t.targetId),
    tenantIsolation(),
  ],
).enableRLS();

/** E-mail confirmation of a portal request: hashed link token and code, expiring, single use, attempts counted. */
export const requestVerifications = pgTable(
  'request_verifications',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    requestId: text('request_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    codeHash: text('code_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    attempts: integer('attempts').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('request_verifications_token_key').on(t.tenantId, t.tokenHash),
    index('request_verifications_request_idx').on(t.tenantId, t.requestId),
    tenantIsolation(),
  ],
).enableRLS();

/** The outbox when no SMTP server is configured: each e-mail sealed under the tenant key. */
export const requestMessages = pgTable(
  'request_messages',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    requestId: text('request_id'),
    sealed: bytea('sealed').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('request_messages_request_idx').on(t.tenantId, t.requestId),
    tenantIsolation(),
  ],
).enableRLS();

/** OpenDSR requests received as a processor: the spec's UUID and what must be echoed and called back. */
export const opendsrRequests = pgTable(
  'opendsr_requests',
  {
    tenantId: text('tenant_id').notNull(),
    subjectRequestId: text('subject_request_id').notNull(),
    requestId: text('request_id').notNull(),
    regulation: text('regulation').notNull(),
    subjectRequestType: text('subject_request_type').notNull(),
    submittedTime: ts('submitted_time').notNull(),
    receivedTime: ts('received_time').notNull(),
    encodedRequest: text('encoded_request').notNull(),
    /** Callback URLs are sealed: submitters sometimes put tokens in them. */
    callbackUrlsSealed: bytea('callback_urls_sealed').notNull(),
    lastStatus: text('last_status').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.subjectRequestId] }),
    unique('opendsr_requests_request_key').on(t.tenantId, t.requestId),
    tenantIsolation(),
  ],
).enableRLS();
