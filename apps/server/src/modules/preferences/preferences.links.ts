import type { Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { LinkRow, PreferencesRepo } from './preferences.repo.ts';
import { csrfFor, type LinkClaims, type LinkKind, peekLink, signLink, verifyLink } from './preferences.token.ts';

const PATHS: Record<LinkKind, string> = { preferences: '/p/', unsubscribe: '/u/', confirm: '/c/' };
const DAY = 86_400_000;

export type OpenedLink = { claims: LinkClaims; link: LinkRow; token: string; csrf: string };
export type LinkFailure = 'invalid' | 'expired' | 'revoked';

/**
 * Minting and opening signed links. The HMAC key is derived from the tenant key (`vault.tenantDerivedKey`), so there
 * is nothing to store, and shredding a tenant's key kills every link it handed out.
 */
export const createLinks = (deps: {
  repo: Pick<PreferencesRepo, 'insertLink' | 'link' | 'subject'>;
  vault: Pick<Vault, 'tenantDerivedKey'>;
  clock: Clock;
  publicUrl: string;
}) => {
  const { repo, vault, clock } = deps;
  const keyOf = (q: Queryable, tenantId: string) => vault.tenantDerivedKey(q, tenantId, 'preference-links');

  const mint = async (
    q: Queryable,
    tenantId: string,
    subjectId: string,
    kind: LinkKind,
    o: { days: number; actor: string; purposeKey?: string; submissionId?: string; locale?: string },
  ) => {
    const now = clock.now();
    const expiresAt = new Date(Math.floor((now.getTime() + o.days * DAY) / 1000) * 1000);
    const id = newId('token', now.getTime());
    await repo.insertLink(q, {
      tenantId,
      id,
      subjectId,
      kind,
      purposeKey: o.purposeKey ?? null,
      submissionId: o.submissionId ?? null,
      expiresAt,
      createdAt: now,
      createdBy: o.actor,
      revokedAt: null,
    });
    const claims: LinkClaims = {
      t: tenantId,
      s: subjectId,
      n: id,
      k: kind,
      e: expiresAt.getTime() / 1000,
      ...(o.purposeKey ? { p: o.purposeKey } : {}),
      ...(o.submissionId ? { b: o.submissionId } : {}),
    };
    const token = signLink(await keyOf(q, tenantId), claims);
    const url = new URL(`${PATHS[kind]}${token}`, deps.publicUrl);
    if (o.locale) url.searchParams.set('lang', o.locale);
    return { url: url.toString(), token, expiresAt };
  };

  /** The tenant of a token that looks like ours, before anything is checked: only to pick the transaction. */
  const tenantOf = (token: string) => peekLink(token)?.t ?? null;

  /** Checks MAC, expiry, kind, that the link was not revoked and that the subject was not erased. */
  const open = async (
    q: Queryable,
    token: string,
    kind: LinkKind,
  ): Promise<{ ok: true; link: OpenedLink } | { ok: false; reason: LinkFailure }> => {
    const peeked = peekLink(token);
    if (!peeked || peeked.k !== kind) return { ok: false, reason: 'invalid' };
    let key: Buffer;
    try {
      key = await keyOf(q, peeked.t);
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    const checked = verifyLink(key, token, clock.now());
    if (!checked.ok) return checked;
    const { claims } = checked;
    const link = await repo.link(q, claims.t, claims.n);
    if (!link || link.subjectId !== claims.s || link.kind !== claims.k) return { ok: false, reason: 'invalid' };
    if (link.revokedAt) return { ok: false, reason: 'revoked' };
    const subject = await repo.subject(q, claims.t, claims.s);
    if (!subject || subject.erasedAt) return { ok: false, reason: 'revoked' };
    return { ok: true, link: { claims, link, token, csrf: csrfFor(key, token) } };
  };

  return { mint, open, tenantOf, keyOf };
};
export type Links = ReturnType<typeof createLinks>;
