import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { fixedClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { ensureBannerBuilt, siteBody } from '../src/modules/banner/banner.fixtures.ts';
import { type LinkKind, peekLink, signLink } from '../src/modules/preferences/preferences.token.ts';
import { consentReady, grantBody } from './consent-fixtures.ts';
import { fingerprinter } from './fuzz-fixtures.ts';
import { bitFlip, junk, truncated } from './fuzz-pages-cases.ts';
import type { Harness } from './harness.ts';

export const ORIGIN = 'https://shop.fuzz.test';
export const ORIGIN_B = 'https://shop-b.fuzz.test';
const DAY = 86_400_000;
export const KINDS: LinkKind[] = ['preferences', 'unsubscribe', 'confirm'];

/**
 * What fuzz-pages works on: tenant A (double opt-in, a site, people with genuine, expired and revoked links of every
 * kind), tenant B (a site; its keys are "another tenant's"), the tokens an unknown person would hold, and forgeries.
 */
export const createPagesWorld = async (h: Harness, clock: ReturnType<typeof fixedClock>) => {
  const links = h.rt.services.preferences.links;

  const setup = async () => {
    ensureBannerBuilt();
    const a = await h.newTenant('Pages A');
    const b = await h.newTenant('Pages B');
    await h.rt.services.tenants.updateSettings(a.tenant.id, { doubleOptIn: true }, 'test');
    const noticeA = await consentReady(h, a.admin);
    const noticeB = await consentReady(h, b.admin);
    const siteA = (await h.request('POST', '/v1/sites', { key: a.admin, body: siteBody([ORIGIN]) })).body;
    const siteB = (await h.request('POST', '/v1/sites', { key: b.admin, body: siteBody([ORIGIN_B]) })).body;
    const keyA = await h.rt.db.tenant(a.tenant.id, (tx) => links.keyOf(tx, a.tenant.id));
    const keyB = await h.rt.db.tenant(b.tenant.id, (tx) => links.keyOf(tx, b.tenant.id));
    return { a, b, noticeA, noticeB, siteA, siteB, keyA, keyB, fp: await fingerprinter(h) };
  };
  const w = await setup();
  const tA = w.a.tenant.id;

  /** Someone who granted both purposes on a form (marketing waits for its double opt-in), with their links. */
  const person = async () => {
    const r = await h.request('POST', '/v1/consents', {
      key: w.a.admin,
      body: grantBody(w.noticeA, `${randomUUID()}@example.org`, [
        { purpose: 'marketing-email', granted: true },
        { purpose: 'product-analytics', granted: true },
      ]),
    });
    expect(r.status, r.text).toBe(201);
    const subjectId = r.body.records[0].subjectId as string;
    const { rows } = await h.rt.db.raw.query<{ submission_id: string }>(
      'select submission_id from consent_records where id = $1',
      [r.body.records[0].id],
    );
    return { subjectId, submissionId: rows[0]!.submission_id };
  };
  type Person = Awaited<ReturnType<typeof person>>;
  const mint = (p: Person, kind: LinkKind, days = 30) =>
    h.rt.db
      .tenant(tA, (tx) =>
        links.mint(tx, tA, p.subjectId, kind, {
          days,
          actor: 'test',
          ...(kind === 'unsubscribe' ? { purposeKey: 'product-analytics' } : {}),
          ...(kind === 'confirm' ? { submissionId: p.submissionId } : {}),
        }),
      )
      .then((l) => l.token);
  const tokensOf = async (p: Person, days = 30) => ({
    preferences: await mint(p, 'preferences', days),
    unsubscribe: await mint(p, 'unsubscribe', days),
    confirm: await mint(p, 'confirm', days),
  });

  const KINDS: LinkKind[] = ['preferences', 'unsubscribe', 'confirm'];
  const ada = await person();
  const bob = await person();
  const cy = await person();
  const genuine = await tokensOf(ada);
  const others = await tokensOf(bob);
  const now = clock.now();
  clock.set(new Date(now.getTime() - 40 * DAY));
  const expired = await tokensOf(ada, 1);
  clock.set(now);
  const revoked = await tokensOf(cy);
  await h.rt.services.preferences.revokeLinks(tA, cy.subjectId, 'test');

  /** What nobody can tell apart from a forged or expired token: the same forms naming a person who does not exist. */
  const unknownClaims = (k: LinkKind, e: number) => ({
    t: tA,
    s: newId('subject'),
    n: newId('token'),
    k,
    e,
    ...(k === 'unsubscribe' ? { p: 'product-analytics' } : {}),
    ...(k === 'confirm' ? { b: newId('consent').replace('cns_', 'sbm_') } : {}),
  });
  const future = Math.floor(now.getTime() / 1000) + 30 * 86_400;
  const reference = {
    forged: Object.fromEntries(KINDS.map((k) => [k, signLink(randomBytes(32), unknownClaims(k, future))])),
    // Signed with the tenant's real key, expired yesterday: genuine in every way but time and person.
    expired: Object.fromEntries(KINDS.map((k) => [k, signLink(w.keyA, unknownClaims(k, future - 31 * 86_400))])),
  } as Record<'forged' | 'expired', Record<LinkKind, string>>;

  const [payloadOf, macOf] = [(t: string) => t.split('.')[0]!, (t: string) => t.split('.')[1]!];
  const forgedOf = (k: LinkKind): fc.Arbitrary<[string, string]> => {
    const g = genuine[k];
    const claims = peekLink(g)!;
    const reencoded = (c: object) => Buffer.from(JSON.stringify(c)).toString('base64url');
    return fc.oneof(
      junk.map((s) => [s.slice(0, 700), 'random'] as [string, string]),
      truncated(g).map((s) => [s, 'truncated'] as [string, string]),
      bitFlip(g).map((s) => [s, 'one character changed'] as [string, string]),
      fc.constantFrom(...KINDS.filter((x) => x !== k)).map((x) => [genuine[x], `a ${x} link`] as [string, string]),
      fc.constant<[string, string]>([`${payloadOf(g)}.${macOf(others[k])}`, "another person's MAC"]),
      fc.constant<[string, string]>([signLink(w.keyB, claims), "another tenant's key"]),
      fc.constant<[string, string]>([`${reencoded({ ...claims, s: bob.subjectId })}.${macOf(g)}`, 'person swapped']),
      fc.constant<[string, string]>([
        `${reencoded({ ...peekLink(expired[k])!, e: future })}.${macOf(expired[k])}`,
        'expiry pushed',
      ]),
    );
  };

  return { w, tA, links, person, mint, bob, genuine, others, expired, revoked, reference, forgedOf, now, future };
};
export type PagesWorld = Awaited<ReturnType<typeof createPagesWorld>>;
