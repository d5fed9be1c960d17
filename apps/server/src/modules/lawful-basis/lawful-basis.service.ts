import type { BasisEvidence, BasisRecord, LawfulBasis, SetBasis } from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { PurposeRow } from '../purposes/purposes.repo.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { ConsentLookup } from './consent-lookup.ts';
import type { BasisRow, LawfulBasisRepo } from './lawful-basis.repo.ts';

export const toBasisRecord = (r: BasisRow): BasisRecord => ({
  id: r.id,
  subjectId: r.subjectId,
  purpose: r.purposeKey,
  purposeVersion: r.purposeVersion,
  basis: r.basis,
  evidence: r.evidence,
  noticeVersionId: r.noticeVersionId,
  source: r.source,
  setBy: r.setBy,
  setAt: r.setAt.toISOString(),
});

/** Check 2: which piece of evidence each basis needs. Vital interests (d) needs none by law. */
const requiredEvidence: Partial<Record<LawfulBasis, keyof BasisEvidence>> = {
  consent: 'consentRecordId',
  contract: 'contractReference',
  legal_obligation: 'legalReference',
  public_task: 'legalReference',
  legitimate_interests: 'liaReference',
};

const rule = (field: string, message: string) => new AppError('RULE_VIOLATION', message, { field });

const sameBasis = (a: BasisRow, b: Omit<BasisRow, 'id' | 'setAt' | 'setBy' | 'source'>) =>
  a.basis === b.basis &&
  a.purposeVersion === b.purposeVersion &&
  a.noticeVersionId === b.noticeVersionId &&
  JSON.stringify(a.evidence) === JSON.stringify(b.evidence);

export type PurposeCache = Map<string, PurposeRow>;

/**
 * The one lawful basis in force per subject × purpose (check 1), with its evidence (check 2), an append-only history
 * readable as of any instant, and the rules that stop a basis being set where the law does not allow it.
 */
