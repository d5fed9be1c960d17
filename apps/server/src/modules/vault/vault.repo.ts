import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { subjectKeys, tenants } from '../../db/schema/index.ts';

export const createVaultRepo = () => ({
  async tenantKeys(q: Queryable, tenantId: string) {
    const [row] = await q
      .select({
        keyWrapped: tenants.keyWrapped,
        indexKeyWrapped: tenants.indexKeyWrapped,
        masterKeyId: tenants.masterKeyId,
      })
      .from(tenants)
      .where(eq(tenants.id, tenantId));
    return row;
  },
  async allTenantKeys(db: Db) {
    return db
      .select({
        id: tenants.id,
        keyWrapped: tenants.keyWrapped,
        indexKeyWrapped: tenants.indexKeyWrapped,
        masterKeyId: tenants.masterKeyId,
      })
      .from(tenants);
  },
  async rewrapTenant(db: Db, id: string, keyWrapped: Buffer, indexKeyWrapped: Buffer, masterKeyId: string) {
    await db.update(tenants).set({ keyWrapped, indexKeyWrapped, masterKeyId }).where(eq(tenants.id, id));
  },
  async subjectKey(q: Queryable, tenantId: string, subjectId: string) {
    const [row] = await q
      .select({ wrapped: subjectKeys.wrapped })
      .from(subjectKeys)
      .where(and(eq(subjectKeys.tenantId, tenantId), eq(subjectKeys.subjectId, subjectId)));
    return row;
  },
  /** The keys of many subjects in one statement (a page of people). */
  subjectKeysOf: (q: Queryable, tenantId: string, subjectIds: string[]) =>
    q
      .select({ subjectId: subjectKeys.subjectId, wrapped: subjectKeys.wrapped })
      .from(subjectKeys)
      .where(and(eq(subjectKeys.tenantId, tenantId), inArray(subjectKeys.subjectId, subjectIds))),
  /** True when this key was stored; false when the subject already had one (another transaction won the race). */
  async insertSubjectKey(q: Queryable, tenantId: string, subjectId: string, wrapped: Buffer, at: Date) {
    const stored = await q
      .insert(subjectKeys)
      .values({ tenantId, subjectId, wrapped, createdAt: at })
      .onConflictDoNothing({ target: [subjectKeys.tenantId, subjectKeys.subjectId] })
      .returning({ subjectId: subjectKeys.subjectId });
    return stored.length === 1;
  },
  async destroySubjectKey(q: Queryable, tenantId: string, subjectId: string, at: Date) {
    const rows = await q
      .update(subjectKeys)
      .set({ wrapped: null, destroyedAt: at })
      .where(
        and(eq(subjectKeys.tenantId, tenantId), eq(subjectKeys.subjectId, subjectId), isNotNull(subjectKeys.wrapped)),
      )
      .returning({ subjectId: subjectKeys.subjectId });
    return rows.length > 0;
  },
});
export type VaultRepo = ReturnType<typeof createVaultRepo>;
