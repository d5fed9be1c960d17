import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorBody, errorStatus } from '@lawful/contract';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { buildApp } from '../src/main.ts';
import { bannerRecord, ensureBannerBuilt, siteBody } from '../src/modules/banner/banner.fixtures.ts';
import { csrfFor, type LinkKind, peekLink, signLink } from '../src/modules/preferences/preferences.token.ts';
import { consentReady, grantBody } from './consent-fixtures.ts';
import { changed, fingerprinter } from './fuzz-fixtures.ts';
import {
  bitFlip,
  formBody,
  INJECTIONS,
  isHtml,
  isJson,
  junk,
  junkHeaders,
  normalised,
  truncated,
  UNDOCUMENTED_ROUTES,
} from './fuzz-pages-cases.ts';
import { backend, createHarness } from './harness.ts';

/**
 * Property-based fuzzing of the people-facing routes /openapi.json does not describe (issue 10): the preference
 * centre, one-click unsubscribe and double opt-in links, the request portal, the banner's public endpoints. Tokens
 * are forged (random, truncated, one character changed, spliced with another person's MAC, signed with another
 * tenant's key, of the wrong kind), expired (minted by the real code under a clock set back) or revoked; forms carry
 * junk in every encoding, with and without their CSRF token; headers carry junk. Whatever arrives: never a 5xx; a page
 * answers a 4xx with an HTML page and a JSON route with the documented error shape; no generated markup comes back
 * unescaped; nothing is written unless the request was entitled to write; a forged or expired token gets exactly the
 * answer an unknown one gets. One-time tokens are replayed separately. LAWFUL_FUZZ_PAGES_CASES (or
 * LAWFUL_FUZZ_CASES) sets the number of random cases (default 500); LAWFUL_FUZZ_SEED replays a run.
 */
const TOTAL = Number(process.env.LAWFUL_FUZZ_PAGES_CASES ?? process.env.LAWFUL_FUZZ_CASES ?? 500);
const SEED = Number(process.env.LAWFUL_FUZZ_SEED ?? 20261129);
const ORIGIN = 'https://shop.fuzz.test';
const ORIGIN_B = 'https://shop-b.fuzz.test';
const DAY = 86_400_000;

const clock = fixedClock(new Date());
// The banner's per-address limit (300 a minute) is raised like the API's: a long run posts more than that.
const h = await createHarness({
  clock,
  env: { LAWFUL_PUBLIC_URL: 'https://privacy.fuzz.test', LAWFUL_BANNER_RATE_LIMIT: '100000' },
});
// The portal counts 10 filings per address per 10 minutes, and every in-process request comes from one address:
// raised here (as the harness raises the API's limit) so cases get past the limit to the validation behind it.
h.rt.services.requestsModule.deps.portalLimits = { intakePerIpPer10Min: 1e6, confirmPerIpPer10Min: 1e6 };
const app = buildApp(h.rt);
const links = h.rt.services.preferences.links;

type Res = { status: number; headers: Headers; text: string };
const send = async (method: string, url: string, headers: Record<string, string> = {}, body?: string) => {
  const res = await app.request(url, { method, headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() } satisfies Res;
};
const form = (fields: Record<string, string | string[]>, extra: Record<string, string> = {}) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
  return { headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra }, body: p.toString() };
};

// ---- the world: tenant A (double opt-in, a site, people with links), tenant B (a site; its keys are the "other") --
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

// ---- one case ----
type Expect = 'html' | 'json' | 'asset' | 'jwks' | 'console';
type Case = {
  family: string;
  note: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  expect: Expect;
  /** May this request change something (or these tables)? Only an entitled one, and only when it succeeds. */
  mayWrite: boolean | string[];
  /** Tables a refusal may still touch (a wrong code counts an attempt). */
  rejectWrites?: string[];
  /** The same request with an unknown person's token: the answer must be the same. */
  twin?: Omit<Case, 'twin'>;
  also?: (r: Res) => void;
};

const tally = { cases: 0, byFamily: {} as Record<string, number>, byStatus: {} as Record<string, number> };
const bump = (o: Record<string, number>, k: string) => {
  o[k] = (o[k] ?? 0) + 1;
};
const NO_SCRIPT = /^\/(p|u|c|r)\//;