export const createLawfulBasisService = (deps: {
  db: Database;
  repo: LawfulBasisRepo;
  purposes: Pick<PurposesService, 'current'>;
  subjects: Pick<SubjectsService, 'resolveRef'>;
  consent: ConsentLookup;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, purposes, subjects, consent, audit, clock } = deps;

  const purposeOf = async (q: Queryable, tenantId: string, key: string, cache?: PurposeCache) => {
    const hit = cache?.get(key);
    if (hit) return hit;
    const row = await purposes.current(q, tenantId, key, 'purpose');
    cache?.set(key, row);
    return row;
  };

  /**
   * Sets the basis in the caller's transaction, or throws a 4xx naming the field before anything is written.
   * Setting the same basis with the same evidence again changes nothing and returns the record in force.
   */
  const setIn = async (
    q: Queryable,
    tenantId: string,
    input: SetBasis,
    actor: string,
    cache?: PurposeCache,
  ): Promise<BasisRecord> => {
    const purpose = await purposeOf(q, tenantId, input.purpose, cache);
    const def = purpose.definition;
    if (!def.allowedBases.includes(input.basis)) {
      throw rule(
        'basis',
        `purpose "${input.purpose}" v${purpose.version} allows ${def.allowedBases.join(', ')}; not ${input.basis}`,
      );
    }
    const evidence: BasisEvidence = { ...input.evidence };
    // The purpose carries the LIA for (f); a row may name a more specific one.
    if (input.basis === 'legitimate_interests' && !evidence.liaReference && def.liaReference) {
      evidence.liaReference = def.liaReference;
    }
    const needed: string | undefined = requiredEvidence[input.basis];
    if (needed && !evidence[needed as keyof BasisEvidence]) {
      throw rule(`evidence.${needed}`, `basis ${input.basis} needs evidence.${needed} (Art. 6(1), 13(1)(c)–(d))`);
    }
    const subjectId = (await subjects.resolveRef(q, tenantId, input.subject, { create: true }))!;
    if (
      input.basis === 'consent' &&
      !(await consent.isLive(q, tenantId, subjectId, input.purpose, evidence.consentRecordId!))
    ) {
      throw rule(
        'evidence.consentRecordId',
        'the consent record is not live for this subject and purpose (never given, withdrawn or expired)',
      );
    }
    const current = await repo.current(q, tenantId, subjectId, input.purpose);
    // Check 4: after consent is withdrawn, moving to another basis needs the subject to have been told: a new notice
    // version, or a new version of the purpose itself (EDPB 05/2020 §§120–123).
    if (current?.basis === 'consent' && input.basis !== 'consent') {
      const stillLive =
        current.evidence.consentRecordId !== undefined &&
        (await consent.isLive(q, tenantId, subjectId, input.purpose, current.evidence.consentRecordId));
      const toldAnew =
        (input.noticeVersionId !== undefined && input.noticeVersionId !== current.noticeVersionId) ||
        purpose.version > current.purposeVersion;
      if (!stillLive && !toldAnew) {
        throw rule(
          'noticeVersionId',
          'consent for this purpose was withdrawn: another basis needs a new notice version (or a new purpose version) the subject was given',
        );
      }
    }
    const next = {
      tenantId,
      subjectId,
      purposeKey: input.purpose,
      purposeVersion: purpose.version,
      basis: input.basis,
      evidence,
      noticeVersionId: input.noticeVersionId ?? null,
    };
    if (current && sameBasis(current, next)) return toBasisRecord(current);
    const at = clock.now();
    const row: BasisRow = { ...next, id: newId('basis', at.getTime()), source: input.source, setBy: actor, setAt: at };
    await repo.set(q, row);
    await audit.append(q, tenantId, {
      actor,
      action: 'basis.set',
      target: row.id,
      subjectId,
      details: {
        purpose: input.purpose,
        purposeVersion: purpose.version,
        basis: input.basis,
        previous: current?.basis ?? null,
      },
    });
    return toBasisRecord(row);
  };

  /**
   * All rows or none. Every row is checked; the errors name `rows.<index>.<field>`. `onProgress` is called after each
   * row (the CLI draws its progress bar with it).
   */
  const setManyIn = async (
    q: Queryable,
    tenantId: string,
    rows: SetBasis[],
    actor: string,
    onProgress?: (done: number) => void,
  ) => {
    const cache: PurposeCache = new Map();
    const issues: { field: string; message: string }[] = [];
    const items: BasisRecord[] = [];
    for (const [i, r] of rows.entries()) {
      try {
        items.push(await setIn(q, tenantId, r, actor, cache));
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        issues.push({ field: `rows.${i}.${e.field ?? '(row)'}`, message: e.message });
      }
      onProgress?.(i + 1);
    }
    if (issues.length > 0) {
      const first = issues[0]!;
      throw new AppError(
        'RULE_VIOLATION',
        `${issues.length} row(s) rejected, nothing written; ${first.field}: ${first.message}`,
        {
          field: first.field,
          issues,
        },
      );
    }
    return items;
  };

  return {
    setIn,
    setManyIn,
    set: (tenantId: string, input: SetBasis, actor: string) =>
      db.tenant(tenantId, (tx) => setIn(tx, tenantId, input, actor)),
    setMany: (tenantId: string, rows: SetBasis[], actor: string, onProgress?: (done: number) => void) =>
      db.tenant(tenantId, (tx) => setManyIn(tx, tenantId, rows, actor, onProgress)),
    /** The basis in force at `asOf` (now when absent), read from the append-only history. */
    stateAt: (tenantId: string, subjectId: string, purposeKey: string, asOf?: Date) =>
      db.tenant(tenantId, async (tx) => {
        await subjects.resolveRef(tx, tenantId, { subjectId }, { create: false, field: 'subject' });
        await purposes.current(tx, tenantId, purposeKey, 'purpose');
        const at = asOf ?? clock.now();
        const row = await repo.asOf(tx, tenantId, subjectId, purposeKey, at);
        return { current: row ? toBasisRecord(row) : null, asOf: at.toISOString() };
      }),
    history: (tenantId: string, subjectId: string, purposeKey: string) =>
      db.tenant(tenantId, async (tx) => {
        await subjects.resolveRef(tx, tenantId, { subjectId }, { create: false, field: 'subject' });
        await purposes.current(tx, tenantId, purposeKey, 'purpose');
        return (await repo.history(tx, tenantId, subjectId, purposeKey)).map(toBasisRecord);
      }),
  };
};
export type LawfulBasisService = ReturnType<typeof createLawfulBasisService>;
