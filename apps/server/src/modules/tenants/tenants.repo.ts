import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { tenants } from '../../db/schema/index.ts';

export type TenantRow = typeof tenants.$inferSelect;

export const createTenantsRepo = () => ({
  insert: async (q: Queryable, row: typeof tenants.$inferInsert) => {
    await q.insert(tenants).values(row);
  },
  get: async (q: Queryable, id: string) => {
    const [row] = await q.select().from(tenants).where(eq(tenants.id, id));
    return row;
  },
  bySlug: async (q: Queryable, slug: string) => {
    const [row] = await q.select().from(tenants).where(eq(tenants.slug, slug));
    return row;
  },
  list: (q: Queryable) => q.select().from(tenants).orderBy(asc(tenants.createdAt)),
  updateSettings: async (q: Queryable, id: string, settings: TenantRow['settings']) => {
    const [row] = await q.update(tenants).set({ settings }).where(eq(tenants.id, id)).returning();
    return row;
  },
});
export type TenantsRepo = ReturnType<typeof createTenantsRepo>;
