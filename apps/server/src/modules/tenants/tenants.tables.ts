import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../../db/schema/index.ts';

/** A table that holds rows of one tenant, and the column that names the tenant. */
export type TenantTable = { name: string; tenantColumn: 'tenant_id' | 'id'; columns: string[] };

/**
 * Every table the tenant owns rows in, derived from the drizzle schema: `tenants` itself (by `id`) and every table
 * with a `tenant_id` column. Export, import and offboarding all walk this list, so a table added to the schema
 * tomorrow is exported and deleted without anyone remembering to list it (a test checks it against the database).
 * `tenants` comes first on import (nothing else is readable without its keys) and last on delete.
 */
export const tenantTables = (): TenantTable[] => {
  const out: TenantTable[] = [];
  for (const value of Object.values(schema)) {
    if (!is(value, PgTable)) continue;
    const cfg = getTableConfig(value);
    const columns = cfg.columns.map((c) => c.name);
    if (cfg.name === 'tenants') out.push({ name: cfg.name, tenantColumn: 'id', columns });
    else if (columns.includes('tenant_id')) out.push({ name: cfg.name, tenantColumn: 'tenant_id', columns });
  }
  out.sort((a, b) => (a.name === 'tenants' ? -1 : b.name === 'tenants' ? 1 : a.name.localeCompare(b.name)));
  return out;
};

/** Double-quoted identifier; names come from our own schema, checked against a strict pattern all the same. */
export const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${name}`);
  return `"${name}"`;
};
