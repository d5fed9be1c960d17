import type { DataMap } from '@lawful/contract';
import { index, integer, jsonb, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { bytea, ts } from './tenants.ts';

/** Every version of a tenant's data map, kept: a request records which version it ran under. Append-only. */
export const dataMapVersions = pgTable(
  'datamap_versions',
  {
    tenantId: text('tenant_id').notNull(),
    version: integer('version').notNull(),
    id: text('id').notNull(),
    document: jsonb('document').$type<DataMap>().notNull(),
    /** SHA-256 of the canonical JSON, so an unchanged upload does not make a new version. */
    sha256: text('sha256').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.version] }), tenantIsolation()],
).enableRLS();

/** A named connection to one of the platform's databases. The URL (with credentials) only ever exists sealed. */
export const dataMapConnections = pgTable(
  'datamap_connections',
  {
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    engine: text('engine', { enum: ['postgres', 'mysql'] }).notNull(),
    /** AES-256-GCM under the tenant key (vault.sealForTenant). */
    urlSealed: bytea('url_sealed').notNull(),
    schema: text('schema'),
    maxConnections: integer('max_connections'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] }), tenantIsolation()],
).enableRLS();

/**
 * An access or portability package on disk, encrypted. Its file key is sealed under the subject's data key, so
 * crypto-shredding the subject also makes every export of them unreadable. The download token is stored hashed.
 */
export const exportPackages = pgTable(
  'export_packages',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    requestId: text('request_id').notNull(),
    subjectId: text('subject_id'),
    kind: text('kind', { enum: ['access', 'portability'] }).notNull(),
    state: text('state', { enum: ['building', 'ready', 'failed', 'purged'] }).notNull(),
    fileName: text('file_name').notNull(),
    keySealed: bytea('key_sealed'),
    sealedUnder: text('sealed_under', { enum: ['subject', 'tenant'] }).notNull(),
    bytes: integer('bytes'),
    /** Rows per collection and completeness per system: counts and names, no personal data. */
    summary: jsonb('summary').$type<Record<string, unknown>>(),
    tokenHash: text('token_hash'),
    expiresAt: ts('expires_at').notNull(),
    downloads: integer('downloads').notNull().default(0),
    createdAt: ts('created_at').notNull(),
    purgedAt: ts('purged_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('export_packages_request_kind_key').on(t.tenantId, t.requestId, t.kind),
    index('export_packages_token_idx').on(t.tokenHash),
    index('export_packages_expiry_idx').on(t.state, t.expiresAt),
    tenantIsolation(),
  ],
).enableRLS();

/** Old and new values of a rectification, sealed under the subject's key (or the tenant key without a subject). */
export const rectifications = pgTable(
  'rectifications',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    requestId: text('request_id').notNull(),
    subjectId: text('subject_id'),
    system: text('system').notNull(),
    collection: text('collection').notNull(),
    column: text('column').notNull(),
    valuesSealed: bytea('values_sealed').notNull(),
    sealedUnder: text('sealed_under', { enum: ['subject', 'tenant'] }).notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('rectifications_request_idx').on(t.tenantId, t.requestId),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * The erasure log: who was erased and whether their key is destroyed. Pseudonymous ids only. A restore replays it
 * (check 48) so a backup taken before an erasure never brings the person back. Append-only for the app role.
 */
export const erasureLog = pgTable(
  'erasure_log',
  {
    tenantId: text('tenant_id').notNull(),
    subjectId: text('subject_id').notNull(),
    requestId: text('request_id'),
    keyDestroyed: text('key_destroyed', { enum: ['yes', 'no_key'] }).notNull(),
    erasedAt: ts('erased_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.subjectId] }), tenantIsolation()],
).enableRLS();
