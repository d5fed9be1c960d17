import type { Database, Queryable } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';

/**
 * Seals pending audit entries into each tenant's hash chain shortly after they commit.
 *
 * Writers only INSERT into `audit_pending` (no lock); this process remembers which tenants it wrote for and seals
 * them a few milliseconds later, many entries per transaction. An entry whose transaction has not committed yet is
 * invisible to the sealer, so a tenant stays on the list for `graceMs` after its last append. A sweep over
 * `audit_pending` every `sweepMs` picks up what other processes (or a crashed one) left behind. Reading, verifying or
 * checkpointing the log seals first (audit.service.ts), so nobody ever reads a chain with a gap at its end.
 */
export const createAuditSealer = (deps: {
  db: Database;
  logger: Logger;
  seal: (tx: Queryable, tenantId: string) => Promise<number>;
  delayMs?: number;
  graceMs?: number;
  sweepMs?: number;
}) => {
  const { db, logger, seal } = deps;
  const delayMs = deps.delayMs ?? 20;
  const graceMs = deps.graceMs ?? 2_000;
  const sweepMs = deps.sweepMs ?? 5_000;
  /** tenant → when it was last written for. */
  const dirty = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let failures = 0;
  let stopped = false;

  const schedule = (ms: number) => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void runOnce();
    }, ms);
    timer.unref();
  };

  /** Polls back off while a tenant's writes have not committed yet: 20, 40, 80 … 640 ms. */
  let idleRounds = 0;

  const sealTenants = async () => {
    // One query (as the owner, across tenants) says which remembered tenants have anything committed to seal.
    const { rows } = await db.raw.query<{ tenant_id: string }>(
      'select distinct tenant_id from audit_pending where tenant_id = any($1::text[])',
      [[...dirty.keys()]],
    );
    const waiting = new Set(rows.map((r) => r.tenant_id));
    for (const tenantId of waiting) await db.tenant(tenantId, (tx) => seal(tx, tenantId));
    const now = Date.now();
    // Nothing left and no recent write that might still commit: forget the tenant until its next append.
    for (const [tenantId, markedAt] of [...dirty]) {
      if (!waiting.has(tenantId) && now - markedAt > graceMs) dirty.delete(tenantId);
    }
    idleRounds = waiting.size > 0 ? 0 : idleRounds + 1;
  };

  const runOnce = (): Promise<void> => {
    if (running) return running;
    running = sealTenants()
      .then(() => {
        failures = 0;
      })
      .catch((e: unknown) => {
        failures++;
        // Ids and codes only: the error is a database error, never an entry's content.
        logger.warn({ err: (e as { code?: string }).code ?? String(e), failures }, 'audit sealing failed; retrying');
      })
      .finally(() => {
        running = null;
        if (dirty.size > 0)
          schedule(failures > 0 ? Math.min(5_000, 100 * 2 ** failures) : delayMs * 2 ** Math.min(idleRounds, 5));
      });
    return running;
  };

  /** Marks every tenant that has pending entries, whoever wrote them. */
  const sweep = async () => {
    // As the owner (no tenant set): the table is small, entries leave it within milliseconds of their commit.
    const { rows } = await db.raw.query<{ tenant_id: string }>('select distinct tenant_id from audit_pending');
    for (const { tenant_id } of rows) if (!dirty.has(tenant_id)) dirty.set(tenant_id, 0);
  };

  return {
    /** Called after every append (before its transaction commits). */
    mark(tenantId: string) {
      dirty.set(tenantId, Date.now());
      // A poll backed off for an earlier write must not delay this one.
      if (idleRounds > 0 && timer) {
        clearTimeout(timer);
        timer = null;
      }
      idleRounds = 0;
      schedule(delayMs);
    },
    start() {
      stopped = false;
      sweeper = setInterval(() => {
        sweep()
          .then(() => dirty.size > 0 && schedule(0))
          .catch(() => {});
      }, sweepMs);
      sweeper.unref();
    },
    /** Seals everything committed so far, for every tenant (tests; shutdown; a CLI command before it exits). */
    async flush() {
      await running;
      await sweep();
      await runOnce();
    },
    /** Stops the timers after a last flush (best effort: what is left is picked up by the next process's sweep). */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (sweeper) clearInterval(sweeper);
      timer = null;
      sweeper = null;
      await running;
      await sweep().catch(() => {});
      await runOnce();
    },
  };
};
export type AuditSealer = ReturnType<typeof createAuditSealer>;
