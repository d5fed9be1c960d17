import fc from 'fast-check';
import { text } from './fuzz-schema.ts';

/**
 * Every route the server answers that /openapi.json does not describe, by the test that fuzzes it. fuzz-pages fails
 * when the app serves one that is not listed here (or one listed here is gone), so a new page is noticed the day it
 * is added. `pages`: fuzzed by fuzz-pages.int.test.ts; the others are named with where they are tested instead.
 */
export const UNDOCUMENTED_ROUTES: Record<string, 'pages' | 'console' | 'opendsr' | 'docs'> = {
  // preference centre, one-click unsubscribe, double opt-in (modules/preferences)
  'GET /p/_/preferences.css': 'pages',
  'GET /p/:token': 'pages',
  'POST /p/:token/choice': 'pages',
  'POST /p/:token/unsubscribe-all': 'pages',
  'POST /p/:token/object': 'pages',
  'GET /p/:token/receipt': 'pages',
  'GET /u/:token': 'pages',
  'POST /u/:token': 'pages',
  'GET /c/:token': 'pages',
  'POST /c/:token': 'pages',
  // request portal (modules/requests/requests.portal.tsx)
  'GET /r/_/portal.css': 'pages',
  'GET /r/:slug': 'pages',
  'POST /r/:slug': 'pages',
  'GET /r/:slug/confirm': 'pages',
  'POST /r/:slug/confirm': 'pages',
  'GET /r/:slug/requests/:requestId': 'pages',
  // the banner's public endpoints (modules/banner) and the receipts' public keys (modules/consent)
  'GET /v1/banner/tcf.js': 'pages',
  'GET /v1/banner/:file': 'pages',
  'GET /v1/banner/:siteId/:version/:file': 'pages',
  'OPTIONS /v1/consent/banner': 'pages',
  'POST /v1/consent/banner': 'pages',
  'GET /.well-known/lawful/:tenantId/jwks.json': 'pages',
  'GET /subprocessors/:file': 'pages',
  // the admin console's static files (its API calls are /v1 routes, fuzzed by fuzz.int.test.ts); paths only here
  'GET /admin': 'pages',
  'GET /admin/banner-preview': 'pages',
  'GET /admin/*': 'pages',
  // machine-to-machine, own error shape: modules/opendsr/opendsr.int.test.ts
  'POST /opendsr/v1/requests': 'opendsr',
  'GET /opendsr/v1/requests/:id': 'opendsr',
  'DELETE /opendsr/v1/requests/:id': 'opendsr',
  'POST /opendsr/v1/opengdpr_requests': 'opendsr',
  'GET /opendsr/v1/opengdpr_requests/:id': 'opendsr',
  'DELETE /opendsr/v1/opengdpr_requests/:id': 'opendsr',
  'GET /opendsr/v1/discovery': 'opendsr',
  'GET /opendsr/v1/certificate.pem': 'opendsr',
  'GET /openapi.json': 'docs',
  'GET /docs/scalar.js': 'docs',
  'GET /docs': 'docs',
};

/** Strings that must never come back raw in a page: each would run, or break out of an attribute, if unescaped. */
export const INJECTIONS = [
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "'><img src=x onerror=alert(1)>",
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  '<iframe src="javascript:alert(1)">',
];

/** Junk for a form field or query value: injections, unicode, control characters, long and very long text. */
export const junk: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: text(0, 40) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', '\u202e', '\ufeff', '🏳️‍🌈', 'İ'.repeat(200), 'null', '[]'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
);

/** What a header may carry (a client cannot send control characters or non-Latin-1 text in one). */
export const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');

const junkHeader = fc.oneof(
  { weight: 3, arbitrary: junk.map((s) => headerSafe(s.slice(0, 2000))) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(8000)) },
);

/**
 * Header junk a browser, a proxy or an attacker sends: languages, cookies (the portal's CSRF cookie and the console's
 * session cookie included), Origin and Referer of other sites, forwarded-for chains.
 */