const check = async (c: Case) => {
  const before = await w.fp.take();
  const r = await send(c.method, c.url, c.headers, c.body);
  const diff = changed(before, await w.fp.take());
  const label = `${c.method} ${c.url.slice(0, 200)} [${c.family}: ${c.note}] → ${r.status} ${r.text.slice(0, 300)}`;
  tally.cases++;
  bump(tally.byFamily, c.family);
  bump(tally.byStatus, String(r.status));
  const ct = r.headers.get('content-type');
  if (r.status >= 500) {
    const id = r.headers.get('x-request-id') ?? '-';
    const cause = h.logs.filter((l) => l.includes(id) && l.includes('"err"')).pop();
    expect.fail(`${label}\n${cause?.slice(0, 1500) ?? ''}`);
  }
  if (isHtml(ct)) {
    for (const inj of INJECTIONS) expect(r.text.includes(inj), `reflected ${inj}: ${label}`).toBe(false);
    if (NO_SCRIPT.test(c.url)) expect(r.text, label).not.toMatch(/<script/i);
  }
  if (r.status >= 400) {
    if (c.expect === 'html') expect(isHtml(ct), `a page answered a non-page: ${label}`).toBe(true);
    if (c.expect === 'json') {
      expect(isJson(ct), label).toBe(true);
      const body = JSON.parse(r.text);
      expect(ErrorBody.safeParse(body).success, label).toBe(true);
      expect(errorStatus[body.error.code as keyof typeof errorStatus], label).toBe(r.status);
    }
    // A JWKS client reads `keys`: an unknown tenant's set is empty; a path the route does not match is the usual 404.
    if (c.expect === 'jwks' && !ErrorBody.safeParse(JSON.parse(r.text)).success)
      expect(JSON.parse(r.text), label).toEqual({ keys: [] });
  }
  const allowed =
    r.status >= 400 ? (c.rejectWrites ?? []) : Array.isArray(c.mayWrite) ? c.mayWrite : c.mayWrite ? diff : [];
  expect(
    diff.filter((t) => !allowed.includes(t)),
    `${c.mayWrite && r.status < 400 ? '' : 'not entitled, but '}wrote: ${label}`,
  ).toEqual([]);
  c.also?.(r);
  if (c.twin) {
    const t = await send(c.twin.method, c.twin.url, c.twin.headers, c.twin.body);
    expect(r.status, `${label}\nvs an unknown person's: ${t.status}`).toBe(t.status);
    expect(normalised(r.text), `${label}\nanswers unlike an unknown person's token`).toBe(normalised(t.text));
  }
};

// ---- families ----
const weighted = <T>(...pairs: [number, T][]) =>
  fc.oneof(...pairs.map(([weight, v]) => ({ weight, arbitrary: fc.constant(v) })));
const maybeJunkHeaders = fc.option(junkHeaders, { nil: {}, freq: 2 });
const lang = fc.oneof(fc.constantFrom('en', 'fr', 'de', ''), junk);
const q = (o: Record<string, string | undefined>) => {
  const p = new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined) as [string, string][]);
  return p.size ? `?${p}` : '';
};

const LINK_ROUTES: { method: 'GET' | 'POST'; kind: LinkKind; path: (t: string) => string; fields?: string[] }[] = [
  { method: 'GET', kind: 'preferences', path: (t) => `/p/${t}` },
  { method: 'GET', kind: 'preferences', path: (t) => `/p/${t}/receipt` },
  { method: 'POST', kind: 'preferences', path: (t) => `/p/${t}/choice`, fields: ['purpose', 'decision'] },
  { method: 'POST', kind: 'preferences', path: (t) => `/p/${t}/unsubscribe-all`, fields: [] },
  { method: 'POST', kind: 'preferences', path: (t) => `/p/${t}/object`, fields: ['purpose'] },
  { method: 'GET', kind: 'unsubscribe', path: (t) => `/u/${t}` },
  { method: 'POST', kind: 'unsubscribe', path: (t) => `/u/${t}`, fields: ['List-Unsubscribe'] },
  { method: 'GET', kind: 'confirm', path: (t) => `/c/${t}` },
  { method: 'POST', kind: 'confirm', path: (t) => `/c/${t}`, fields: [] },
];
const fieldValue: Record<string, fc.Arbitrary<string>> = {
  purpose: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('marketing-email', 'product-analytics', 'billing', 'nope') },
    junk,
  ),
  decision: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('grant', 'withdraw') }, junk),
  'List-Unsubscribe': fc.oneof({ weight: 3, arbitrary: fc.constant('One-Click') }, junk),
};
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};

