import type { Identity, Subject, SubjectRef } from '@lawful/contract';
import { type Database, oneByOne, type Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { createPeople, IDENTIFIER_FIELD as FIELD } from './subjects.people.ts';
import type { Hashed, SubjectsRepo } from './subjects.repo.ts';

/**
 * Subjects are pseudonymous ids; what identifies a person (e-mail, phone, user id, device id) is kept as a keyed blind
 * index for lookups and AES-GCM ciphertext under the subject's own data key, so erasure can crypto-shred it.
 */
export const createSubjectsService = (deps: {
  db: Database;
  repo: SubjectsRepo;
  vault: Pick<Vault, 'blindIndex' | 'encrypt' | 'decrypt' | 'preloadSubjectKeys'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, vault, audit, clock } = deps;

  const hash = async (q: Queryable, tenantId: string, ids: Identity[]): Promise<Hashed[]> =>
    oneByOne(ids, async (i) => ({ kind: i.kind, blindIndex: await vault.blindIndex(q, tenantId, i.kind, i.value) }));

  const addIdentifier = async (q: Queryable, tenantId: string, subjectId: string, i: Identity, h: Hashed) => {
    const at = clock.now();
    const inserted = await repo.insertIdentifier(q, {
      tenantId,
      id: newId('identifier', at.getTime()),
      subjectId,
      kind: i.kind,
      blindIndex: h.blindIndex,
      valueEnc: await vault.encrypt(q, tenantId, subjectId, FIELD, i.value),
      createdAt: at,
    });
    if (!inserted) {
      // Lost a race to another transaction: fine if it gave the identifier to the same subject.
      const [holder] = await repo.byIdentifiers(q, tenantId, [h]);
      if (holder?.subjectId !== subjectId) throw conflict();
    }
  };

  const conflict = () =>
    new AppError('CONFLICT', 'these identifiers belong to different subjects; link them to one subject first', {
      field: 'identities',
    });

  /** The subject holding this identifier, or null. Reads only. */
  const find = async (q: Queryable, tenantId: string, identity: Identity): Promise<string | null> => {
    const [row] = await repo.byIdentifiers(q, tenantId, await hash(q, tenantId, [identity]));
    return row?.subjectId ?? null;
  };

  /**
   * The one subject these identifiers name, created when none does; identifiers it lacks are added to it.
   * Throws CONFLICT when they name two different subjects (merging people is a human decision).
   */
  const resolveOrCreate = async (
    q: Queryable,
    tenantId: string,
    identities: Identity[],
  ): Promise<{ subjectId: string; created: boolean }> => {
    const hashed = await hash(q, tenantId, identities);
    const found = await repo.byIdentifiers(q, tenantId, hashed);
    const owners = [...new Set(found.map((f) => f.subjectId))];
    if (owners.length > 1) throw conflict();
    let subjectId = owners[0];
    const created = subjectId === undefined;
    if (subjectId === undefined) {
      const at = clock.now();
      subjectId = newId('subject', at.getTime());
      await repo.insertSubject(q, tenantId, subjectId, at);
    }
    const have = new Set(found.map((f) => `${f.kind}\0${f.blindIndex}`));
    for (const [n, i] of identities.entries()) {
      const h = hashed[n]!;
      const k = `${h.kind}\0${h.blindIndex}`;
      if (have.has(k)) continue;
      have.add(k);
      await addIdentifier(q, tenantId, subjectId, i, h);
    }
    return { subjectId, created };
  };

  /** Adds an identifier to an existing subject; CONFLICT when another subject holds it. */
  const link = async (q: Queryable, tenantId: string, subjectId: string, identity: Identity, actor: string) => {
    const s = await repo.subject(q, tenantId, subjectId);
    if (!s || s.erasedAt) throw notFound('subject');
    const [h] = await hash(q, tenantId, [identity]);
    const [holder] = await repo.byIdentifiers(q, tenantId, [h!]);
    if (holder && holder.subjectId !== subjectId) throw conflict();
    if (!holder) await addIdentifier(q, tenantId, subjectId, identity, h!);
    await audit.append(q, tenantId, {
      actor,
      action: 'subject.link',
      target: subjectId,
      subjectId,
      details: { kind: identity.kind },
    });
  };

  /**
   * A SubjectRef to a subject id. `create: true` (writes) resolves or creates from an identity; reads never create.
   * Unknown subject ids are 404 whatever `create` says: a write cannot conjure a subject from a made-up id.
   */
  const resolveRef = async (
    q: Queryable,
    tenantId: string,
    ref: SubjectRef,
    opts: { create: boolean; field?: string },
  ): Promise<string | null> => {
    if (ref.subjectId) {
      const s = await repo.subject(q, tenantId, ref.subjectId);
      if (!s) throw new AppError('NOT_FOUND', 'subject not found', { field: opts.field ?? 'subject.subjectId' });
      return s.id;
    }
    if (!ref.identity) return null;
    if (opts.create) return (await resolveOrCreate(q, tenantId, [ref.identity])).subjectId;
    return find(q, tenantId, ref.identity);
  };

  const view = async (q: Queryable, tenantId: string, subjectId: string): Promise<Subject> => {
    const s = await repo.subject(q, tenantId, subjectId);
    if (!s) throw notFound('subject');
    const ids = await repo.identifiersOf(q, tenantId, [subjectId]);
    return {
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      erasedAt: s.erasedAt?.toISOString() ?? null,
      identities: await oneByOne(ids, async (r) => ({
        id: r.id,
        kind: r.kind,
        value: await vault.decrypt(q, tenantId, subjectId, FIELD, r.valueEnc),
      })),
    };
  };

  return {
    /** The console's minimised view: masked lists and profiles, reasoned lookups and reveals. */
    people: createPeople({ db, repo, vault, audit, find, view }),
    find,
    resolveOrCreate,
    link,
    resolveRef,
    hash,
    /** POST /v1/subjects: resolve or create, audited as a write (never with the identifiers themselves). */
    create: (tenantId: string, identities: Identity[], actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const r = await resolveOrCreate(tx, tenantId, identities);
        await audit.append(tx, tenantId, {
          actor,
          action: r.created ? 'subject.create' : 'subject.identify',
          target: r.subjectId,
          subjectId: r.subjectId,
          details: { kinds: identities.map((i) => i.kind) },
        });
        return { created: r.created, subject: await view(tx, tenantId, r.subjectId) };
      }),
    /** A sensitive read (check 62): it decrypts identifiers, so it leaves an audit entry. */
    get: (tenantId: string, subjectId: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const s = await view(tx, tenantId, subjectId);
        await audit.append(tx, tenantId, { actor, action: 'subject.read', target: subjectId, subjectId });
        return s;
      }),
    /** Who holds this identifier; audited as a read whether or not anyone does. */
    lookup: async (tenantId: string, identity: Identity, actor: string) => {
      // The miss is audited too, so the NOT_FOUND is thrown after the transaction commits.
      const found = await db.tenant(tenantId, async (tx) => {
        const subjectId = await find(tx, tenantId, identity);
        await audit.append(tx, tenantId, {
          actor,
          action: 'subject.lookup',
          target: subjectId,
          subjectId,
          details: { kind: identity.kind, found: subjectId !== null },
        });
        return subjectId ? view(tx, tenantId, subjectId) : null;
      });
      if (!found) throw new AppError('NOT_FOUND', 'no subject holds this identifier', { field: 'identity' });
      return found;
    },
  };
};
export type SubjectsService = ReturnType<typeof createSubjectsService>;
