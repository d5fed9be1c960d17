import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  consentRecords,
  emailOutbox,
  notices,
  noticeVersions,
  objections,
  preferenceLinks,
  subjects,
  suppressions,
} from '../../db/schema/index.ts';

export type LinkRow = typeof preferenceLinks.$inferSelect;
export type OutboxRow = typeof emailOutbox.$inferSelect;

export const createPreferencesRepo = () => ({
  insertLink: async (q: Queryable, row: LinkRow) => {
    await q.insert(preferenceLinks).values(row);
  },
  link: async (q: Queryable, tenantId: string, id: string) =>
    (
      await q
        .select()
        .from(preferenceLinks)
        .where(and(eq(preferenceLinks.tenantId, tenantId), eq(preferenceLinks.id, id)))
    )[0],
  revokeLinks: async (q: Queryable, tenantId: string, subjectId: string, at: Date) =>
    (
      await q
        .update(preferenceLinks)
        .set({ revokedAt: at })
        .where(
          and(
            eq(preferenceLinks.tenantId, tenantId),
            eq(preferenceLinks.subjectId, subjectId),
            isNull(preferenceLinks.revokedAt),
          ),
        )
        .returning({ id: preferenceLinks.id })
    ).length,
  subject: async (q: Queryable, tenantId: string, id: string) =>
    (
      await q
        .select()
        .from(subjects)
        .where(and(eq(subjects.tenantId, tenantId), eq(subjects.id, id)))
    )[0],
  /** Every published notice version, newest first within each notice. */
  publishedVersions: (q: Queryable, tenantId: string) =>
    q
      .select({ version: noticeVersions, noticeKey: notices.key, noticeName: notices.name })
      .from(noticeVersions)
      .innerJoin(notices, and(eq(notices.tenantId, noticeVersions.tenantId), eq(notices.id, noticeVersions.noticeId)))
      .where(and(eq(noticeVersions.tenantId, tenantId), eq(noticeVersions.status, 'published')))
      .orderBy(asc(notices.key), desc(noticeVersions.version)),
  objectionsOf: (q: Queryable, tenantId: string, subjectId: string) =>
    q
      .select()
      .from(objections)
      .where(and(eq(objections.tenantId, tenantId), eq(objections.subjectId, subjectId)))
      .orderBy(asc(objections.createdAt)),
  isSuppressed: async (q: Queryable, tenantId: string, kind: string, blindIndex: string) =>
    (
      await q
        .select({ id: suppressions.id })
        .from(suppressions)
        .where(
          and(
            eq(suppressions.tenantId, tenantId),
            eq(suppressions.kind, kind),
            eq(suppressions.blindIndex, blindIndex),
            eq(suppressions.scope, 'direct_marketing'),
          ),
        )
    ).length > 0,
  pendingOf: (q: Queryable, tenantId: string, submissionId: string) =>
    q
      .select({ purposeKey: consentRecords.purposeKey })
      .from(consentRecords)
      .where(
        and(
          eq(consentRecords.tenantId, tenantId),
          eq(consentRecords.submissionId, submissionId),
          eq(consentRecords.pending, 'confirmation'),
        ),
      )
      .orderBy(asc(consentRecords.purposeKey)),
  insertOutbox: async (q: Queryable, row: OutboxRow) => {
    await q.insert(emailOutbox).values(row);
  },
  outbox: (q: Queryable, tenantId: string, limit: number) =>
    q
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.tenantId, tenantId))
      .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
      .limit(limit),
  outboxEntry: async (q: Queryable, tenantId: string, id: string) =>
    (
      await q
        .select()
        .from(emailOutbox)
        .where(and(eq(emailOutbox.tenantId, tenantId), eq(emailOutbox.id, id)))
    )[0],
});
export type PreferencesRepo = ReturnType<typeof createPreferencesRepo>;
