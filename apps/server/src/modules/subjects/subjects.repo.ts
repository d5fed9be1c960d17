import { and, eq, inArray, or } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { subjectIdentifiers, subjects } from '../../db/schema/index.ts';

export type IdentifierRow = typeof subjectIdentifiers.$inferSelect;
export type Hashed = { kind: IdentifierRow['kind']; blindIndex: string };

export const createSubjectsRepo = () => ({
  insertSubject: async (q: Queryable, tenantId: string, id: string, at: Date) => {
    await q.insert(subjects).values({ tenantId, id, createdAt: at });
  },
  subject: async (q: Queryable, tenantId: string, id: string) => {
    const [row] = await q
      .select()
      .from(subjects)
      .where(and(eq(subjects.tenantId, tenantId), eq(subjects.id, id)));
    return row;
  },
  /** Which subjects hold any of these hashed identifiers. */
  byIdentifiers: async (q: Queryable, tenantId: string, hashed: Hashed[]) => {
    if (hashed.length === 0) return [];
    return q
      .select({
        subjectId: subjectIdentifiers.subjectId,
        kind: subjectIdentifiers.kind,
        blindIndex: subjectIdentifiers.blindIndex,
      })
      .from(subjectIdentifiers)
      .where(
        and(
          eq(subjectIdentifiers.tenantId, tenantId),
          or(
            ...hashed.map((h) =>
              and(eq(subjectIdentifiers.kind, h.kind), eq(subjectIdentifiers.blindIndex, h.blindIndex)),
            ),
          ),
        ),
      );
  },
  insertIdentifier: async (q: Queryable, row: typeof subjectIdentifiers.$inferInsert) => {
    const out = await q
      .insert(subjectIdentifiers)
      .values(row)
      .onConflictDoNothing({
        target: [subjectIdentifiers.tenantId, subjectIdentifiers.kind, subjectIdentifiers.blindIndex],
      })
      .returning({ id: subjectIdentifiers.id });
    return out.length > 0;
  },
  identifiersOf: (q: Queryable, tenantId: string, subjectIds: string[]) =>
    q
      .select()
      .from(subjectIdentifiers)
      .where(and(eq(subjectIdentifiers.tenantId, tenantId), inArray(subjectIdentifiers.subjectId, subjectIds)))
      .orderBy(subjectIdentifiers.createdAt, subjectIdentifiers.id),
});
export type SubjectsRepo = ReturnType<typeof createSubjectsRepo>;