const linkCase: fc.Arbitrary<Case> = fc
  .record({
    route: fc.constantFrom(...LINK_ROUTES),
    cls: weighted([3, 'valid'], [2, 'forged'], [1, 'expired'], [1, 'revoked']),
    headers: maybeJunkHeaders,
    lang: fc.option(lang, { nil: undefined }),
    csrf: weighted([4, 'right'], [1, 'none'], [1, 'junk'], [1, 'another link']),
    seed: fc.nat(),
  })
  .chain((x) =>
    fc
      .record({
        forged: forgedOf(x.route.kind),
        values: fc.tuple(...(x.route.fields ?? []).map((f) => fieldValue[f]!)),
        junkCsrf: junk,
      })
      .chain((y) => {
        const fields: Record<string, string> = {};
        (x.route.fields ?? []).forEach((f, i) => {
          fields[f] = y.values[i]!;
        });
        if (x.lang !== undefined) fields.lang = x.lang;
        const token = {
          valid: genuine[x.route.kind],
          forged: y.forged[0],
          expired: expired[x.route.kind],
          revoked: revoked[x.route.kind],
        }[x.cls as 'valid']!;
        const csrf = {
          right: csrfFor(w.keyA, token),
          none: undefined,
          junk: y.junkCsrf,
          'another link': csrfFor(w.keyA, others.preferences),
        }[x.csrf as 'right'];
        if (csrf !== undefined && x.route.kind === 'preferences') fields._csrf = csrf;
        const body = x.route.method === 'POST' ? formBody(fields) : fc.constant(null);
        return body.map((b) => {
          const make = (t: string) => {
            const url = `${x.route.path(enc(t))}${x.route.method === 'GET' ? q({ lang: x.lang, saved: '1' }) : ''}`;
            const headers = b ? { ...x.headers, ...(b.ct ? { 'content-type': b.ct } : {}) } : x.headers;
            return { method: x.route.method, url, headers, body: b?.body };
          };
          const twinOf = x.cls === 'forged' || x.cls === 'expired' ? reference[x.cls][x.route.kind] : undefined;
          const base = {
            family: `link:${x.route.kind}`,
            note: `${x.cls}${x.cls === 'forged' ? ` (${y.forged[1]})` : ''}, csrf ${x.csrf}, ${b?.ct ?? 'GET'}`,
            expect: 'html' as const,
            mayWrite: x.cls === 'valid' && x.route.method === 'POST',
          };
          const preferencesPost = x.route.kind === 'preferences' && x.route.method === 'POST';
          return {
            ...base,
            ...make(token),
            ...(twinOf ? { twin: { ...base, ...make(twinOf) } } : {}),
            also: (r: Res) => {
              // Cross-site or stale form: a preference-centre POST without this page's token is refused (check 64).
              if (x.cls === 'valid' && preferencesPost && x.csrf !== 'right')
                expect([400, 403, 413]).toContain(r.status);
              if (x.cls === 'revoked' || x.cls === 'expired') expect([400, 410, 413]).toContain(r.status);
              if (x.cls === 'forged') expect([400, 404, 413]).toContain(r.status);
            },
          } satisfies Case;
        });
      }),
  );

