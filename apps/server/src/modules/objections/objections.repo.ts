import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { objections, restrictions, subjectIdentifiers, suppressions } from '../../db/schema/index.ts';

export type ObjectionRow = typeof objections.$inferSelect;
export type RestrictionRow = typeof restrictions.$inferSelect;

export const createObjectionsRepo = () => ({
  insertObjection: async (q: Queryable, row: ObjectionRow) => {
    await q.insert(objections).values(row);
  },
  objection: async (q: Queryable, tenantId: string, id: string) => {
    const [row] = await q
      .select()
      .from(objections)
      .where(and(eq(objections.tenantId, tenantId), eq(objections.id, id)));
    return row;
  },
  resolve: async (
    q: Queryable,
    tenantId: string,
    id: string,
    set: Pick<ObjectionRow, 'status' | 'grounds' | 'justification' | 'resolvedAt' | 'resolvedBy'>,
  ) => {
    const [row] = await q
      .update(objections)
      .set(set)
      .where(and(eq(objections.tenantId, tenantId), eq(objections.id, id), eq(objections.status, 'pending')))
      .returning();
    return row;
  },
  /** Hashes every identifier of the subject into the suppression list; existing entries are kept as they are. */
  suppressSubject: async (q: Queryable, tenantId: string, subjectId: string, at: Date, newId: () => string) => {
    const ids = await q
      .select({ kind: subjectIdentifiers.kind, blindIndex: subjectIdentifiers.blindIndex })
      .from(subjectIdentifiers)
      .where(and(eq(subjectIdentifiers.tenantId, tenantId), eq(subjectIdentifiers.subjectId, subjectId)));
    if (ids.length === 0) return 0;
    const rows = await q
      .insert(suppressions)
      .values(
        ids.map((i) => ({
          tenantId,
          id: newId(),
          kind: i.kind,
          blindIndex: i.blindIndex,
          scope: 'direct_marketing' as const,
          createdAt: at,
        })),
      )
      .onConflictDoNothing({
        target: [suppressions.tenantId, suppressions.kind, suppressions.blindIndex, suppressions.scope],
      })
      .returning({ id: suppressions.id });
    return rows.length;
  },
  insertRestriction: async (q: Queryable, row: RestrictionRow) => {
    await q.insert(restrictions).values(row);
  },
  restriction: async (q: Queryable, tenantId: string, id: string) => {
    const [row] = await q
      .select()
      .from(restrictions)
      .where(and(eq(restrictions.tenantId, tenantId), eq(restrictions.id, id)));
    return row;
  },
  lift: async (q: Queryable, tenantId: string, id: string, at: Date, by: string) => {
    const [row] = await q
      .update(restrictions)
      .set({ liftedAt: at, liftedBy: by })
      .where(and(eq(restrictions.tenantId, tenantId), eq(restrictions.id, id), isNull(restrictions.liftedAt)))
      .returning();
    return row;
  },
});
export type ObjectionsRepo = ReturnType<typeof createObjectionsRepo>;
