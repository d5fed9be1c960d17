import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady } from '../../../apps/server/test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../apps/server/test/harness.ts';
import { createLawfulClient, LawfulError } from '../src/index.ts';

const PASSWORD = 'a long enough passphrase';

/** The server in-process, with a one-cookie jar standing in for the browser. */
const browserFetch = (h: Harness, ip: string): typeof fetch => {
  let cookie = '';
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await h.app.request(
      String(input),
      { ...init, headers },
      { incoming: { socket: { remoteAddress: ip } } },
    );
    const set = res.headers.get('set-cookie');
    if (set) cookie = /Max-Age=0/.test(set) ? '' : (set.split(';')[0] ?? '');
    return res;
  };
};

describe('@lawful/sdk against the real server', () => {
  let h: Harness;
  let slug: string;

  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant('SDK Org');
    slug = t.tenant.slug;
    await h.rt.services.users.create(
      t.tenant.id,
      { email: 'dpo@example.org', password: PASSWORD, role: 'admin', totp: false },
      'test',
    );
  });
  afterAll(() => h.close());

  it('signs in with the cookie, sends the CSRF token on writes, signs out', async () => {
    const lawful = createLawfulClient({ fetch: browserFetch(h, '10.9.0.1') });
    expect(await lawful.session.current()).toBeNull();
    const s = await lawful.session.signIn({ tenant: slug, email: 'dpo@example.org', password: PASSWORD });
    expect(s.user.role).toBe('admin');
    const key = await lawful.keys.create({ name: 'from the sdk', role: 'read_only' });
    expect(key.secret).toMatch(/^lf_sk_/);
    expect((await lawful.keys.revoke(key.id)).revokedAt).not.toBeNull();
    expect((await lawful.users.list()).items).toHaveLength(1);
    await lawful.session.signOut();
    expect(await lawful.session.current()).toBeNull();
    await expect(lawful.keys.list()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('throws LawfulError with the code and the field at fault', async () => {
    const lawful = createLawfulClient({ fetch: browserFetch(h, '10.9.0.2') });
    const e = await lawful.session.signIn({ tenant: slug, email: 'not-an-address', password: 'x' }).catch((x) => x);
    expect(e).toBeInstanceOf(LawfulError);
    expect(e).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', field: 'email' });
    expect(e.requestId).toMatch(/^rid_/);
  });

  it('uses an API key when given one, and downloads the ROPA as a file', async () => {
    const t = await h.newTenant('Keyed');
    const lawful = createLawfulClient({
      apiKey: t.admin,
      fetch: (i, init) => Promise.resolve(h.app.request(String(i), init)),
    });
    expect((await lawful.purposes.list()).items).toEqual([]);
    await consentReady(h, t.admin);
    expect((await lawful.purposes.versions('billing')).items.map((p) => p.version)).toEqual([1]);
    const csv = await lawful.ropa.download('csv');
    expect(csv.filename).toBe('ropa-controller.csv');
    expect(csv.blob.type).toMatch(/text\/csv/);
    const overview = await lawful.overview.consent({ weeks: 2 });
    expect(overview.weeks).toHaveLength(2);
  });
});
