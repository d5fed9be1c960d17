import { and, asc, desc, eq, lte } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { lawfulBases, lawfulBasisHistory } from '../../db/schema/index.ts';

export type BasisRow = typeof lawfulBases.$inferSelect;

export const createLawfulBasisRepo = () => ({
  current: async (q: Queryable, tenantId: string, subjectId: string, purposeKey: string) => {
    const [row] = await q
      .select()
      .from(lawfulBases)
      .where(
        and(
          eq(lawfulBases.tenantId, tenantId),
          eq(lawfulBases.subjectId, subjectId),
          eq(lawfulBases.purposeKey, purposeKey),
        ),
      );
    return row;
  },
  /** Appends to the history and makes the row the one in force, in the caller's transaction. */
  set: async (q: Queryable, row: BasisRow) => {
    await q.insert(lawfulBasisHistory).values(row);
    const { tenantId, subjectId, purposeKey, ...rest } = row;
    await q
      .insert(lawfulBases)
      .values(row)
      .onConflictDoUpdate({ target: [lawfulBases.tenantId, lawfulBases.subjectId, lawfulBases.purposeKey], set: rest });
  },
  asOf: async (q: Queryable, tenantId: string, subjectId: string, purposeKey: string, at: Date) => {
    const [row] = await q
      .select()
      .from(lawfulBasisHistory)
      .where(
        and(
          eq(lawfulBasisHistory.tenantId, tenantId),
          eq(lawfulBasisHistory.subjectId, subjectId),
          eq(lawfulBasisHistory.purposeKey, purposeKey),
          lte(lawfulBasisHistory.setAt, at),
        ),
      )
      .orderBy(desc(lawfulBasisHistory.setAt), desc(lawfulBasisHistory.id))
      .limit(1);
    return row;
  },
  history: (q: Queryable, tenantId: string, subjectId: string, purposeKey: string) =>
    q
      .select()
      .from(lawfulBasisHistory)
      .where(
        and(
          eq(lawfulBasisHistory.tenantId, tenantId),
          eq(lawfulBasisHistory.subjectId, subjectId),
          eq(lawfulBasisHistory.purposeKey, purposeKey),
        ),
      )
      .orderBy(asc(lawfulBasisHistory.setAt), asc(lawfulBasisHistory.id)),
});
export type LawfulBasisRepo = ReturnType<typeof createLawfulBasisRepo>;
