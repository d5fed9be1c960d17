import { and, asc, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { purposeVersions } from '../../db/schema/index.ts';

export type PurposeRow = typeof purposeVersions.$inferSelect;

export const createPurposesRepo = () => ({
  insert: async (q: Queryable, row: PurposeRow) => {
    await q.insert(purposeVersions).values(row);
  },
  current: async (q: Queryable, tenantId: string, key: string): Promise<PurposeRow | undefined> => {
    const [row] = await q
      .select()
      .from(purposeVersions)
      .where(and(eq(purposeVersions.tenantId, tenantId), eq(purposeVersions.purposeKey, key)))
      .orderBy(desc(purposeVersions.version))
      .limit(1);
    return row;
  },
  versions: (q: Queryable, tenantId: string, key: string) =>
    q
      .select()
      .from(purposeVersions)
      .where(and(eq(purposeVersions.tenantId, tenantId), eq(purposeVersions.purposeKey, key)))
      .orderBy(asc(purposeVersions.version)),
  /** The current version of every purpose. */
  list: (q: Queryable, tenantId: string) =>
    q
      .selectDistinctOn([purposeVersions.purposeKey])
      .from(purposeVersions)
      .where(eq(purposeVersions.tenantId, tenantId))
      .orderBy(asc(purposeVersions.purposeKey), desc(purposeVersions.version)),
});
export type PurposesRepo = ReturnType<typeof createPurposesRepo>;
