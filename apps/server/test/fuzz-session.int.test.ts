import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isPublicBannerPath } from '../src/modules/banner/banner.routes.ts';
import { exportDownloadPath } from '../src/modules/datamap/datamap.routes.ts';
import { taskCallbackPath } from '../src/modules/requests/requests.routes.ts';
import { changed, fingerprinter } from './fuzz-fixtures.ts';
import { backend, createHarness } from './harness.ts';

/**
 * Property-based fuzzing of the console's cookie sessions (issue 10; check 64): a live admin session whose writes
 * carry a wrong `x-csrf-token` — absent, empty, the genuine token with one character changed, cut short or extended,
 * another session's token, the session cookie itself, junk of any length and alphabet, the header sent twice — on
 * every write operation of /openapi.json that a session can reach. Whatever arrives: a 403 naming the header, and
 * nothing written anywhere. The genuine token on the same session gets past the check (the control that shows the
 * property can fail). LAWFUL_FUZZ_SESSION_CASES sets the number of cases (default 300); LAWFUL_FUZZ_SEED replays.
 */
const TOTAL = Number(process.env.LAWFUL_FUZZ_SESSION_CASES ?? process.env.LAWFUL_FUZZ_CASES ?? 300);
const SEED = Number(process.env.LAWFUL_FUZZ_SEED ?? 20261129);
const PASSWORD = 'correct horse battery staple';

const h = await createHarness();
const t = await h.newTenant('Session Fuzz');
let ip = 0;
const signIn = async (role: 'admin' | 'read_only') => {
  const email = `console.${role}.${++ip}@example.org`;
  await h.rt.services.users.create(t.tenant.id, { email, password: PASSWORD, role, totp: false }, 'test');
  const res = await h.app.request(
    '/v1/session',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: t.tenant.slug, email, password: PASSWORD }),
    },
    { incoming: { socket: { remoteAddress: `10.9.0.${ip}` } } },
  );
  expect(res.status).toBe(201);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, token: cookie.slice(cookie.indexOf('=') + 1), csrf: csrfToken };
};
const admin = await signIn('admin');
const other = await signIn('admin');

type Op = { method: string; path: string };
const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
/** Writes a console session can reach: under /v1, behind the authentication middleware (not its exceptions). */
const ops: Op[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
    .map((m) => ({ method: m.toUpperCase(), path }))
    .filter(
      (o) =>
        o.path.startsWith('/v1/') &&
        o.path !== '/v1/session' &&
        !o.path.startsWith('/v1/operator/') &&
        !isPublicBannerPath(o.path) &&
        !exportDownloadPath.test(o.path) &&
        !taskCallbackPath.test(o.path),
    ),
);
const fp = await fingerprinter(h);

const segment = fc.oneof(fc.uuid(), fc.stringMatching(/^[a-z0-9_-]{1,24}$/));
const urlOf = (op: Op, ids: string[]) => {
  let i = 0;
  return op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(ids[i++ % ids.length]!));
};
const flip = (s: string, at: number) => {
  const i = at % s.length;
  return `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
};
/** A wrong header, or none (undefined). */
const badToken: fc.Arbitrary<{ note: string; value: string | undefined }> = fc.oneof(
  fc.constant({ note: 'absent', value: undefined }),
  fc.constant({ note: 'empty', value: '' }),
  fc.nat().map((n) => ({ note: 'one character changed', value: flip(admin.csrf, n) })),
  fc.integer({ min: 0, max: admin.csrf.length - 1 }).map((n) => ({ note: 'cut short', value: admin.csrf.slice(0, n) })),
  // Not whitespace: a header value's surrounding whitespace is not part of it (fetch trims it).
  fc.stringMatching(/^[\w.~+/=-]{1,8}$/).map((s) => ({ note: 'extended', value: `${admin.csrf}${s}` })),
  fc.constant({ note: "another session's token", value: other.csrf }),
  fc.constant({ note: 'the session cookie', value: admin.token }),
  fc.constant({ note: 'the token twice', value: `${admin.csrf}, ${admin.csrf}` }),
  fc.constant({ note: 'lower-cased', value: admin.csrf.toLowerCase() }),
  fc.string({ maxLength: 200 }).map((s) => ({ note: 'junk', value: s })),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => ({ note: 'unicode junk', value: s })),
  fc.nat({ max: 20_000 }).map((n) => ({ note: 'long', value: 'x'.repeat(n) })),
);
const bodyOf = fc.oneof(
  fc.constant(undefined),
  fc.constant('{}'),
  fc.json({ maxDepth: 2 }),
  fc.string({ maxLength: 100 }),
);

/** Header values fetch refuses to send (control characters, non-Latin-1) are sent as their bytes' UTF-8 reading. */
const headerSafe = (v: string) =>
  Buffer.from(v, 'utf8')
    .toString('latin1')
    .replace(/[\0\r\n]/g, '');

describe(`fuzz the console session's CSRF check (${backend})`, { timeout: 600_000 }, () => {
  afterAll(() => h.close());

  it('the document lists the writes and the genuine token gets past the check (the control)', async () => {
    expect(ops.length).toBeGreaterThan(40);
    const res = await h.request('POST', '/v1/keys', {
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: { name: 'control', role: 'read_only' },
    });
    expect(res.status).toBe(201);
  });

  it('check 64: a live session with a wrong x-csrf-token gets a 403 naming the header, and nothing is written', async () => {
    const tally: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ops),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        badToken,
        bodyOf,
        async (op, ids, bad, body) => {
          const before = await fp.take();
          const headers: Record<string, string> = { cookie: admin.cookie, 'content-type': 'application/json' };
          if (bad.value !== undefined) headers['x-csrf-token'] = headerSafe(bad.value);
          const url = urlOf(op, ids);
          const res = await h.app.request(url, { method: op.method, headers, body });
          const text = await res.text();
          const label = `${op.method} ${url} [${bad.note}] → ${res.status} ${text.slice(0, 300)}`;
          tally[bad.note] = (tally[bad.note] ?? 0) + 1;
          expect(res.status, label).toBe(403);
          const err = JSON.parse(text).error;
          expect([err.code, err.field], label).toEqual(['FORBIDDEN', 'x-csrf-token']);
          expect(changed(before, await fp.take()), label).toEqual([]);
        },
      ),
      { numRuns: TOTAL, seed: SEED },
    );
    process.stdout.write(
      `fuzz-session (${backend}): ${TOTAL} cases over ${ops.length} writes ${JSON.stringify(tally)}\n`,
    );
  });
});
