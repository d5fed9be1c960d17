import { sql } from 'drizzle-orm';
import { pgPolicy, pgRole } from 'drizzle-orm/pg-core';

/**
 * The role every tenant-scoped transaction runs as. It cannot bypass row-level security, so a query that forgets
 * its tenant filter still sees only the current tenant's rows. Created by migration 0000 (roles are cluster-wide).
 */
export const appRole = pgRole('lawful_app').existing();

const sameTenant = sql`tenant_id = current_setting('lawful.tenant_id', true)`;

/** The policy every tenant table carries. */
export const tenantIsolation = () =>
  pgPolicy('tenant_isolation', { as: 'permissive', for: 'all', to: appRole, using: sameTenant, withCheck: sameTenant });
