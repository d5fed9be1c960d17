import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { auditCheckpoints, auditEntries, auditHeads } from '../../db/schema/index.ts';
import { GENESIS } from '../../lib/hash-chain.ts';

export type AuditRow = typeof auditEntries.$inferSelect;

export const createAuditRepo = () => ({
  /** Locks the tenant's chain head for the rest of the transaction. */
  async lockHead(q: Queryable, tenantId: string) {
    await q.insert(auditHeads).values({ tenantId, seq: 0, hash: GENESIS }).onConflictDoNothing();
    const [head] = await q.select().from(auditHeads).where(eq(auditHeads.tenantId, tenantId)).for('update');
    return head!;
  },
  async insert(q: Queryable, row: AuditRow) {
    await q.insert(auditEntries).values(row);
    await q.update(auditHeads).set({ seq: row.seq, hash: row.hash }).where(eq(auditHeads.tenantId, row.tenantId));
  },
  batchAfter(q: Queryable, tenantId: string, afterSeq: number, limit: number) {
    return q
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.tenantId, tenantId), gt(auditEntries.seq, afterSeq)))
      .orderBy(asc(auditEntries.seq))
      .limit(limit);
  },
  list(q: Queryable, tenantId: string, f: { action?: string; subjectId?: string; beforeSeq?: number; limit: number }) {
    const conds: SQL[] = [eq(auditEntries.tenantId, tenantId)];
    if (f.action) conds.push(eq(auditEntries.action, f.action));
    if (f.subjectId) conds.push(eq(auditEntries.subjectId, f.subjectId));
    if (f.beforeSeq !== undefined) conds.push(lt(auditEntries.seq, f.beforeSeq));
    return q
      .select()
      .from(auditEntries)
      .where(and(...conds))
      .orderBy(desc(auditEntries.seq))
      .limit(f.limit);
  },
  async head(q: Queryable, tenantId: string) {
    const [h] = await q.select().from(auditHeads).where(eq(auditHeads.tenantId, tenantId));
    return h ?? null;
  },
  checkpoints(q: Queryable, tenantId: string) {
    return q
      .select()
      .from(auditCheckpoints)
      .where(eq(auditCheckpoints.tenantId, tenantId))
      .orderBy(asc(auditCheckpoints.seq));
  },
  async insertCheckpoint(q: Queryable, row: typeof auditCheckpoints.$inferInsert) {
    await q.insert(auditCheckpoints).values(row).onConflictDoNothing();
  },
});
export type AuditRepo = ReturnType<typeof createAuditRepo>;
