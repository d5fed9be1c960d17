import { and, asc, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { notices, noticeVersions, ropaControllers } from '../../db/schema/index.ts';

export type NoticeRow = typeof notices.$inferSelect;
export type NoticeVersionRow = typeof noticeVersions.$inferSelect;

export const createNoticesRepo = () => ({
  insertNotice: async (q: Queryable, row: NoticeRow) => {
    await q.insert(notices).values(row);
  },
  noticeByKey: async (q: Queryable, tenantId: string, key: string) =>
    (
      await q
        .select()
        .from(notices)
        .where(and(eq(notices.tenantId, tenantId), eq(notices.key, key)))
    )[0],
  noticeById: async (q: Queryable, tenantId: string, id: string) =>
    (
      await q
        .select()
        .from(notices)
        .where(and(eq(notices.tenantId, tenantId), eq(notices.id, id)))
    )[0],
  listNotices: (q: Queryable, tenantId: string) =>
    q.select().from(notices).where(eq(notices.tenantId, tenantId)).orderBy(asc(notices.key)),
  insertVersion: async (q: Queryable, row: NoticeVersionRow) => {
    await q.insert(noticeVersions).values(row);
  },
  version: async (q: Queryable, tenantId: string, id: string) =>
    (
      await q
        .select()
        .from(noticeVersions)
        .where(and(eq(noticeVersions.tenantId, tenantId), eq(noticeVersions.id, id)))
    )[0],
  versions: (q: Queryable, tenantId: string, noticeId: string) =>
    q
      .select()
      .from(noticeVersions)
      .where(and(eq(noticeVersions.tenantId, tenantId), eq(noticeVersions.noticeId, noticeId)))
      .orderBy(desc(noticeVersions.version)),
  updateDraft: async (q: Queryable, tenantId: string, id: string, set: Partial<NoticeVersionRow>) =>
    (
      await q
        .update(noticeVersions)
        .set(set)
        .where(
          and(eq(noticeVersions.tenantId, tenantId), eq(noticeVersions.id, id), eq(noticeVersions.status, 'draft')),
        )
        .returning()
    )[0],
  /** The controller identity heading the record of processing (owned by the ROPA module; read here to render). */
  controller: async (q: Queryable, tenantId: string) =>
    (await q.select().from(ropaControllers).where(eq(ropaControllers.tenantId, tenantId)))[0]?.record ?? null,
});
export type NoticesRepo = ReturnType<typeof createNoticesRepo>;
