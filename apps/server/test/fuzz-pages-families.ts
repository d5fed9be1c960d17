import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { newId } from '../src/lib/ids.ts';
import { bannerRecord } from '../src/modules/banner/banner.fixtures.ts';
import { csrfFor, type LinkKind } from '../src/modules/preferences/preferences.token.ts';
import { formBody, junk, junkHeaders } from './fuzz-pages-cases.ts';
import { ORIGIN, ORIGIN_B, type PagesWorld } from './fuzz-pages-world.ts';

export type Res = { status: number; headers: Headers; text: string };
// ---- one case ----
type Expect = 'html' | 'json' | 'asset' | 'jwks' | 'console';
export type Case = {
  family: string;
  note: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  expect: Expect;
  /** May this request change something (or these tables)? Only an entitled one, and only when it succeeds. */
  mayWrite: boolean | string[];
  /** The same request with an unknown person's token: the answer must be the same. */
  twin?: Omit<Case, 'twin'>;
  also?: (r: Res) => void;
};

/** The random cases of fuzz-pages: links, the request portal, the banner and the other public routes. */
export const pageFamilies = (world: PagesWorld) => {
  const { w, tA, genuine, others, expired, revoked, reference, forgedOf } = world;
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
            arbitrary: fc.subarray(['access', 'erasure', 'objection', 'rectification', 'restriction'], {
              minLength: 1,
            }),
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
    fc
      .constantFrom(ORIGIN, ORIGIN_B, 'https://evil.test', 'null', `${ORIGIN}/`, ORIGIN.toUpperCase())
      .map((origin) => ({
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
        // The .json address is for programs; the page is for people, and errs with a page.
        expect: f.endsWith('.json') ? ('json' as const) : ('html' as const),
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

  return { linkCase, portalCase, bannerCase };
};
