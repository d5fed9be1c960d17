import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { consentRecords, consentState, consentSubmissions } from '../../db/schema/index.ts';

export type ConsentRecordRow = typeof consentRecords.$inferSelect;
export type ConsentStateRow = typeof consentState.$inferSelect;

export const createConsentRepo = () => ({
  /** Claims an idempotency key; returns the earlier submission when the key was used before. */
  claimKey: async (q: Queryable, row: typeof consentSubmissions.$inferInsert) => {
    const inserted = await q.insert(consentSubmissions).values(row).onConflictDoNothing().returning();
    if (inserted.length > 0) return null;
    const [existing] = await q
      .select()
      .from(consentSubmissions)
      .where(
        and(eq(consentSubmissions.tenantId, row.tenantId), eq(consentSubmissions.idempotencyKey, row.idempotencyKey)),
      );
    return existing ?? null;
  },
  saveResponse: async (q: Queryable, tenantId: string, key: string, response: Record<string, unknown>) => {
    await q
      .update(consentSubmissions)
      .set({ response })
      .where(and(eq(consentSubmissions.tenantId, tenantId), eq(consentSubmissions.idempotencyKey, key)));
  },
  /** The current state row, locked so concurrent decisions on one subject × purpose apply one after the other. */
  lockState: async (q: Queryable, tenantId: string, subjectId: string, purposeKey: string) =>
    (
      await q
        .select()
        .from(consentState)
        .where(
          and(
            eq(consentState.tenantId, tenantId),
            eq(consentState.subjectId, subjectId),
            eq(consentState.purposeKey, purposeKey),
          ),
        )
        .for('update')
    )[0],
  insertRecord: async (q: Queryable, row: ConsentRecordRow) => {
    await q.insert(consentRecords).values(row);
  },
  upsertState: async (q: Queryable, row: ConsentStateRow) => {
    await q
      .insert(consentState)
      .values(row)
      .onConflictDoUpdate({
        target: [consentState.tenantId, consentState.subjectId, consentState.purposeKey],
        set: { state: row.state, recordId: row.recordId, since: row.since },
      });
  },
  states: (q: Queryable, tenantId: string, subjectId: string) =>
    q
      .select()
      .from(consentState)
      .where(and(eq(consentState.tenantId, tenantId), eq(consentState.subjectId, subjectId)))
      .orderBy(asc(consentState.purposeKey)),
  record: async (q: Queryable, tenantId: string, id: string) =>
    (
      await q
        .select()
        .from(consentRecords)
        .where(and(eq(consentRecords.tenantId, tenantId), eq(consentRecords.id, id)))
    )[0],
  history: (q: Queryable, tenantId: string, subjectId: string, until?: Date) =>
    q
      .select()
      .from(consentRecords)
      .where(
        and(
          eq(consentRecords.tenantId, tenantId),
          eq(consentRecords.subjectId, subjectId),
          ...(until ? [lte(consentRecords.recordedAt, until)] : []),
        ),
      )
      .orderBy(asc(consentRecords.recordedAt), asc(consentRecords.id)),
  bySubmission: (q: Queryable, tenantId: string, submissionId: string) =>
    q
      .select()
      .from(consentRecords)
      .where(and(eq(consentRecords.tenantId, tenantId), eq(consentRecords.submissionId, submissionId)))
      .orderBy(asc(consentRecords.id)),
  grantedAmong: (q: Queryable, tenantId: string, purposeKey: string, subjectIds: string[]) =>
    q
      .select({ subjectId: consentState.subjectId })
      .from(consentState)
      .where(
        and(
          eq(consentState.tenantId, tenantId),
          eq(consentState.purposeKey, purposeKey),
          eq(consentState.state, 'granted'),
          inArray(consentState.subjectId, subjectIds),
        ),
      ),
});
export type ConsentRepo = ReturnType<typeof createConsentRepo>;
