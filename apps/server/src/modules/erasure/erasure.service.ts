import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Database, Db, Queryable, Tx } from '../../db/client.ts';
import { erasureLog, subjectIdentifiers, subjectKeys, subjects } from '../../db/schema/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { ObjectionsRepo } from '../objections/objections.repo.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';

/** One line of the erasure log: pseudonymous ids only, never who the person was. */
export type ErasureLogEntry = { tenantId: string; subjectId: string; requestId: string | null; erasedAt: string };
/** A whole tenant deleted (offboarding, check 53): a restore deletes it again, whatever the backup holds. */
export type TenantDeletionEntry = { kind: 'tenant'; tenantId: string; erasedAt: string };
export type LogLine = ErasureLogEntry | TenantDeletionEntry;
export const isTenantDeletion = (e: LogLine): e is TenantDeletionEntry => 'kind' in e && e.kind === 'tenant';

export type LawfulErasure = {
  /** false when the key was already gone (a repeated run): the end state is the same. */
  keyDestroyed: boolean;
  identifiersRemoved: number;
  suppressed: number;
  exportsPurged: number;
};

/** Appends to and reads the erasure log file kept beside (not inside) the database, so backups cannot roll it back. */
export const erasureLogFile = (path: string) => ({
  append(e: ErasureLogEntry) {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${JSON.stringify(e)}\n`, { mode: 0o600 });
  },
  read(): LogLine[] {
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as LogLine);
  },
  /**
   * The tenant's own lines give way to one line saying the tenant is gone: its subjects' ids need not outlive it,
   * and replaying the deletion removes them anyway. Written to a new file and renamed, so a crash leaves either
   * the old log or the new one.
   */
  recordTenantDeletion(tenantId: string, at: Date) {
    const kept = this.read().filter((e) => e.tenantId !== tenantId);
    const next: LogLine[] = [...kept, { kind: 'tenant', tenantId, erasedAt: at.toISOString() }];
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, next.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    renameSync(tmp, path);
  },
});

/**
 * Makes a subject's erasure true again in this database: destroys the key, removes the (sealed) identifiers, marks
 * the subject erased, and records the entry. Runs as the owner; idempotent. `lawful restore` calls it for every
 * logged erasure before the restored database serves anyone (check 48).
 */
export const replayErasure = async (q: Db | Tx, e: ErasureLogEntry) => {
  const at = new Date(e.erasedAt);
  const shredded = await q
    .update(subjectKeys)
    .set({ wrapped: null, destroyedAt: at })
    .where(
      and(eq(subjectKeys.tenantId, e.tenantId), eq(subjectKeys.subjectId, e.subjectId), isNotNull(subjectKeys.wrapped)),
    )
    .returning({ s: subjectKeys.subjectId });
  const removed = await q
    .delete(subjectIdentifiers)
    .where(and(eq(subjectIdentifiers.tenantId, e.tenantId), eq(subjectIdentifiers.subjectId, e.subjectId)))
    .returning({ id: subjectIdentifiers.id });
  await q
    .update(subjects)
    .set({ erasedAt: at })
    .where(and(eq(subjects.tenantId, e.tenantId), eq(subjects.id, e.subjectId), isNull(subjects.erasedAt)));
  await q
    .insert(erasureLog)
    .values({
      tenantId: e.tenantId,
      subjectId: e.subjectId,
      requestId: e.requestId,
      keyDestroyed: 'yes',
      erasedAt: at,
    })
    .onConflictDoNothing({ target: [erasureLog.tenantId, erasureLog.subjectId] });
  return { keyShredded: shredded.length > 0, identifiersRemoved: removed.length };
};

/**
 * Erasure of what Lawful itself holds about a person, after their data in the connected systems is gone:
 * crypto-shredding (every sealed identifier, request identity, rectification record and export key under the
 * subject's key becomes unreadable, in every copy and backup), removal of the identifiers' blind indexes, an optional
 * suppression entry (a keyed hash, reused from objections) so the person is not contacted again, and the log entry.
 * Kept: the pseudonymous request, audit and consent-proof records (Art. 17(3)(b) and (e), Art. 7(1)).
 */
export const createErasureService = (deps: {
  db: Database;
  vault: Pick<Vault, 'shred'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  objections: Pick<ObjectionsRepo, 'suppressSubject'>;
  webhooks: Pick<WebhooksService, 'emit'>;
  exports?: { purgeSubject(q: Queryable, tenantId: string, subjectId: string): Promise<number> };
  logFile: ReturnType<typeof erasureLogFile>;
}) => {
  const { db, vault, audit, clock } = deps;
  return {
    eraseLawfulData: async (
      tenantId: string,
      subjectId: string,
      opts: { requestId: string | null; suppress?: boolean; actor?: string },
    ): Promise<LawfulErasure> => {
      return db.tenant(tenantId, async (tx) => {
        const at = clock.now();
        // The suppression list keeps the identifiers' keyed hashes, so it is written before they are removed.
        const suppressed = opts.suppress
          ? await deps.objections.suppressSubject(tx, tenantId, subjectId, at, () => newId('suppression', at.getTime()))
          : 0;
        const keyDestroyed = await vault.shred(tx, tenantId, subjectId);
        const removed = await tx
          .delete(subjectIdentifiers)
          .where(and(eq(subjectIdentifiers.tenantId, tenantId), eq(subjectIdentifiers.subjectId, subjectId)))
          .returning({ id: subjectIdentifiers.id });
        await tx
          .update(subjects)
          .set({ erasedAt: at })
          .where(and(eq(subjects.tenantId, tenantId), eq(subjects.id, subjectId), isNull(subjects.erasedAt)));
        const exportsPurged = (await deps.exports?.purgeSubject(tx, tenantId, subjectId)) ?? 0;
        const logged = await tx
          .insert(erasureLog)
          .values({
            tenantId,
            subjectId,
            requestId: opts.requestId,
            keyDestroyed: keyDestroyed ? 'yes' : 'no_key',
            erasedAt: at,
          })
          .onConflictDoNothing({ target: [erasureLog.tenantId, erasureLog.subjectId] })
          .returning({ at: erasureLog.erasedAt });
        const entry =
          logged.length > 0 ? { tenantId, subjectId, requestId: opts.requestId, erasedAt: at.toISOString() } : null;
        // The file copy outlives any restore of the database, so it is written ahead of the commit: a process killed
        // between the commit and the write cannot leave it one erasure short. If the transaction then fails, the line
        // stands for an erasure its job's retry completes; replaying a line twice, or one the database lacks, is harmless.
        if (entry) deps.logFile.append(entry);
        if (logged.length > 0) {
          await audit.append(tx, tenantId, {
            actor: opts.actor ?? 'lawful',
            action: 'subject.erase',
            target: subjectId,
            subjectId,
            details: {
              requestId: opts.requestId,
              keyDestroyed,
              identifiersRemoved: removed.length,
              suppressed,
              exportsPurged,
            },
          });
          await deps.webhooks.emit(tx, tenantId, {
            type: 'subject.erased',
            data: { subjectId, requestId: opts.requestId, at: at.toISOString() },
          });
        }
        return { keyDestroyed, identifiersRemoved: removed.length, suppressed, exportsPurged };
      });
    },
    /** Every logged erasure in this database (owner access: it spans tenants). */
    log: async (): Promise<ErasureLogEntry[]> =>
      (await db.system.select().from(erasureLog)).map((r) => ({
        tenantId: r.tenantId,
        subjectId: r.subjectId,
        requestId: r.requestId,
        erasedAt: r.erasedAt.toISOString(),
      })),
  };
};
export type ErasureService = ReturnType<typeof createErasureService>;