export const junkHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      'accept-language': fc.oneof(
        junkHeader,
        fc.constantFrom('*', 'fr-CH, fr;q=0.9, en;q=0.8', 'de;q=2', 'xx-YY;q=0.5,,,;q=', 'en;q=abc', ','.repeat(500)),
      ),
      cookie: fc.oneof(
        junkHeader,
        junkHeader.map((v) => `lawful_csrf=${v}`),
        junkHeader.map((v) => `__Host-lawful_session=${v}; lawful_csrf=${v}`),
        fc.constantFrom('lawful_csrf=%E0%A4%A', 'lawful_csrf="', '=;=;=', 'a=b; a=c; lawful_csrf='),
      ),
      origin: fc.oneof(
        junkHeader,
        fc.constantFrom('null', 'https://evil.test', 'http://a.test', 'https://a.test.evil'),
      ),
      referer: fc.oneof(junkHeader, fc.constantFrom('https://evil.test/form', 'javascript:alert(1)')),
      'x-forwarded-for': fc.oneof(junkHeader, fc.constantFrom('1.2.3.4, 10.0.0.1', '::1', '999.999.1.1', 'unknown')),
      'user-agent': junkHeader,
      'if-none-match': junkHeader,
      'sec-gpc': fc.constantFrom('1', '0', 'yes'),
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);

/** A form body in many encodings, right or wrong for what the route reads. */
export const formBody = (fields: Record<string, string | string[]>) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constant({ ct: 'application/x-www-form-urlencoded', body: urlEncoded(fields) }),
    },
    { weight: 1, arbitrary: fc.constant(multipart(fields)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        { ct: 'application/json', body: JSON.stringify(fields) },
        { ct: 'text/plain', body: urlEncoded(fields) },
        { ct: '', body: urlEncoded(fields) },
        { ct: 'multipart/form-data', body: urlEncoded(fields) },
        { ct: 'multipart/form-data; boundary=zz', body: '--zz\r\nContent-Disposition: form-data\r\n\r\nx' },
        { ct: 'application/x-www-form-urlencoded; charset=utf-16', body: urlEncoded(fields) },
        { ct: 'application/x-www-form-urlencoded', body: `${urlEncoded(fields)}&%=%ZZ&%ED%A0%80=%00&a[b]=1&&=` },
        { ct: 'application/xml', body: '<a/>' },
      ),
    },
  );

const urlEncoded = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
  return p.toString();
};

const multipart = (fields: Record<string, string | string[]>) => {
  const b = 'fuzzboundary7MA4YWxkTrZu0gW';
  const parts = Object.entries(fields).flatMap(([k, v]) =>
    [v].flat().map((x) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${x}\r\n`),
  );
  return { ct: `multipart/form-data; boundary=${b}`, body: `${parts.join('')}--${b}--\r\n` };
};

/** A token changed by one character: in the payload (the claims) or in the MAC. */
export const bitFlip = (token: string) =>
  fc.nat({ max: token.length - 1 }).map((i) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const ch = token[i] === '.' ? 'A' : alphabet[(alphabet.indexOf(token[i]!) + 1) % alphabet.length]!;
    return `${token.slice(0, i)}${ch}${token.slice(i + 1)}`;
  });

/** A token cut short anywhere. */
export const truncated = (token: string) => fc.nat({ max: token.length - 1 }).map((n) => token.slice(0, n));

/** A page is answered in one of these ways when a route is not HTML, JSON or a script. */
export const isHtml = (ct: string | null) => /^text\/html/.test(ct ?? '');
export const isJson = (ct: string | null) => /^application\/json/.test(ct ?? '');

/** Drops what differs between two answers to the same request by design (fresh CSRF values). */
export const normalised = (html: string) => html.replace(/(name="_?csrf" value=")[^"]*"/g, '$1"');
