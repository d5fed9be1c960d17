import type { PurposeDefinition, RopaController } from '@lawful/contract';
import { integer, jsonb, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { ts } from './tenants.ts';

/**
 * Every version of every processing purpose. Append-only: a change is a new version, so what a subject was told under
 * version 3 stays readable after version 4 exists. The current version is the highest.
 */
export const purposeVersions = pgTable(
  'purpose_versions',
  {
    tenantId: text('tenant_id').notNull(),
    purposeKey: text('purpose_key').notNull(),
    version: integer('version').notNull(),
    id: text('id').notNull(),
    definition: jsonb('definition').$type<PurposeDefinition>().notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.purposeKey, t.version] }),
    unique('purpose_versions_id_key').on(t.tenantId, t.id),
    tenantIsolation(),
  ],
).enableRLS();

/** The controller identity, DPO and security measures heading the tenant's Art. 30 record. */
export const ropaControllers = pgTable(
  'ropa_controllers',
  {
    tenantId: text('tenant_id').notNull(),
    record: jsonb('record').$type<RopaController>().notNull(),
    updatedAt: ts('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId] }), tenantIsolation()],
).enableRLS();
