import { bigint, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { ts } from './tenants.ts';

/** Append-only (the app role may only INSERT and SELECT), hash-chained per tenant. */
export const auditEntries = pgTable(
  'audit_entries',
  {
    tenantId: text('tenant_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    id: text('id').notNull(),
    at: ts('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    subjectId: text('subject_id'),
    requestId: text('request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.seq] }),
    index('audit_entries_subject_idx').on(t.tenantId, t.subjectId),
    index('audit_entries_action_idx').on(t.tenantId, t.action, t.at),
    tenantIsolation(),
  ],
).enableRLS();

/** The last link of each tenant's chain; locking it serialises appends so the chain stays linear. */
export const auditHeads = pgTable(
  'audit_heads',
  {
    tenantId: text('tenant_id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  () => [tenantIsolation()],
).enableRLS();

/** Signed (Ed25519) statements "the chain of tenant T had hash H at seq N": a verifier needs only the public key. */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    tenantId: text('tenant_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    at: ts('at').notNull(),
    keyId: text('key_id').notNull(),
    signature: text('signature').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.seq] }), tenantIsolation()],
).enableRLS();
