import type { Decision, DecisionReason, DecisionRequest, Identity, LawfulBasis } from '@lawful/contract';
import type { Database, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { type ConsentLookup, liveRecords } from '../lawful-basis/consent-lookup.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { DecisionFacts, DecisionsRepo } from './decisions.repo.ts';

export type Activity = 'processing' | 'storage';

/** Identifiers per SQL round trip in audience filtering: big enough to amortise, small enough for one parameter. */
export const AUDIENCE_CHUNK = 10_000;

/**
 * "May I process this subject's data for this purpose?" — computed from the tables on every call, no cache, so a
 * change made through any server is seen by every other at once (benchmarks in docs/benchmarks.md).
 */
export const createDecisionsService = (deps: {
  db: Database;
  repo: DecisionsRepo;
  subjects: Pick<SubjectsService, 'find'>;
  vault: Pick<Vault, 'blindIndex'>;
  consent: ConsentLookup;
  clock: Clock;
}) => {
  const { db, repo, subjects, vault, consent, clock } = deps;

  const verdict = (
    f: DecisionFacts,
    purposeKey: string,
    at: Date,
    reason: DecisionReason,
    allowed = false,
  ): Decision => ({
    allowed,
    subjectId: f.subject_id,
    purpose: purposeKey,
    purposeVersion: f.version,
    basis: f.basis,
    reason,
    evidence: f.evidence,
    asOf: at.toISOString(),
  });

  /** The rules, in order of precedence; the first that applies decides. */
  const judge = async (q: Tx, tenantId: string, f: DecisionFacts, purposeKey: string, activity: Activity, at: Date) => {
    const no = (reason: DecisionReason) => verdict(f, purposeKey, at, reason);
    if (f.erased) return no('subject_erased');
    // Check 50: restricted data may be stored and nothing else (Art. 18(2)).
    if (f.restricted)
      return activity === 'storage' ? verdict(f, purposeKey, at, 'restricted_storage_only', true) : no('restricted');
    // Check 15: objection to direct marketing is absolute, and the suppression list outlives the subject's data.
    if (f.definition.directMarketing && (f.dm_objected || f.suppressed)) return no('objected_direct_marketing');
    // Check 16: an objection to (e)/(f) halts processing until resolved; upheld, it stops it for good.
    if (f.objection_upheld) return no('objection_upheld');
    if (f.objection_pending) return no('objection_pending');
    if (!f.basis) return no('no_basis');
    if (!f.definition.allowedBases.includes(f.basis)) return no('basis_not_allowed_by_purpose');
    if (f.basis === 'consent') {
      const id = f.evidence?.consentRecordId;
      if (!id || !(await consent.isLive(q, tenantId, f.subject_id!, purposeKey, id))) return no('consent_not_live');
    }
    return verdict(f, purposeKey, at, 'basis_in_force', true);
  };

  const unknownSubject = async (q: Tx, tenantId: string, purposeKey: string, at: Date): Promise<Decision> => {
    const f = await repo.facts(db.rawOf(q), tenantId, '', purposeKey);
    if (!f) throw new AppError('NOT_FOUND', `no purpose "${purposeKey}"`, { field: 'purpose' });
    return { ...verdict(f, purposeKey, at, 'unknown_subject'), basis: null, evidence: null };
  };

  /** The decision for a known subject id, in the caller's transaction. NOT_FOUND names `subject` or `purpose`. */
  const decideIn = async (
    q: Tx,
    tenantId: string,
    subjectId: string,
    purposeKey: string,
    activity: Activity = 'processing',
  ) => {
    const at = clock.now();
    const f = await repo.facts(db.rawOf(q), tenantId, subjectId, purposeKey);
    if (!f) throw new AppError('NOT_FOUND', `no purpose "${purposeKey}"`, { field: 'purpose' });
    if (!f.subject_id) throw new AppError('NOT_FOUND', 'subject not found', { field: 'subject' });
    return judge(q, tenantId, f, purposeKey, activity, at);
  };

  const decideRefIn = async (q: Tx, tenantId: string, r: DecisionRequest): Promise<Decision> => {
    if (r.subject.subjectId) return decideIn(q, tenantId, r.subject.subjectId, r.purpose, r.activity);
    const subjectId = await subjects.find(q, tenantId, r.subject.identity!);
    if (!subjectId) return unknownSubject(q, tenantId, r.purpose, clock.now());
    return decideIn(q, tenantId, subjectId, r.purpose, r.activity);
  };

  /**
   * Of each chunk of identities, the ones the purpose may be used for now. Hashes them to blind indexes and joins in
   * SQL, `AUDIENCE_CHUNK` at a time, each chunk in its own short transaction.
   */
  async function* filterAudience(
    tenantId: string,
    purposeKey: string,
    chunks: AsyncIterable<Identity[]>,
  ): AsyncGenerator<Identity[]> {
    const purpose = await db.tenant(tenantId, (tx) => repo.facts(db.rawOf(tx), tenantId, '', purposeKey));
    if (!purpose) throw new AppError('NOT_FOUND', `no purpose "${purposeKey}"`, { field: 'purpose' });
    const allowed: LawfulBasis[] = purpose.definition.allowedBases;
    const source = chunks[Symbol.asyncIterator]();
    const allowedIn = (chunk: Identity[]) =>
      db.tenant(tenantId, async (tx) => {
        const kinds: string[] = [];
        const idx: string[] = [];
        for (const i of chunk) {
          kinds.push(i.kind);
          idx.push(await vault.blindIndex(tx, tenantId, i.kind, i.value));
        }
        const rows = await repo.audience(
          db.rawOf(tx),
          tenantId,
          purposeKey,
          kinds,
          idx,
          allowed,
          purpose.definition.directMarketing,
        );
        const byConsent = rows.filter((r) => r.basis === 'consent');
        const live = await liveRecords(
          consent,
          tx,
          tenantId,
          purposeKey,
          byConsent
            .filter((r) => r.consent_id)
            .map((r) => ({ subjectId: r.subject_id, consentRecordId: r.consent_id! })),
        );
        return rows
          .filter((r) => r.basis !== 'consent' || (r.consent_id !== null && live.has(r.consent_id)))
          .map((r) => r.ord)
          .sort((a, b) => a - b)
          .map((ord) => chunk[ord - 1]!);
      });
    // PostgreSQL answers two chunks at once on two connections; PGlite has one connection.
    const depth = db.kind === 'postgres' ? 2 : 1;
    const inflight: Promise<Identity[]>[] = [];
    // Parse the next chunk while earlier ones are in the database: the two run on different processes.
    let ahead = source.next();
    for (;;) {
      let got: IteratorResult<Identity[]>;
      try {
        got = await ahead;
      } catch (e) {
        // A bad line further on: answer everything before it first, then fail.
        while (inflight.length > 0) yield await inflight.shift()!;
        throw e;
      }
      if (got.done) break;
      ahead = source.next();
      ahead.catch(() => {}); // awaited on the next turn; do not let it count as unhandled meanwhile
      if (got.value.length === 0) continue;
      const p = allowedIn(got.value);
      p.catch(() => {}); // likewise: awaited in order below
      inflight.push(p);
      if (inflight.length >= depth) yield await inflight.shift()!;
    }
    while (inflight.length > 0) yield await inflight.shift()!;
  }

  return {
    decideIn,
    decideRefIn,
    decide: (tenantId: string, subjectId: string, purposeKey: string, activity: Activity = 'processing') =>
      db.tenant(tenantId, (tx) => decideIn(tx, tenantId, subjectId, purposeKey, activity)),
    decideRef: (tenantId: string, r: DecisionRequest) => db.tenant(tenantId, (tx) => decideRefIn(tx, tenantId, r)),
    /** Each item decided independently; an unknown purpose or subject id fails the whole call (it is a caller bug). */
    decideMany: (tenantId: string, items: DecisionRequest[]) =>
      db.tenant(tenantId, async (tx) => {
        const out: Decision[] = [];
        for (const [i, r] of items.entries()) {
          try {
            out.push(await decideRefIn(tx, tenantId, r));
          } catch (e) {
            if (e instanceof AppError && e.status < 500)
              throw new AppError(e.code, e.message, { field: `items.${i}.${e.field ?? ''}` });
            throw e;
          }
        }
        return out;
      }),
    filterAudience,
  };
};
export type DecisionsService = ReturnType<typeof createDecisionsService>;