/** The portal's double-submit CSRF: the cookie and the form field must match. */
const portalCsrf = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constant({ mode: 'match', cookie: randomBytes(32).toString('base64url') })
      .map((c) => ({ ...c, field: c.cookie })),
  },
  fc.constant({ mode: 'no cookie', cookie: undefined, field: randomBytes(32).toString('base64url') }),
  fc.constant({ mode: 'no field', cookie: randomBytes(32).toString('base64url'), field: undefined }),
  fc.constant({
    mode: 'mismatch',
    cookie: randomBytes(32).toString('base64url'),
    field: randomBytes(32).toString('base64url'),
  }),
  // Same length in characters, not in bytes.
  fc.constant({ mode: 'unicode', cookie: randomBytes(32).toString('base64url'), field: `é${'a'.repeat(42)}` }),
  junk.map((j) => ({ mode: 'junk', cookie: randomBytes(32).toString('base64url'), field: j as string | undefined })),
);
const slugs = fc.oneof(
  { weight: 6, arbitrary: fc.constant(w.a.tenant.slug) },
  fc.constant(w.b.tenant.slug),
  fc.constant('no-such-organisation'),
  junk.map((s) => enc(s.slice(0, 300))),
);
const portalCase: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ slug: slugs, lang: fc.option(lang, { nil: undefined }), headers: maybeJunkHeaders }).map((x) => ({
    family: 'portal',
    note: 'form page',
    method: 'GET',
    url: `/r/${x.slug}${q({ lang: x.lang })}`,
    headers: x.headers,
    expect: 'html' as const,
    mayWrite: false,
  })),
  fc
    .record({
      slug: slugs,
      csrf: portalCsrf,
      headers: maybeJunkHeaders,
      email: fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9]{1,10}@example\.org$/) }, junk),
      types: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.subarray(['access', 'erasure', 'objection', 'rectification', 'restriction'], { minLength: 1 }),
        },
        fc.array(junk, { maxLength: 3 }),
      ),
      details: fc.oneof(fc.constant(''), junk),
      transfer: fc.oneof(
        { weight: 4, arbitrary: fc.constant('') },
        junk.filter((s) => !s.includes('.')),
      ),
      lang: fc.option(lang, { nil: undefined }),
    })
    .chain((x) => {
      const fields: Record<string, string | string[]> = {
        email: x.email,
        types: x.types,
        details: x.details,
        transfer: x.transfer,
      };
      if (x.csrf.field !== undefined) fields.csrf = x.csrf.field;
      if (x.lang !== undefined) fields.lang = x.lang;
      return formBody(fields).map((b) => ({
        family: 'portal',
        note: `file a request, csrf ${x.csrf.mode}, ${b.ct}`,
        method: 'POST',
        url: `/r/${x.slug}`,
        headers: {
          ...x.headers,
          ...(b.ct ? { 'content-type': b.ct } : {}),
          ...(x.csrf.cookie ? { cookie: `lawful_csrf=${x.csrf.cookie}` } : {}),
        },
        body: b.body,
        expect: 'html' as const,
        mayWrite: x.csrf.mode === 'match',
        also: (r: Res) => {
          if (x.csrf.mode !== 'match' && r.status < 400) expect.fail(`accepted without the CSRF pair: ${r.status}`);
        },
      }));
    }),
  fc.record({ slug: slugs, t: junk, lang: fc.option(lang, { nil: undefined }) }).map((x) => ({
    family: 'portal',
    note: 'confirmation page',
    method: 'GET',
    url: `/r/${x.slug}/confirm${q({ t: x.t.slice(0, 3000), lang: x.lang })}`,
    headers: {},
    expect: 'html' as const,
    mayWrite: false,
  })),
  fc
    .record({
      slug: slugs,
      csrf: portalCsrf,
      headers: maybeJunkHeaders,
      proof: fc.oneof(
        junk.map((t) => ({ t })),
        fc.record({
          requestId: fc.oneof(fc.constant(newId('request')), junk),
          code: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), junk),
        }),
      ),
    })
    .chain((x) =>
      formBody({ ...(x.csrf.field !== undefined ? { csrf: x.csrf.field } : {}), ...x.proof }).map((b) => ({
        family: 'portal',
        note: `confirm with ${Object.keys(x.proof).join('+')}, csrf ${x.csrf.mode}, ${b.ct}`,
        method: 'POST',
        url: `/r/${x.slug}/confirm`,
        headers: {
          ...x.headers,
          ...(b.ct ? { 'content-type': b.ct } : {}),
          ...(x.csrf.cookie ? { cookie: `lawful_csrf=${x.csrf.cookie}` } : {}),
        },
        body: b.body,
        expect: 'html' as const,
        // Nothing here is a live confirmation: a forged token or code never verifies anything.
        mayWrite: false,
      })),
    ),
  fc
    .record({
      slug: slugs,
      id: fc.oneof(
        fc.constant(newId('request')),
        junk.map((s) => enc(s.slice(0, 300))),
      ),
      k: fc.oneof(junk, fc.constant(`é${'a'.repeat(42)}`), fc.constant(randomBytes(32).toString('base64url'))),
    })
    .map((x) => ({
      family: 'portal',
      note: 'status page, forged key',
      method: 'GET',
      url: `/r/${x.slug}/requests/${x.id}${q({ k: x.k.slice(0, 3000) })}`,
      headers: {},
      expect: 'html' as const,
      mayWrite: false,
      also: (r: Res) => expect(r.status, 'a forged status key opened a request').toBeGreaterThanOrEqual(400),
    })),
);

