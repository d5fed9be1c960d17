import type { BasisEvidence, LawfulBasis } from '@lawful/contract';
import { index, integer, jsonb, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { ts } from './tenants.ts';

const basisColumns = () => ({
  tenantId: text('tenant_id').notNull(),
  id: text('id').notNull(),
  subjectId: text('subject_id').notNull(),
  purposeKey: text('purpose_key').notNull(),
  purposeVersion: integer('purpose_version').notNull(),
  basis: text('basis').$type<LawfulBasis>().notNull(),
  evidence: jsonb('evidence').$type<BasisEvidence>().notNull(),
  noticeVersionId: text('notice_version_id'),
  source: text('source').notNull(),
  setBy: text('set_by').notNull(),
  setAt: ts('set_at').notNull(),
});

/** The one basis in force per subject × purpose (check 1): the primary key makes a second one impossible. */
export const lawfulBases = pgTable('lawful_bases', basisColumns(), (t) => [
  primaryKey({ columns: [t.tenantId, t.subjectId, t.purposeKey] }),
  tenantIsolation(),
]).enableRLS();

/** Every basis ever set, append-only (the app role cannot UPDATE or DELETE): the state as of any instant. */
export const lawfulBasisHistory = pgTable('lawful_basis_history', basisColumns(), (t) => [
  primaryKey({ columns: [t.tenantId, t.id] }),
  index('lawful_basis_history_lookup_idx').on(t.tenantId, t.subjectId, t.purposeKey, t.setAt),
  tenantIsolation(),
]).enableRLS();

/** Art. 21 objections. Direct marketing: upheld at once, for good. (e)/(f): pending until resolved. */
export const objections = pgTable(
  'objections',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    subjectId: text('subject_id').notNull(),
    purposeKey: text('purpose_key').notNull(),
    kind: text('kind', { enum: ['direct_marketing', 'public_or_legitimate_interest'] }).notNull(),
    status: text('status', { enum: ['upheld', 'pending', 'overridden'] }).notNull(),
    channel: text('channel').notNull(),
    grounds: text('grounds', { enum: ['compelling_legitimate_grounds', 'legal_claims'] }),
    justification: text('justification'),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    resolvedAt: ts('resolved_at'),
    resolvedBy: text('resolved_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('objections_subject_idx').on(t.tenantId, t.subjectId, t.purposeKey),
    tenantIsolation(),
  ],
).enableRLS();

/** Art. 18 restrictions: while one is in force the data may be stored and nothing else. */
export const restrictions = pgTable(
  'restrictions',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    subjectId: text('subject_id').notNull(),
    purposeKey: text('purpose_key'),
    ground: text('ground').notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    liftedAt: ts('lifted_at'),
    liftedBy: text('lifted_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('restrictions_subject_idx').on(t.tenantId, t.subjectId),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Keyed hashes (the tenant's blind index) of identifiers that must never be marketed to again (check 15). They carry no
 * subject id, so they outlive erasure; append-only.
 */
export const suppressions = pgTable(
  'suppressions',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    kind: text('kind').notNull(),
    blindIndex: text('blind_index').notNull(),
    scope: text('scope', { enum: ['direct_marketing'] }).notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('suppressions_lookup_key').on(t.tenantId, t.kind, t.blindIndex, t.scope),
    tenantIsolation(),
  ],
).enableRLS();
