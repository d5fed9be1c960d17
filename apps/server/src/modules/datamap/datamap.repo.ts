import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import {
  dataMapConnections,
  dataMapVersions,
  erasureLog,
  exportPackages,
  rectifications,
} from '../../db/schema/index.ts';

export type DataMapVersionRow = typeof dataMapVersions.$inferSelect;
export type ConnectionRow = typeof dataMapConnections.$inferSelect;
export type ExportRow = typeof exportPackages.$inferSelect;
export type ErasureLogRow = typeof erasureLog.$inferSelect;

/** SQL for the data map's own tables: versions, sealed connections, export packages, rectifications, erasure log. */
export const createDataMapRepo = () => ({
  latest: async (q: Queryable, tenantId: string) => {
    const [row] = await q
      .select()
      .from(dataMapVersions)
      .where(eq(dataMapVersions.tenantId, tenantId))
      .orderBy(desc(dataMapVersions.version))
      .limit(1);
    return row;
  },
  version: async (q: Queryable, tenantId: string, version: number) => {
    const [row] = await q
      .select()
      .from(dataMapVersions)
      .where(and(eq(dataMapVersions.tenantId, tenantId), eq(dataMapVersions.version, version)));
    return row;
  },
  versions: (q: Queryable, tenantId: string) =>
    q
      .select({
        version: dataMapVersions.version,
        id: dataMapVersions.id,
        sha256: dataMapVersions.sha256,
        createdBy: dataMapVersions.createdBy,
        createdAt: dataMapVersions.createdAt,
      })
      .from(dataMapVersions)
      .where(eq(dataMapVersions.tenantId, tenantId))
      .orderBy(asc(dataMapVersions.version)),
  insertVersion: async (q: Queryable, row: DataMapVersionRow) => {
    await q.insert(dataMapVersions).values(row);
  },
  connection: async (q: Queryable, tenantId: string, name: string) => {
    const [row] = await q
      .select()
      .from(dataMapConnections)
      .where(and(eq(dataMapConnections.tenantId, tenantId), eq(dataMapConnections.name, name)));
    return row;
  },
  connections: (q: Queryable, tenantId: string) =>
    q
      .select()
      .from(dataMapConnections)
      .where(eq(dataMapConnections.tenantId, tenantId))
      .orderBy(asc(dataMapConnections.name)),
  upsertConnection: async (q: Queryable, row: ConnectionRow) => {
    await q
      .insert(dataMapConnections)
      .values(row)
      .onConflictDoUpdate({
        target: [dataMapConnections.tenantId, dataMapConnections.name],
        set: {
          engine: row.engine,
          urlSealed: row.urlSealed,
          schema: row.schema,
          maxConnections: row.maxConnections,
          updatedAt: row.updatedAt,
        },
      });
  },
  exportFor: async (q: Queryable, tenantId: string, requestId: string, kind: 'access' | 'portability') => {
    const [row] = await q
      .select()
      .from(exportPackages)
      .where(
        and(
          eq(exportPackages.tenantId, tenantId),
          eq(exportPackages.requestId, requestId),
          eq(exportPackages.kind, kind),
        ),
      );
    return row;
  },
  exportById: async (q: Queryable, tenantId: string, id: string) => {
    const [row] = await q
      .select()
      .from(exportPackages)
      .where(and(eq(exportPackages.tenantId, tenantId), eq(exportPackages.id, id)));
    return row;
  },
  exportsOfRequest: (q: Queryable, tenantId: string, requestId: string) =>
    q
      .select()
      .from(exportPackages)
      .where(and(eq(exportPackages.tenantId, tenantId), eq(exportPackages.requestId, requestId)))
      .orderBy(asc(exportPackages.createdAt)),
  exportsOfSubject: (q: Queryable, tenantId: string, subjectId: string) =>
    q
      .select()
      .from(exportPackages)
      .where(and(eq(exportPackages.tenantId, tenantId), eq(exportPackages.subjectId, subjectId))),
  /** Claims the package slot for a request; returns false when it already exists. */
  claimExport: async (q: Queryable, row: typeof exportPackages.$inferInsert) => {
    const rows = await q
      .insert(exportPackages)
      .values(row)
      .onConflictDoNothing({ target: [exportPackages.tenantId, exportPackages.requestId, exportPackages.kind] })
      .returning({ id: exportPackages.id });
    return rows.length > 0;
  },
  updateExport: async (q: Queryable, tenantId: string, id: string, set: Partial<ExportRow>) => {
    await q
      .update(exportPackages)
      .set(set)
      .where(and(eq(exportPackages.tenantId, tenantId), eq(exportPackages.id, id)));
  },
  /** The token decides the tenant: the download link carries no API key. Runs as the owner. */
  exportByToken: async (db: Db, tokenHash: string) => {
    const [row] = await db.select().from(exportPackages).where(eq(exportPackages.tokenHash, tokenHash));
    return row;
  },
  expiredExports: (db: Db, now: Date) =>
    db
      .select()
      .from(exportPackages)
      .where(and(inArray(exportPackages.state, ['ready', 'failed', 'building']), lt(exportPackages.expiresAt, now))),
  insertRectification: async (q: Queryable, row: typeof rectifications.$inferInsert) => {
    await q.insert(rectifications).values(row);
  },
  rectificationsOf: (q: Queryable, tenantId: string, requestId: string) =>
    q
      .select()
      .from(rectifications)
      .where(and(eq(rectifications.tenantId, tenantId), eq(rectifications.requestId, requestId))),
  logErasure: async (q: Queryable, row: ErasureLogRow) => {
    await q
      .insert(erasureLog)
      .values(row)
      .onConflictDoNothing({ target: [erasureLog.tenantId, erasureLog.subjectId] });
  },
  erasureLog: (db: Db) => db.select().from(erasureLog).orderBy(asc(erasureLog.erasedAt)),
});
export type DataMapRepo = ReturnType<typeof createDataMapRepo>;