const siteJs = (id: string) => `${id}.js`;
const bannerCase: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        key: weighted([5, 'own'], [2, 'other tenant'], [1, 'admin'], [1, 'junk'], [1, 'none']),
        keyIn: weighted([3, 'header'], [1, 'body']),
        origin: weighted<string | undefined>(
          [5, ORIGIN],
          [1, ORIGIN_B],
          [1, 'https://evil.test'],
          [1, 'null'],
          [1, undefined],
        ),
        site: weighted([4, 'own'], [1, 'other tenant']),
        decision: weighted([3, 'analytics'], [2, 'marketing'], [1, 'necessary'], [1, 'nope']),
        mutate: fc.option(
          fc.oneof(
            fc.record({
              field: fc.constantFrom('deviceId', 'pageUrl', 'locale', 'noticeHash', 'idempotencyKey'),
              v: junk,
            }),
            fc.constantFrom({ field: '(raw)', v: '{' }, { field: '(raw)', v: '' }, { field: '(raw)', v: '[]' }),
          ),
          // fast-check's freq: one case in `freq` is the unmutated record.
          { nil: undefined, freq: 2 },
        ),
        ct: weighted(
          [4, 'application/json'],
          [2, 'text/plain'],
          [1, 'text/plain;charset=UTF-8'],
          [1, 'application/xml'],
          [1, ''],
        ),
        query: weighted([8, ''], [1, '?key=x'], [1, '?publishableKey=x'], [1, '?a']),
        headers: maybeJunkHeaders,
      })
      .map((x) => {
        const site = x.site === 'own' ? w.siteA : w.siteB;
        const notice = x.site === 'own' ? w.noticeA : w.noticeB;
        const secret = {
          own: w.siteA.publishableKey,
          'other tenant': w.siteB.publishableKey,
          admin: w.a.admin,
          junk: 'lf_pk_not-a-real-key',
          none: undefined,
        }[x.key];
        const rec: Record<string, unknown> = bannerRecord(site, notice, [
          { category: x.decision, granted: true, method: 'banner' },
        ]);
        if (x.keyIn === 'body' && secret) rec.publishableKey = secret;
        if (x.mutate && x.mutate.field !== '(raw)') rec[x.mutate.field] = x.mutate.v;
        const headers: Record<string, string> = { ...x.headers };
        delete headers.origin;
        if (x.origin) headers.origin = x.origin;
        if (x.ct) headers['content-type'] = x.ct;
        if (x.keyIn === 'header' && secret) headers.authorization = `Bearer ${secret}`;
        // Each site's own key, from its own origin (or none: a server), in the header or in a sendBeacon body.
        const entitled =
          (x.site === 'own' ? x.key === 'own' : x.key === 'other tenant') &&
          (x.origin === undefined || x.origin === (x.site === 'own' ? ORIGIN : ORIGIN_B)) &&
          // A string body sent without a type goes as text/plain, as a browser's sendBeacon sends it.
          (x.keyIn === 'header' || x.ct.startsWith('text/plain') || x.ct === '') &&
          x.query === '';
        return {
          family: 'banner:consent',
          note: `key ${x.key} in ${x.keyIn}, origin ${x.origin}, site ${x.site}, ${x.ct || '(no type)'}, ${x.mutate?.field ?? 'valid'}`,
          method: 'POST',
          url: `/v1/consent/banner${x.query}`,
          headers,
          body: x.mutate?.field === '(raw)' ? x.mutate.v : JSON.stringify(rec),
          expect: 'json' as const,
          mayWrite: entitled,
          also: (r: Res) => {
            if (!entitled)
              expect(r.status, 'a record without the site’s key from its origin').toBeGreaterThanOrEqual(400);
            if (x.site === 'own' && (x.key === 'other tenant' || (x.origin && x.origin !== ORIGIN)))
              expect([400, 401, 403, 404, 415, 422], `${r.status} ${r.text}`).toContain(r.status);
          },
        } satisfies Case;
      }),
  },
  fc.constantFrom(ORIGIN, ORIGIN_B, 'https://evil.test', 'null', `${ORIGIN}/`, ORIGIN.toUpperCase()).map((origin) => ({
    family: 'banner:preflight',
    note: origin,
    method: 'OPTIONS',
    url: '/v1/consent/banner',
    headers: { origin, 'access-control-request-method': 'POST' },
    expect: 'asset' as const,
    mayWrite: false,
    also: (r: Res) => {
      const allowed = origin === ORIGIN || origin === ORIGIN_B;
      expect(r.status).toBe(allowed ? 204 : 403);
      expect(r.headers.get('access-control-allow-origin')).toBe(allowed ? origin : null);
    },
  })),
  fc
    .record({
      path: fc.oneof(
        fc.constantFrom(
          `/v1/banner/${siteJs(w.siteA.id)}`,
          `/v1/banner/${siteJs(w.siteB.id)}`,
          '/v1/banner/tcf.js',
          `/v1/banner/${siteJs(newId('site'))}`,
          `/v1/banner/${w.siteA.id}/1/${'a'.repeat(64)}.js`,
        ),
        junk.map((s) => `/v1/banner/${enc(s.slice(0, 300))}`),
        fc
          .tuple(fc.constantFrom(w.siteA.id, 'x'), junk, junk)
          .map(([s, v, f]) => `/v1/banner/${s}/${enc(v.slice(0, 100))}/${enc(f.slice(0, 100))}`),
      ),
      headers: maybeJunkHeaders,
    })
    .map((x) => ({
      family: 'banner:script',
      note: 'script',
      method: 'GET',
      url: x.path,
      headers: x.headers,
      expect: 'json' as const,
      // The first GET of a site's script after a change stores the build, so its pinned (SRI) URL serves those bytes.
      mayWrite: ['banner_scripts'],
    })),
  fc
    .oneof(
      fc.constantFrom(tA, w.b.tenant.id, newId('tenant')),
      junk.map((s) => enc(s.slice(0, 200))),
    )
    .map((id) => ({
      family: 'jwks',
      note: 'keys',
      method: 'GET',
      url: `/.well-known/lawful/${id}/jwks.json`,
      headers: {},
      expect: 'jwks' as const,
      mayWrite: false,
    })),
  fc
    .oneof(
      fc.constantFrom(w.a.tenant.slug, `${w.a.tenant.slug}.json`),
      junk.map((s) => enc(s.slice(0, 200))),
    )
    .map((f) => ({
      family: 'subprocessors',
      note: 'public list',
      method: 'GET',
      url: `/subprocessors/${f}`,
      headers: {},
      expect: 'json' as const,
      mayWrite: false,
    })),
  fc
    .oneof(
      fc.constantFrom(
        '/admin',
        '/admin/',
        '/admin/%E0%A4%A',
        '/admin/%2e%2e/%2e%2e/package.json',
        '/admin/assets/x.js',
      ),
      junk.map((s) => `/admin/${enc(s.slice(0, 200))}`),
      fc
        .tuple(junk, junk)
        .map(([s, l]) => `/admin/banner-preview${q({ site: s.slice(0, 200), lang: l.slice(0, 50) })}`),
    )
    .map((url) => ({
      family: 'console',
      note: 'static',
      method: 'GET',
      url,
      headers: {},
      expect: 'console' as const,
      mayWrite: false,
    })),
);

