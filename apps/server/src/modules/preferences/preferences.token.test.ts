import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickLocale } from './preferences.messages.ts';
import { csrfFor, csrfMatches, type LinkClaims, peekLink, signLink, verifyLink } from './preferences.token.ts';

const key = randomBytes(32);
const claims: LinkClaims = {
  t: 'tnt_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
  s: 'sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
  n: 'tok_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
  k: 'preferences',
  e: Date.parse('2026-04-01T00:00:00Z') / 1000,
};
const now = new Date('2026-03-01T00:00:00Z');

describe('signed links', () => {
  it('round-trips, and expires at its expiry', () => {
    const t = signLink(key, claims);
    expect(verifyLink(key, t, now)).toEqual({ ok: true, claims });
    expect(verifyLink(key, t, new Date(claims.e * 1000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('another key (another tenant) never verifies', () => {
    expect(verifyLink(randomBytes(32), signLink(key, claims), now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('any single-character change to a token is refused', () => {
    const t = signLink(key, claims);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat(t.length - 1), fc.constantFrom(...alphabet), (i, ch) => {
        fc.pre(t[i] !== ch);
        const bad = t.slice(0, i) + ch + t.slice(i + 1);
        expect(verifyLink(key, bad, now).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary strings are never accepted and never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 800 }), (s) => {
        expect(verifyLink(key, s, now).ok).toBe(false);
        expect(() => peekLink(s)).not.toThrow();
      }),
    );
  });

  it('the CSRF token is bound to its link', () => {
    const a = signLink(key, claims);
    const b = signLink(key, { ...claims, n: 'tok_01JDQ2M3ZV9G7X6S5R4Q3P2N1N' });
    expect(csrfMatches(key, a, csrfFor(key, a))).toBe(true);
    expect(csrfMatches(key, a, csrfFor(key, b))).toBe(false);
    expect(csrfMatches(key, a, undefined)).toBe(false);
  });
});

describe('page language', () => {
  it('?lang= first, then Accept-Language by q, then the tenant default', () => {
    expect(pickLocale('fr', 'de', 'en')).toBe('fr');
    expect(pickLocale(undefined, 'pt-BR,nl;q=0.5,de;q=0.8', 'en')).toBe('de');
    expect(pickLocale('xx', 'pt', 'it')).toBe('it');
    expect(pickLocale(undefined, undefined, 'zz')).toBe('en');
  });
});
