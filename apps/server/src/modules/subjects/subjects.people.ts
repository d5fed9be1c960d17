import type {
  Identity,
  MaskedIdentity,
  Subject,
  SubjectList,
  SubjectListQuery,
  SubjectProfile,
} from '@lawful/contract';
import { type Database, oneByOne, type Queryable } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { maskIdentifier } from './subjects.mask.ts';
import type { SubjectsRepo } from './subjects.repo.ts';

/** The vault field identifiers are sealed under (shared with subjects.service.ts). */
export const IDENTIFIER_FIELD = 'identifier';

/**
 * The console's view of people (data minimisation, Art. 5(1)(c) and 25): lists and the person page show pseudonymous
 * ids and masked identifiers; finding someone by an identifier, or seeing their identifiers whole, needs a stated
 * reason that goes into the audit log with the pseudonymous id — never the identifier itself.
 */
export const createPeople = (deps: {
  db: Database;
  repo: SubjectsRepo;
  vault: Pick<Vault, 'decrypt' | 'preloadSubjectKeys'>;
  audit: Pick<AuditLog, 'append'>;
  find: (q: Queryable, tenantId: string, identity: Identity) => Promise<string | null>;
  view: (q: Queryable, tenantId: string, subjectId: string) => Promise<Subject>;
}) => {
  const { db, repo, vault, audit } = deps;

  const masked = async (
    q: Queryable,
    tenantId: string,
    subjectId: string,
    r: { id: string; kind: MaskedIdentity['kind']; valueEnc: Buffer },
  ): Promise<MaskedIdentity> => ({
    id: r.id,
    kind: r.kind,
    masked: maskIdentifier(r.kind, await vault.decrypt(q, tenantId, subjectId, IDENTIFIER_FIELD, r.valueEnc)),
  });

  const summaries = async (
    q: Queryable,
    tenantId: string,
    rows: { id: string; createdAt: Date; erasedAt: Date | null }[],
  ) => {
    const ids = rows.length
      ? await repo.identifiersOf(
          q,
          tenantId,
          rows.map((r) => r.id),
        )
      : [];
    await vault.preloadSubjectKeys(
      q,
      tenantId,
      rows.map((r) => r.id),
    );
    return oneByOne(rows, async (s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      erasedAt: s.erasedAt?.toISOString() ?? null,
      identities: await oneByOne(
        ids.filter((i) => i.subjectId === s.id),
        (i) => masked(q, tenantId, s.id, i),
      ),
    }));
  };

  return {
    /** GET /v1/subjects: masked, so it is an ordinary read (not audited per page). */
    list: (tenantId: string, f: SubjectListQuery): Promise<SubjectList> =>
      db.tenant(tenantId, async (tx) => {
        const rows = await repo.page(tx, tenantId, f);
        const page = rows.slice(0, f.limit);
        return {
          items: await summaries(tx, tenantId, page),
          nextCursor: rows.length > f.limit ? (page.at(-1)?.id ?? null) : null,
        };
      }),

    /** Finds who holds an identifier, for a reason; hit or miss, the audit entry names the reason and the kind only. */
    find: async (tenantId: string, identity: Identity, reason: string, actor: string) => {
      const found = await db.tenant(tenantId, async (tx) => {
        const subjectId = await deps.find(tx, tenantId, identity);
        await audit.append(tx, tenantId, {
          actor,
          action: 'subject.lookup',
          target: subjectId,
          subjectId,
          details: { kind: identity.kind, found: subjectId !== null, reason },
        });
        if (!subjectId) return null;
        const s = await repo.subject(tx, tenantId, subjectId);
        return s ? (await summaries(tx, tenantId, [s]))[0]! : null;
      });
      // The miss is audited too, so NOT_FOUND is thrown after the transaction commits.
      if (!found) throw new AppError('NOT_FOUND', 'no subject holds this identifier', { field: 'identity' });
      return found;
    },

    /** The person page: masked identities, suppression, objections, restrictions. */
    profile: (tenantId: string, subjectId: string): Promise<SubjectProfile> =>
      db.tenant(tenantId, async (tx) => {
        const s = await repo.subject(tx, tenantId, subjectId);
        if (!s) throw notFound('subject');
        const ids = await repo.identifiersWithSuppression(tx, tenantId, subjectId);
        const suppressedAt = ids.flatMap((i) => (i.suppressedAt ? [i.suppressedAt.getTime()] : []));
        return {
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          erasedAt: s.erasedAt?.toISOString() ?? null,
          identities: await oneByOne(ids, async (i) => ({
            ...(await masked(tx, tenantId, subjectId, i)),
            suppressed: i.suppressedAt !== null,
          })),
          suppression: {
            directMarketing: suppressedAt.length > 0,
            since: suppressedAt.length ? new Date(Math.min(...suppressedAt)).toISOString() : null,
          },
          objections: (await repo.objectionsOf(tx, tenantId, subjectId)).map((o) => ({
            id: o.id,
            purpose: o.purposeKey,
            kind: o.kind,
            status: o.status,
            createdAt: o.createdAt.toISOString(),
          })),
          restrictions: (await repo.restrictionsOf(tx, tenantId, subjectId)).map((r) => ({
            id: r.id,
            purpose: r.purposeKey,
            ground: r.ground,
            createdAt: r.createdAt.toISOString(),
            liftedAt: r.liftedAt?.toISOString() ?? null,
          })),
        };
      }),

    /** The identifiers in full, for a reason (check 62: a sensitive read, audited in the same transaction). */
    reveal: (tenantId: string, subjectId: string, reason: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const s = await deps.view(tx, tenantId, subjectId);
        await audit.append(tx, tenantId, {
          actor,
          action: 'subject.reveal',
          target: subjectId,
          subjectId,
          details: { kinds: s.identities.map((i) => i.kind), reason },
        });
        return s;
      }),

    /** Whether the subject is this tenant's: another tenant's id is a 404 before the body is read (check 54). */
    owned: async (tenantId: string, subjectId: string) =>
      db.tenant(tenantId, async (tx) => (await repo.subject(tx, tenantId, subjectId)) !== undefined),
  };
};
export type People = ReturnType<typeof createPeople>;