// ---- replays: a one-time token acts once; the second use changes nothing and says so ----
const replays = { runs: 0 };
/** Sends the same request twice: the first must act, the second must write nothing. */
const twice = async (label: string, req: () => { url: string; headers: Record<string, string>; body?: string }) => {
  const first = req();
  const a = await send('POST', first.url, first.headers, first.body);
  expect(a.status, `${label}, first use: ${a.text.slice(0, 300)}`).toBeLessThan(400);
  const before = await w.fp.take();
  const again = req();
  const b = await send('POST', again.url, again.headers, again.body);
  expect(b.status, `${label}, replayed: ${b.text.slice(0, 300)}`).toBeLessThan(500);
  expect(changed(before, await w.fp.take()), `${label}: the replay wrote`).toEqual([]);
  replays.runs++;
  return [a, b] as const;
};
const portalForm = (fields: Record<string, string>, headers: Record<string, string> = {}) => {
  const csrf = randomBytes(32).toString('base64url');
  return () => ({
    url: `/r/${w.a.tenant.slug}/confirm`,
    ...form({ ...fields, csrf }, { ...headers, cookie: `lawful_csrf=${csrf}` }),
  });
};
const newRequest = async () =>
  h.rt.services.requestsModule.requests.create(
    tA,
    {
      types: ['access'],
      identities: [{ type: 'email', value: `${randomUUID()}@example.org` }],
      channel: 'portal',
      identityVerified: false,
      locale: 'en',
    },
    'portal',
  );
