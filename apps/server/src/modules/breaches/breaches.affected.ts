import type { AffectedPeople } from '@lawful/contract';
import type { Queryable } from '../../db/client.ts';
import type { BreachesRepo, BreachRow } from './breaches.repo.ts';

/**
 * Two taxonomy categories meet when one contains the other: a breach of `user.contact` touches a purpose that
 * processes `user.contact.email`, and a breach of `user.contact.email.work` touches one that processes `user.contact`.
 * @example categoriesMeet('user.contact', 'user.contact.email') // true
 */
export const categoriesMeet = (a: string, b: string): boolean =>
  a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

export const anyMeet = (breach: readonly string[], purpose: readonly string[]): boolean =>
  breach.some((a) => purpose.some((b) => categoriesMeet(a, b)));

/**
 * Who is affected, from Lawful's own records: every subject (not erased) with a consent grant or a lawful basis for a
 * purpose version whose data categories meet the breach's, established before the breach window closed, plus every
 * subject who made a request inside the breach's request window. Pseudonymous ids only.
 */
export const affectedPeople = async (
  q: Queryable,
  repo: Pick<BreachesRepo, 'purposeVersions' | 'subjectsByConsent' | 'subjectsByBasis' | 'subjectsByRequests'>,
  b: BreachRow,
): Promise<AffectedPeople> => {
  const versions = (await repo.purposeVersions(q, b.tenantId)).filter((v) =>
    anyMeet(b.dataCategories, v.definition.dataCategories),
  );
  const keys = versions.map((v) => `${v.key}:${v.version}`);
  // Data held at any moment up to the end of the window (or awareness, when the window is open-ended) was exposed.
  const until = b.occurredTo ?? b.awareAt;
  const byConsent = await repo.subjectsByConsent(q, b.tenantId, keys, until);
  const byBasis = await repo.subjectsByBasis(q, b.tenantId, keys, until);
  const byRequest = b.requestWindow
    ? await repo.subjectsByRequests(q, b.tenantId, new Date(b.requestWindow.from), new Date(b.requestWindow.to))
    : [];
  const all = [...new Set([...byConsent, ...byBasis, ...byRequest])].sort();
  return {
    breachId: b.id,
    count: all.length,
    byReason: { consent: byConsent.length, basis: byBasis.length, request: byRequest.length },
    purposes: [...new Set(versions.map((v) => v.key))].sort(),
    subjectIds: all,
  };
};
