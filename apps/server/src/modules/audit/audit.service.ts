import type { AuditEntry, AuditVerification } from '@lawful/contract';
import type { Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { createChainVerifier, entryHash } from '../../lib/hash-chain.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditRepo, AuditRow } from './audit.repo.ts';
import { checkpointMessage, type Signer, verifyCheckpoint } from './audit.signer.ts';

/** What happened, by whom, to which pseudonymous subject. Never personal data: ids and codes only. */
export type AuditEvent = {
  actor: string;
  action: string;
  target?: string | null;
  subjectId?: string | null;
  requestId?: string | null;
  details?: Record<string, string | number | boolean | null | string[]>;
};

const BATCH = 5000;
const SEAL_BATCH = 1000;

export const createAuditLog = (deps: {
  repo: AuditRepo;
  clock: Clock;
  signer: Signer;
  /** Told after every append, so a sealer knows which tenants have entries waiting. */
  onAppend?: (tenantId: string) => void;
}) => {
  const { repo, clock, signer } = deps;

  /**
   * Records an entry inside the caller's transaction, so it commits (or rolls back) with the change. It is one INSERT
   * and takes no lock: concurrent writers of a tenant do not queue on the chain head. `seal` links it into the chain.
   */
  const append = async (tx: Queryable, tenantId: string, e: AuditEvent) => {
    const at = clock.now();
    const id = newId('audit', at.getTime());
    await repo.insertPending(tx, {
      tenantId,
      id,
      at,
      actor: e.actor,
      action: e.action,
      target: e.target ?? null,
      subjectId: e.subjectId ?? null,
      requestId: e.requestId ?? null,
      details: e.details ?? {},
    });
    deps.onAppend?.(tenantId);
    return { id };
  };

  /**
   * Links the tenant's committed pending entries into its hash chain, oldest first, under the head's row lock (one
   * sealer per tenant at a time). Returns how many were sealed. Cheap when there is nothing to seal: no lock taken.
   */
  const seal = async (tx: Queryable, tenantId: string): Promise<number> => {
    let sealed = 0;
    if ((await repo.pending(tx, tenantId, 1)).length === 0) return 0;
    let head = await repo.lockHead(tx, tenantId);
    for (;;) {
      // Read after taking the lock: another sealer may have moved some of them already.
      const batch = await repo.pending(tx, tenantId, SEAL_BATCH);
      if (batch.length === 0) return sealed;
      const rows: AuditRow[] = [];
      for (const p of batch) {
        const content = {
          tenantId,
          seq: head.seq + 1,
          id: p.id,
          at: p.at.toISOString(),
          actor: p.actor,
          action: p.action,
          target: p.target,
          subjectId: p.subjectId,
          requestId: p.requestId,
          details: p.details,
        };
        const hash = entryHash(head.hash, content);
        rows.push({ ...content, at: p.at, prevHash: head.hash, hash });
        head = { ...head, seq: content.seq, hash };
      }
      await repo.seal(tx, tenantId, rows);
      sealed += rows.length;
      if (batch.length < SEAL_BATCH) return sealed;
    }
  };

  const toChain = (r: AuditRow) => ({ ...r, at: r.at.toISOString() });

  /** Walks the whole chain and every checkpoint; names the first entry that was edited, removed or moved. */
  const verify = async (q: Queryable, tenantId: string): Promise<AuditVerification> => {
    await seal(q, tenantId);
    const checkpoints = await repo.checkpoints(q, tenantId);
    const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
    // Checkpoints signed by the install a tenant was imported from: their keys are recorded in the chain itself by
    // the `tenant.import` entry (hash-linked, and anchored by this install's checkpoint taken at import).
    const keys = new Map([[signer.keyId, signer.publicKeyPem]]);
    for (const e of await repo.list(q, tenantId, { action: 'tenant.import', limit: 1000 })) {
      const ids = e.details.checkpointKeyIds;
      const pems = e.details.checkpointKeyPems;
      if (!Array.isArray(ids) || !Array.isArray(pems)) continue;
      for (const [i, id] of ids.entries()) if (typeof pems[i] === 'string') keys.set(String(id), pems[i]);
    }
    const verifier = createChainVerifier();
    let after = 0;
    for (;;) {
      const batch = await repo.batchAfter(q, tenantId, after, BATCH);
      if (batch.length === 0) break;
      for (const row of batch) {
        const fault = verifier.push([toChain(row)]);
        if (fault)
          return { ok: false, entries: verifier.count, checkpoints: checkpoints.length, firstBad: fault, head: null };
        const cp = bySeq.get(row.seq);
        if (
          cp &&
          (cp.hash !== row.hash ||
            !keys.has(cp.keyId) ||
            !verifyCheckpoint(keys.get(cp.keyId)!, { ...cp, at: cp.at.toISOString() }))
        ) {
          return {
            ok: false,
            entries: verifier.count,
            checkpoints: checkpoints.length,
            firstBad: { seq: row.seq, reason: 'bad_checkpoint' },
            head: null,
          };
        }
      }
      after = batch.at(-1)!.seq;
      if (batch.length < BATCH) break;
    }
    // The head row records where the chain must end: entries cut off the end count as missing.
    const head = await repo.head(q, tenantId);
    if (head && head.seq > verifier.head.seq) {
      return {
        ok: false,
        entries: verifier.count,
        checkpoints: checkpoints.length,
        firstBad: { seq: verifier.head.seq + 1, reason: 'missing' },
        head: null,
      };
    }
    const lastCp = checkpoints.at(-1);
    if (lastCp && lastCp.seq > verifier.head.seq) {
      return {
        ok: false,
        entries: verifier.count,
        checkpoints: checkpoints.length,
        firstBad: { seq: verifier.head.seq + 1, reason: 'missing' },
        head: null,
      };
    }
    return {
      ok: true,
      entries: verifier.count,
      checkpoints: checkpoints.length,
      firstBad: null,
      head: verifier.head.hash,
    };
  };

  /** Signs the current head. Run periodically by a job, and on demand. */
  const checkpoint = async (q: Queryable, tenantId: string) => {
    await seal(q, tenantId);
    const head = await repo.head(q, tenantId);
    if (!head || head.seq === 0) return null;
    const at = clock.now();
    const c = { tenantId, seq: head.seq, hash: head.hash, at: at.toISOString() };
    const signature = signer.sign(checkpointMessage(c));
    await repo.insertCheckpoint(q, { ...c, at, keyId: signer.keyId, signature });
    return { ...c, keyId: signer.keyId, signature };
  };

  const list = async (
    q: Queryable,
    tenantId: string,
    f: { action?: string; subjectId?: string; beforeSeq?: number; limit: number },
  ): Promise<AuditEntry[]> => {
    await seal(q, tenantId);
    return (await repo.list(q, tenantId, f)).map((r) => ({
      seq: r.seq,
      id: r.id,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      subjectId: r.subjectId,
      requestId: r.requestId,
      details: r.details,
      hash: r.hash,
    }));
  };

  return {
    append,
    seal,
    verify,
    checkpoint,
    list,
    publicKey: () => ({ keyId: signer.keyId, pem: signer.publicKeyPem }),
  };
};
export type AuditLog = ReturnType<typeof createAuditLog>;
