import { and, asc, desc, eq, gt, inArray, lt, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { auditCheckpoints, auditEntries, auditHeads, auditPending } from '../../db/schema/index.ts';
import { GENESIS } from '../../lib/hash-chain.ts';

export type AuditRow = typeof auditEntries.$inferSelect;
export type PendingRow = typeof auditPending.$inferInsert;

export const createAuditRepo = () => ({
  /** Locks the tenant's chain head for the rest of the transaction. */
  async lockHead(q: Queryable, tenantId: string) {
    await q.insert(auditHeads).values({ tenantId, seq: 0, hash: GENESIS }).onConflictDoNothing();
    const [head] = await q.select().from(auditHeads).where(eq(auditHeads.tenantId, tenantId)).for('update');
    return head!;
  },
  /** One statement, no lock: the entry waits in `audit_pending` until it is sealed into the chain. */
  async insertPending(q: Queryable, row: PendingRow) {
    await q.insert(auditPending).values(row);
  },
  /** The oldest pending entries of a tenant, in the order they were written. */
  pending(q: Queryable, tenantId: string, limit: number) {
    return q
      .select()
      .from(auditPending)
      .where(eq(auditPending.tenantId, tenantId))
      .orderBy(asc(auditPending.n))
      .limit(limit);
  },
  /** Links entries into the chain: inserts them, removes them from pending, moves the head. */
  async seal(q: Queryable, tenantId: string, rows: AuditRow[]) {
    const last = rows.at(-1);
    if (!last) return;
    await q.insert(auditEntries).values(rows);
    await q.delete(auditPending).where(
      and(
        eq(auditPending.tenantId, tenantId),
        inArray(
          auditPending.id,
          rows.map((r) => r.id),
        ),
      ),
    );
    await q.update(auditHeads).set({ seq: last.seq, hash: last.hash }).where(eq(auditHeads.tenantId, tenantId));
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
