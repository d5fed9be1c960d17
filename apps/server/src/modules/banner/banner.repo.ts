import { and, arrayContains, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { bannerReceipts, bannerScripts, bannerSites, bannerSiteVersions } from '../../db/schema/index.ts';

export type SiteRow = typeof bannerSites.$inferSelect;
export type SiteVersionRow = typeof bannerSiteVersions.$inferSelect;
export type ScriptRow = typeof bannerScripts.$inferSelect;
export type ReceiptRow = typeof bannerReceipts.$inferSelect;

export const createBannerRepo = () => ({
  insertSite: async (q: Queryable, row: SiteRow) => {
    await q.insert(bannerSites).values(row);
  },
  insertVersion: async (q: Queryable, row: SiteVersionRow) => {
    await q.insert(bannerSiteVersions).values(row);
  },
  updateSite: async (q: Queryable, tenantId: string, id: string, set: Partial<SiteRow>) => {
    await q
      .update(bannerSites)
      .set(set)
      .where(and(eq(bannerSites.tenantId, tenantId), eq(bannerSites.id, id)));
  },
  site: async (q: Queryable, tenantId: string, id: string) =>
    (
      await q
        .select()
        .from(bannerSites)
        .where(and(eq(bannerSites.tenantId, tenantId), eq(bannerSites.id, id), isNull(bannerSites.deletedAt)))
    )[0],
  sites: (q: Queryable, tenantId: string) =>
    q
      .select()
      .from(bannerSites)
      .where(and(eq(bannerSites.tenantId, tenantId), isNull(bannerSites.deletedAt)))
      .orderBy(bannerSites.id),
  version: async (q: Queryable, tenantId: string, siteId: string, version: number) =>
    (
      await q
        .select()
        .from(bannerSiteVersions)
        .where(
          and(
            eq(bannerSiteVersions.tenantId, tenantId),
            eq(bannerSiteVersions.siteId, siteId),
            eq(bannerSiteVersions.version, version),
          ),
        )
    )[0],
  /** The newest version whose service list had this hash: the one a banner showing that list was built from. */
  versionByServicesHash: async (q: Queryable, tenantId: string, siteId: string, hash: string) =>
    (
      await q
        .select()
        .from(bannerSiteVersions)
        .where(
          and(
            eq(bannerSiteVersions.tenantId, tenantId),
            eq(bannerSiteVersions.siteId, siteId),
            eq(bannerSiteVersions.servicesHash, hash),
          ),
        )
        .orderBy(desc(bannerSiteVersions.version))
        .limit(1)
    )[0],

  /** Owner connection: the tenant of a live site, from its id alone (public routes know nothing else). */
  locate: async (q: Queryable, siteId: string) =>
    (
      await q
        .select({
          tenantId: bannerSites.tenantId,
          currentVersion: bannerSites.currentVersion,
          allowedOrigins: bannerSites.allowedOrigins,
          publishableKeyId: bannerSites.publishableKeyId,
        })
        .from(bannerSites)
        .where(and(eq(bannerSites.id, siteId), isNull(bannerSites.deletedAt)))
    )[0],
  /** Owner connection: is this origin allowed by any live site? (A preflight carries no site id.) */
  originKnown: async (q: Queryable, origin: string) =>
    (
      await q
        .select({ one: sql<number>`1` })
        .from(bannerSites)
        .where(and(arrayContains(bannerSites.allowedOrigins, [origin]), isNull(bannerSites.deletedAt)))
        .limit(1)
    ).length > 0,

  insertScript: async (q: Queryable, row: ScriptRow) => {
    await q.insert(bannerScripts).values(row).onConflictDoNothing();
  },
  script: async (q: Queryable, tenantId: string, digest: string) =>
    (
      await q
        .select()
        .from(bannerScripts)
        .where(and(eq(bannerScripts.tenantId, tenantId), eq(bannerScripts.digest, digest)))
    )[0],
  latestScript: async (q: Queryable, tenantId: string, siteId: string, siteVersion: number, noticeVersionId: string) =>
    (
      await q
        .select()
        .from(bannerScripts)
        .where(
          and(
            eq(bannerScripts.tenantId, tenantId),
            eq(bannerScripts.siteId, siteId),
            eq(bannerScripts.siteVersion, siteVersion),
            eq(bannerScripts.noticeVersionId, noticeVersionId),
          ),
        )
        .orderBy(desc(bannerScripts.createdAt))
        .limit(1)
    )[0],

  receipt: async (q: Queryable, tenantId: string, key: string) =>
    (
      await q
        .select()
        .from(bannerReceipts)
        .where(and(eq(bannerReceipts.tenantId, tenantId), eq(bannerReceipts.idempotencyKey, key)))
    )[0],
  /** Returns false when the key was already there (a retry or a beacon copy that raced). */
  insertReceipt: async (q: Queryable, row: ReceiptRow) =>
    (await q.insert(bannerReceipts).values(row).onConflictDoNothing().returning({ k: bannerReceipts.idempotencyKey }))
      .length > 0,
});
export type BannerRepo = ReturnType<typeof createBannerRepo>;
