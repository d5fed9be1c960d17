import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed links for the people-facing pages. A token is `<payload>.<mac>`, both base64url: the payload names only ids
 * (tenant, subject, link, purpose or submission) and an expiry, never personal data; the MAC is HMAC-SHA256 under a
 * key derived from the tenant key, so a token from one tenant means nothing to another.
 */
export type LinkKind = 'preferences' | 'unsubscribe' | 'confirm';

export type LinkClaims = {
  /** tenant id */
  t: string;
  /** subject id */
  s: string;
  /** link id (a row in preference_links, so staff can revoke it) */
  n: string;
  k: LinkKind;
  /** expiry, seconds since the epoch */
  e: number;
  /** purpose key (unsubscribe links) */
  p?: string;
  /** submission id (confirmation links) */
  b?: string;
};

const ID = /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/;
const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;
const KINDS = new Set<LinkKind>(['preferences', 'unsubscribe', 'confirm']);

const mac = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(`lawful-link:v1:${payload}`).digest('base64url');

export const signLink = (key: Buffer, claims: LinkClaims): string => {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
};

/**
 * Reads a token's claims WITHOUT checking them: only to learn which tenant's key checks the MAC. Returns null for
 * anything that is not shaped like one of our tokens.
 */
export const peekLink = (token: string): LinkClaims | null => {
  if (token.length > 600) return null;
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof c !== 'object' || c === null) return null;
  const o = c as Record<string, unknown>;
  const ok =
    typeof o.t === 'string' &&
    o.t.startsWith('tnt_') &&
    ID.test(o.t) &&
    typeof o.s === 'string' &&
    o.s.startsWith('sub_') &&
    ID.test(o.s) &&
    typeof o.n === 'string' &&
    o.n.startsWith('tok_') &&
    ID.test(o.n) &&
    typeof o.k === 'string' &&
    KINDS.has(o.k as LinkKind) &&
    typeof o.e === 'number' &&
    Number.isInteger(o.e) &&
    (o.p === undefined || (typeof o.p === 'string' && KEY.test(o.p))) &&
    (o.b === undefined || (typeof o.b === 'string' && /^sbm_[0-9A-HJKMNP-TV-Z]{26}$/.test(o.b)));
  return ok ? (o as LinkClaims) : null;
};

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks the MAC (in constant time), then the expiry. Tampered, forged or truncated tokens are 'invalid'. */
export const verifyLink = (key: Buffer, token: string, now: Date): LinkCheck => {
  const claims = peekLink(token);
  if (!claims) return { ok: false, reason: 'invalid' };
  const [payload, given] = token.split('.') as [string, string];
  const expected = Buffer.from(mac(key, payload));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'invalid' };
  if (claims.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
};

/** The CSRF token of a page's forms: bound to the link token, so it is useless with any other link. */
export const csrfFor = (key: Buffer, token: string) =>
  createHmac('sha256', key).update(`lawful-csrf:v1:${token}`).digest('base64url');

export const csrfMatches = (key: Buffer, token: string, given: unknown): boolean => {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfFor(key, token));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
};