const pageHeaders = fc.option(
  junkHeaders.map(({ cookie: _, ...rest }) => rest),
  { nil: {}, freq: 2 },
);

/** Each was found by this test (or while writing it) and fixed at the root; pinned here by the exact request. */
const formType = { 'content-type': 'application/x-www-form-urlencoded' };
const REGRESSIONS: {
  name: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
}[] = [
  {
    name: 'unreadable multipart form on a preference page (was a 500)',
    method: 'POST',
    url: `/p/${genuine.preferences}/choice`,
    headers: { 'content-type': 'multipart/form-data' },
    body: '',
    status: 400,
  },
  {
    name: 'unreadable multipart form on the portal (was a 500)',
    method: 'POST',
    url: `/r/${w.a.tenant.slug}`,
    headers: { 'content-type': 'multipart/form-data' },
    body: '',
    status: 400,
  },
  { name: 'a malformed escape under /admin/ (was a 500)', method: 'GET', url: '/admin/%ED%A0%80', status: 404 },
  {
    name: 'a portal CSRF field as long as the cookie in characters, not in bytes (was a 500)',
    method: 'POST',
    url: `/r/${w.a.tenant.slug}`,
    headers: { ...formType, cookie: `lawful_csrf=${'a'.repeat(43)}` },
    body: `csrf=%C3%A9${'a'.repeat(42)}`,
    status: 403,
  },
  {
    name: 'a status key as long as the real one in characters, not in bytes (was a 500)',
    method: 'GET',
    url: `/r/${w.a.tenant.slug}/requests/${newId('request')}?k=%C3%A9${'a'.repeat(42)}`,
    status: 404,
  },
  { name: 'an unknown portal (was JSON)', method: 'GET', url: '/r/no-such-organisation', status: 404 },
  {
    name: 'a NUL byte in the portal address (was a JSON 400 from PostgreSQL)',
    method: 'GET',
    url: '/r/x%00',
    status: 404,
  },
  { name: 'a link cut off after /p/ (was JSON)', method: 'POST', url: '/p//unsubscribe-all', status: 404 },
  {
    name: 'an objection the service refuses (was JSON)',
    method: 'POST',
    url: `/p/${genuine.preferences}/object`,
    headers: formType,
    body: `purpose=billing&_csrf=${csrfFor(w.keyA, genuine.preferences)}`,
    status: 422,
  },
];

