import { type AnyColumn, and, asc, desc, eq, gte, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  breaches,
  breachNotifications,
  consentRecords,
  lawfulBasisHistory,
  purposeVersions,
  requests,
  subjects,
} from '../../db/schema/index.ts';

export type BreachRow = typeof breaches.$inferSelect;
export type BreachNotificationRow = typeof breachNotifications.$inferSelect;

const versionKey = (key: AnyColumn, version: AnyColumn) => sql<string>`${key} || ':' || ${version}`;

export const createBreachesRepo = () => ({
  insert: async (q: Queryable, row: BreachRow) => {
    await q.insert(breaches).values(row);
  },
  update: async (q: Queryable, tenantId: string, id: string, patch: Partial<BreachRow>) => {
    await q
      .update(breaches)
      .set(patch)
      .where(and(eq(breaches.tenantId, tenantId), eq(breaches.id, id)));
  },
  get: async (q: Queryable, tenantId: string, id: string): Promise<BreachRow | undefined> => {
    const [row] = await q
      .select()
      .from(breaches)
      .where(and(eq(breaches.tenantId, tenantId), eq(breaches.id, id)))
      .limit(1);
    return row;
  },
  /** Locks the row: two transitions of one breach run one after the other. */
  getForUpdate: async (q: Queryable, tenantId: string, id: string): Promise<BreachRow | undefined> => {
    const [row] = await q
      .select()
      .from(breaches)
      .where(and(eq(breaches.tenantId, tenantId), eq(breaches.id, id)))
      .for('update')
      .limit(1);
    return row;
  },
  list: (q: Queryable, tenantId: string) =>
    q.select().from(breaches).where(eq(breaches.tenantId, tenantId)).orderBy(desc(breaches.awareAt), desc(breaches.id)),
  /** Across tenants (owner connection): breaches whose authority notification is pending and a reminder may be due. */
  pendingReminders: (q: Queryable, now: Date) =>
    q
      .select({ tenantId: breaches.tenantId, id: breaches.id })
      .from(breaches)
      .where(
        and(
          isNull(breaches.authorityNotifiedAt),
          isNull(breaches.closedAt),
          sql`${breaches.risk} <> 'none'`,
          lte(breaches.awareAt, new Date(now.getTime() - 24 * 3_600_000)),
          sql`cardinality(${breaches.remindersSent}) < 3`,
        ),
      )
      .orderBy(asc(breaches.deadlineAt)),

  insertNotification: async (q: Queryable, row: BreachNotificationRow) => {
    await q.insert(breachNotifications).values(row);
  },
  notifications: (q: Queryable, tenantId: string, breachId: string) =>
    q
      .select()
      .from(breachNotifications)
      .where(and(eq(breachNotifications.tenantId, tenantId), eq(breachNotifications.breachId, breachId)))
      .orderBy(asc(breachNotifications.id)),
  /** Subjects already told (sent or queued) of this breach: a second run does not write to them again. */
  toldSubjects: async (q: Queryable, tenantId: string, breachId: string): Promise<Set<string>> => {
    const rows = await q
      .select({ subjectId: breachNotifications.subjectId })
      .from(breachNotifications)
      .where(
        and(
          eq(breachNotifications.tenantId, tenantId),
          eq(breachNotifications.breachId, breachId),
          isNotNull(breachNotifications.subjectId),
          inArray(breachNotifications.outcome, ['sent', 'queued']),
        ),
      );
    return new Set(rows.map((r) => r.subjectId!));
  },

  /** Every version of every purpose, with its data categories. */
  purposeVersions: (q: Queryable, tenantId: string) =>
    q
      .select({
        key: purposeVersions.purposeKey,
        version: purposeVersions.version,
        definition: purposeVersions.definition,
      })
      .from(purposeVersions)
      .where(eq(purposeVersions.tenantId, tenantId)),
  /** Subjects with a grant for one of `versions` ("key:version") recorded by `until`, not erased. */
  subjectsByConsent: async (q: Queryable, tenantId: string, versions: string[], until: Date) => {
    if (versions.length === 0) return [];
    const rows = await q
      .selectDistinct({ subjectId: consentRecords.subjectId })
      .from(consentRecords)
      .innerJoin(
        subjects,
        and(eq(subjects.tenantId, consentRecords.tenantId), eq(subjects.id, consentRecords.subjectId)),
      )
      .where(
        and(
          eq(consentRecords.tenantId, tenantId),
          eq(consentRecords.decision, 'grant'),
          lte(consentRecords.recordedAt, until),
          inArray(versionKey(consentRecords.purposeKey, consentRecords.purposeVersion), versions),
          isNull(subjects.erasedAt),
        ),
      );
    return rows.map((r) => r.subjectId);
  },
  /** Subjects with a lawful basis set for one of `versions` by `until` (the history, so later changes count too). */
  subjectsByBasis: async (q: Queryable, tenantId: string, versions: string[], until: Date) => {
    if (versions.length === 0) return [];
    const rows = await q
      .selectDistinct({ subjectId: lawfulBasisHistory.subjectId })
      .from(lawfulBasisHistory)
      .innerJoin(
        subjects,
        and(eq(subjects.tenantId, lawfulBasisHistory.tenantId), eq(subjects.id, lawfulBasisHistory.subjectId)),
      )
      .where(
        and(
          eq(lawfulBasisHistory.tenantId, tenantId),
          lte(lawfulBasisHistory.setAt, until),
          inArray(versionKey(lawfulBasisHistory.purposeKey, lawfulBasisHistory.purposeVersion), versions),
          isNull(subjects.erasedAt),
        ),
      );
    return rows.map((r) => r.subjectId);
  },
  /** Subjects named by a request received in the window. */
  subjectsByRequests: async (q: Queryable, tenantId: string, from: Date, to: Date) => {
    const rows = await q
      .selectDistinct({ subjectId: requests.subjectId })
      .from(requests)
      .innerJoin(subjects, and(eq(subjects.tenantId, requests.tenantId), eq(subjects.id, requests.subjectId)))
      .where(
        and(
          eq(requests.tenantId, tenantId),
          isNotNull(requests.subjectId),
          gte(requests.receivedAt, from),
          lte(requests.receivedAt, to),
          isNull(subjects.erasedAt),
        ),
      );
    return rows.map((r) => r.subjectId!);
  },
  /** The language a subject last chose: their latest consent record's, else their latest request's. */
  subjectLocale: async (q: Queryable, tenantId: string, subjectId: string): Promise<string | null> => {
    const [c] = await q
      .select({ locale: consentRecords.locale })
      .from(consentRecords)
      .where(and(eq(consentRecords.tenantId, tenantId), eq(consentRecords.subjectId, subjectId)))
      .orderBy(desc(consentRecords.recordedAt))
      .limit(1);
    if (c) return c.locale;
    const [r] = await q
      .select({ locale: requests.locale })
      .from(requests)
      .where(and(eq(requests.tenantId, tenantId), eq(requests.subjectId, subjectId)))
      .orderBy(desc(requests.receivedAt))
      .limit(1);
    return r?.locale ?? null;
  },
});
export type BreachesRepo = ReturnType<typeof createBreachesRepo>;
