import { bigint, bigserial, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { ts } from './tenants.ts';

/** What an entry says: when, who, what, to which pseudonymous subject. Pending and sealed entries carry the same. */
const entryContent = () => ({
  at: ts('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  target: text('target'),
  subjectId: text('subject_id'),
  requestId: text('request_id'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull(),
});

/** Append-only (the app role may only INSERT and SELECT), hash-chained per tenant. */
export const auditEntries = pgTable(
  'audit_entries',
  {
    tenantId: text('tenant_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    id: text('id').notNull(),
    ...entryContent(),
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

/**
 * Entries written with the change they record (same transaction) but not yet linked into the chain. A sealer
 * (audit.sealer.ts) moves them into `audit_entries` in the order they were written (`n`), within a fraction of a
 * second, so concurrent writers never wait for each other on the chain head. Reading or verifying the log seals first.
 * The app role may insert, read and delete (sealing removes them), never update.
 */
export const auditPending = pgTable(
  'audit_pending',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    n: bigserial('n', { mode: 'number' }).notNull(),
    ...entryContent(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('audit_pending_order_idx').on(t.tenantId, t.n),
    tenantIsolation(),
  ],
).enableRLS();

/** The last link of each tenant's chain; locking it serialises sealing so the chain stays linear. */
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