describe(`fuzz the people-facing routes (${backend})`, { timeout: 600_000 }, () => {
  afterAll(async () => {
    process.stdout.write(`fuzz-pages (${backend}): ${JSON.stringify({ ...tally, replays: replays.runs })}\n`);
    await h.close();
  });

  it('every route outside /openapi.json is known to this test, and every one it knows is served', async () => {
    const doc = (await send('GET', '/openapi.json')).text;
    const paths = JSON.parse(doc).paths as Record<string, Record<string, unknown>>;
    const documented = new Set(
      Object.entries(paths).flatMap(([p, item]) =>
        Object.keys(item).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const served = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    const undocumented = [...served].filter((r) => !documented.has(r));
    expect(undocumented.filter((r) => !(r in UNDOCUMENTED_ROUTES))).toEqual([]);
    expect(Object.keys(UNDOCUMENTED_ROUTES).filter((r) => !served.has(r))).toEqual([]);
  });

  it('links: forged, expired, revoked and valid tokens × junk forms, CSRF and headers', async () => {
    await fc.assert(fc.asyncProperty(linkCase, check), {
      numRuns: Math.ceil(TOTAL * 0.4),
      seed: SEED,
      endOnFailure: true,
    });
  });

  it('the request portal: junk filings, CSRF pairs, forged confirmations and status keys', async () => {
    await fc.assert(fc.asyncProperty(portalCase, check), {
      numRuns: Math.ceil(TOTAL * 0.3),
      seed: SEED,
      endOnFailure: true,
    });
  });

  it('banner endpoints: other tenants’ keys, bad origins, junk records; scripts, keys, lists, console files', async () => {
    await fc.assert(fc.asyncProperty(bannerCase, check), {
      numRuns: Math.ceil(TOTAL * 0.3),
      seed: SEED,
      endOnFailure: true,
    });
  });

  it('replays: request confirmation (link and code), double opt-in, one-click unsubscribe, banner record', async () => {
    const runs = Math.max(2, Math.ceil(TOTAL / 200));
    await fc.assert(
      fc.asyncProperty(pageHeaders, async (headers) => {
        // The e-mailed link: confirms once, then is "wrong, used or expired" like any unknown token, and its code too.
        const byLink = await newRequest();
        const [ok, replay] = await twice('request link', portalForm({ t: byLink.confirmation!.token }, headers));
        expect(ok.status).toBe(303);
        expect(replay.status).toBe(400);
        const guess = portalForm({ t: randomBytes(32).toString('base64url') }, headers)();
        const unknown = await send('POST', guess.url, guess.headers, guess.body);
        expect(normalised(replay.text)).toBe(normalised(unknown.text));
        const code = portalForm({ requestId: byLink.request.id, code: byLink.confirmation!.code }, headers)();
        const before = await w.fp.take();
        expect((await send('POST', code.url, code.headers, code.body)).status).toBe(400);
        expect(changed(before, await w.fp.take())).toEqual([]);
        // The status page it leads to opens with its key only; a forged key answers as an unknown request does.
        const status = ok.headers.get('location')!;
        expect((await send('GET', status)).status).toBe(200);
        const u = new URL(status, 'http://x');
        const k = u.searchParams.get('k')!;
        const forged = await send('GET', `${u.pathname}?k=${k.slice(0, -1)}${k.endsWith('A') ? 'B' : 'A'}`);
        const stranger = await send('GET', `/r/${w.a.tenant.slug}/requests/${newId('request')}?k=${k}`);
        expect([forged.status, normalised(forged.text)]).toEqual([404, normalised(stranger.text)]);

        // The typed code: once.
        const byCode = await newRequest();
        const [ok2, replay2] = await twice(
          'request code',
          portalForm({ requestId: byCode.request.id, code: byCode.confirmation!.code }, headers),
        );
        expect([ok2.status, replay2.status]).toEqual([303, 400]);

        // Double opt-in: the second press confirms nothing.
        const p = await person();
        const c = await mint(p, 'confirm');
        const [ok3, replay3] = await twice('double opt-in', () => ({ url: `/c/${c}`, ...form({}, headers) }));
        expect([ok3.status, replay3.status]).toEqual([200, 200]);
        expect(replay3.text).not.toBe(ok3.text);

        // One-click unsubscribe: the second POST finds nothing in force.
        const un = await mint(p, 'unsubscribe');
        await twice('one-click unsubscribe', () => ({
          url: `/u/${un}`,
          ...form({ 'List-Unsubscribe': 'One-Click' }, headers),
        }));

        // The banner's record: its idempotency key stores one set of records.
        const rec = JSON.stringify(
          bannerRecord(w.siteA, w.noticeA, [{ category: 'analytics', granted: true, method: 'banner' }]),
        );
        const bannerHeaders = {
          'content-type': 'application/json',
          authorization: `Bearer ${w.siteA.publishableKey}`,
          origin: ORIGIN,
        };
        const [ok4, replay4] = await twice('banner record', () => ({
          url: '/v1/consent/banner',
          headers: bannerHeaders,
          body: rec,
        }));
        expect([ok4.status, replay4.status]).toEqual([201, 200]);
        expect(JSON.parse(replay4.text)).toMatchObject({ duplicate: true, id: JSON.parse(ok4.text).id });
      }),
      { numRuns: runs, seed: SEED, endOnFailure: true },
    );
  });

  it('an expired request confirmation is refused like an unknown one and verifies nothing', async () => {
    const r = await newRequest();
    clock.set(new Date(now.getTime() + 24 * 3600_000 + 1000));
    try {
      const before = await w.fp.take();
      const late = portalForm({ t: r.confirmation!.token })();
      const res = await send('POST', late.url, late.headers, late.body);
      expect(changed(before, await w.fp.take())).toEqual([]);
      const unknown = portalForm({ t: randomBytes(32).toString('base64url') })();
      const other = await send('POST', unknown.url, unknown.headers, unknown.body);
      expect([res.status, normalised(res.text)]).toEqual([400, normalised(other.text)]);
    } finally {
      clock.set(now);
    }
  });

  for (const g of REGRESSIONS) {
    it(`regression: ${g.name}`, async () => {
      const before = await w.fp.take();
      const r = await send(g.method, g.url, g.headers ?? {}, g.body);
      expect(r.status, r.text.slice(0, 300)).toBe(g.status);
      if (!g.url.startsWith('/admin/')) expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(changed(before, await w.fp.take())).toEqual([]);
    });
  }
});
