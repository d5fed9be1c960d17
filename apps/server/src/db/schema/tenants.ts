import type { Role, TenantSettings } from '@lawful/contract';
import { sql } from 'drizzle-orm';
import { customType, jsonb, pgPolicy, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { appRole, tenantIsolation } from './_rls.ts';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    settings: jsonb('settings').$type<TenantSettings>().notNull(),
    status: text('status', { enum: ['active', 'deleted'] })
      .notNull()
      .default('active'),
    /** The tenant key (wraps subject data keys) and the blind-index key, both wrapped by the master key. */
    keyWrapped: bytea('key_wrapped').notNull(),
    indexKeyWrapped: bytea('index_key_wrapped').notNull(),
    masterKeyId: text('master_key_id').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    unique('tenants_slug_key').on(t.slug),
    pgPolicy('tenant_isolation', {
      as: 'permissive',
      for: 'all',
      to: appRole,
      using: sql`id = current_setting('lawful.tenant_id', true)`,
    }),
  ],
).enableRLS();

export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<Role>().notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), unique('api_keys_hash_key').on(t.hash), tenantIsolation()],
).enableRLS();

export { ts };
