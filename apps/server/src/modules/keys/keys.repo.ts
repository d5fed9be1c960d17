import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { apiKeys, tenants } from '../../db/schema/index.ts';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export const createKeysRepo = () => ({
  insert: async (q: Queryable, row: typeof apiKeys.$inferInsert) => {
    await q.insert(apiKeys).values(row);
  },
  list: (q: Queryable, tenantId: string) =>
    q.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(asc(apiKeys.createdAt)),
  get: async (q: Queryable, tenantId: string, id: string) => {
    const [row] = await q
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
    return row;
  },
  revoke: async (q: Queryable, tenantId: string, id: string, at: Date) => {
    const rows = await q
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return rows[0];
  },
  /** Runs as the owner: the tenant is not known until the key is found. */
  findActiveByHash: async (q: Queryable, hash: string) => {
    const [row] = await q
      .select({ tenantId: apiKeys.tenantId, id: apiKeys.id, role: apiKeys.role, lastUsedAt: apiKeys.lastUsedAt })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt), eq(tenants.status, 'active')));
    return row;
  },
  touch: async (q: Queryable, tenantId: string, id: string, at: Date) => {
    await q
      .update(apiKeys)
      .set({ lastUsedAt: at })
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
  },
});
export type KeysRepo = ReturnType<typeof createKeysRepo>;
