import { sql } from 'drizzle-orm';
import { index, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { bytea, ts } from './tenants.ts';

/** A data subject: a pseudonymous id. What identifies the person lives encrypted in subject_identifiers. */
export const subjects = pgTable(
  'subjects',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    createdAt: ts('created_at').notNull(),
    erasedAt: ts('erased_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The console's "erased" filter: few rows, found without walking every subject.
    index('subjects_erased_idx').on(t.tenantId, t.id).where(sql`erased_at is not null`),
    tenantIsolation(),
  ],
).enableRLS();

/** One data key per subject, wrapped by the tenant key. Setting `wrapped` to null crypto-shreds the subject. */
export const subjectKeys = pgTable(
  'subject_keys',
  {
    tenantId: text('tenant_id').notNull(),
    subjectId: text('subject_id').notNull(),
    wrapped: bytea('wrapped'),
    createdAt: ts('created_at').notNull(),
    destroyedAt: ts('destroyed_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.subjectId] }), tenantIsolation()],
).enableRLS();

export const subjectIdentifiers = pgTable(
  'subject_identifiers',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    subjectId: text('subject_id').notNull(),
    kind: text('kind', { enum: ['email', 'phone', 'user_id', 'device_id'] }).notNull(),
    /** Keyed HMAC of the normalised value: equality lookups without the value in clear. */
    blindIndex: text('blind_index').notNull(),
    /** AES-256-GCM under the subject's data key. */
    valueEnc: bytea('value_enc').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('subject_identifiers_lookup_key').on(t.tenantId, t.kind, t.blindIndex),
    index('subject_identifiers_subject_idx').on(t.tenantId, t.subjectId),
    // The console's "holds an identifier of this kind" filter, walked newest subject first.
    index('subject_identifiers_kind_subject_idx').on(t.tenantId, t.kind, t.subjectId),
    tenantIsolation(),
  ],
).enableRLS();
