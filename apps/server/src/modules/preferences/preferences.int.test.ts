import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady, grantBody } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';

const clock = fixedClock('2026-03-01T10:00:00Z');
let h: Harness;
let admin: string;
let tenantId: string;
let notice: Awaited<ReturnType<typeof consentReady>>;

beforeAll(async () => {
  h = await createHarness({ clock, env: { LAWFUL_PUBLIC_URL: 'https://privacy.acme.test' } });
  const t = await h.newTenant('Acme');
  admin = t.admin;
  tenantId = t.tenant.id;
  notice = await consentReady(h, admin);
});
afterAll(() => h.close());

/** A subject who granted both purposes through a form, and a preference link for them. */
const person = async (email: string) => {
  const r = await h.request('POST', '/v1/consents', {
    key: admin,
    body: grantBody(notice, email, [
      { purpose: 'marketing-email', granted: true },
      { purpose: 'product-analytics', granted: true },
    ]),
  });
  expect(r.status, r.text).toBe(201);
  const subjectId = r.body.records[0].subjectId as string;
  const link = await h.request('POST', `/v1/subjects/${subjectId}/preference-link`, { key: admin, body: {} });
  expect(link.status, link.text).toBe(201);
  const path = new URL(link.body.url).pathname;
  return { subjectId, path, url: link.body.url as string, expiresAt: link.body.expiresAt as string };
};

const formsOf = (html: string) =>
  [...html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)].map((m) => ({
    action: m[1]!.replace(/&amp;/g, '&'),
    fields: Object.fromEntries(
      [...m[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((f) => [f[1]!, f[2]!]),
    ),
    button: /<button[^>]*>([^<]*)<\/button>/.exec(m[2]!)?.[1] ?? '',
  }));

const post = (path: string, fields: Record<string, string>) =>
  h.request('POST', path, {
    raw: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

const stateOf = async (subjectId: string) => {
  const r = await h.request('GET', `/v1/subjects/${subjectId}/consents`, { key: admin });
  return Object.fromEntries((r.body.state as { purpose: string; state: string }[]).map((s) => [s.purpose, s.state]));
};

describe('preference links (checks 12, 60, 64)', () => {
  it('a link is signed, expires in 30 days by default and carries no personal data', async () => {
    const p = await person('ada@example.com');
    expect(p.url.startsWith('https://privacy.acme.test/p/')).toBe(true);
    expect(new Date(p.expiresAt).getTime() - clock.now().getTime()).toBe(30 * 86_400_000);
    const payload = Buffer.from(p.path.split('/')[2]!.split('.')[0]!, 'base64url').toString();
    expect(payload).not.toContain('ada');
    expect(payload).toContain(p.subjectId);
  });

  it('the page lists every consent purpose with its state, notice text and one button each; never billing', async () => {
    const p = await person('bob@example.com');
    const r = await h.request('GET', p.path);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(r.text).not.toMatch(/<script/i);
    expect(r.text).toContain('We would like to <strong>keep in touch</strong>');
    expect(r.text).toContain('Withdraw consent: Purpose marketing-email');
    expect(r.text).toContain('Withdraw consent: Purpose product-analytics');
    expect(r.text).not.toContain('consent: Purpose billing');
    // The objection to direct marketing is its own section (check 15).
    expect(r.text).toContain('Your right to object to direct marketing');
    expect(r.text).toContain('Object: Purpose marketing-email');
  });

  it('check 12: withdrawing takes exactly one POST, recorded as preference_centre / button_pressed', async () => {
    const p = await person('cy@example.com');
    const page = await h.request('GET', p.path);
    const form = formsOf(page.text).find((f) => f.fields.purpose === 'marketing-email')!;
    expect(form.fields.decision).toBe('withdraw');
    const r = await post(form.action, form.fields);
    expect(r.status).toBe(303);
    expect(await stateOf(p.subjectId)).toMatchObject({
      'marketing-email': 'withdrawn',
      'product-analytics': 'granted',
    });
    const hist = await h.request('GET', `/v1/subjects/${p.subjectId}/consents`, { key: admin });
    const last = hist.body.records.at(-1);
    expect(last).toMatchObject({ decision: 'withdraw', method: 'preference_centre', purpose: 'marketing-email' });
    expect(last.affirmativeAction.kind).toBe('button_pressed');
    // The redirect shows the new state, and the same single button now grants again.
    const after = await h.request('GET', r.headers.get('location')!);
    expect(after.text).toContain('Saved: your choice is recorded.');
    const again = formsOf(after.text).find((f) => f.fields.purpose === 'marketing-email')!;
    expect(again.fields.decision).toBe('grant');
    expect((await post(again.action, again.fields)).status).toBe(303);
    expect((await stateOf(p.subjectId))['marketing-email']).toBe('granted');
  });

  it('unsubscribe from everything withdraws every consent in one action', async () => {
    const p = await person('dee@example.com');
    const page = await h.request('GET', p.path);
    const form = formsOf(page.text).find((f) => f.action.endsWith('/unsubscribe-all'))!;
    expect((await post(form.action, form.fields)).status).toBe(303);
    expect(await stateOf(p.subjectId)).toEqual({ 'marketing-email': 'withdrawn', 'product-analytics': 'withdrawn' });
  });

  it('check 15: the objection is recorded through the objections service and suppresses the person', async () => {
    const p = await person('eve@example.com');
    const page = await h.request('GET', p.path);
    const form = formsOf(page.text).find((f) => f.action.endsWith('/object'))!;
    expect((await post(form.action, form.fields)).status).toBe(303);
    const after = await h.request('GET', `${p.path}?lang=en`);
    expect(after.text).toMatch(/You objected on/);
    const d = await h.rt.db.tenant(tenantId, (tx) =>
      h.rt.services.preferences.page(tx, { claims: { t: tenantId, s: p.subjectId } } as never, 'en'),
    );
    expect(d.directMarketing.find((x) => x.key === 'marketing-email')?.objectedAt).not.toBeNull();
  });

  it('a POST without the CSRF token bound to this link is refused and changes nothing', async () => {
    const p = await person('fay@example.com');
    const other = await person('gus@example.com');
    const page = await h.request('GET', other.path);
    const otherCsrf = formsOf(page.text)[0]!.fields._csrf!;
    for (const csrf of ['', 'x', otherCsrf]) {
      const r = await post(`${p.path}/choice`, { _csrf: csrf, purpose: 'marketing-email', decision: 'withdraw' });
      expect(r.status).toBe(403);
      expect(r.text).toContain('This form is out of date');
    }
    expect((await stateOf(p.subjectId))['marketing-email']).toBe('granted');
  });

  it('forged, tampered, truncated, expired and revoked links get a localised 4xx page', async () => {
    const p = await person('hal@example.com');
    const [payload, mac] = p.path.slice(3).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, s: 'sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M' })).toString(
      'base64url',
    );
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    for (const bad of [
      `/p/${forged}.${mac}`,
      `/p/${payload}.${flipped}`,
      `/p/${payload}`,
      '/p/nonsense',
      `/u/${payload}.${mac}`,
    ]) {
      const r = await h.request('GET', bad, { headers: { 'accept-language': 'de-DE,de;q=0.9' } });
      expect(r.status, bad).toBe(404);
      expect(r.text).toContain('Dieser Link funktioniert nicht');
    }
    const fr = await h.request('GET', `/p/${payload}.${flipped}?lang=fr`);
    expect(fr.text).toContain('Ce lien ne fonctionne pas');

    const revoke = await h.request('POST', `/v1/subjects/${p.subjectId}/preference-links/revoke`, { key: admin });
    expect(revoke.body.revoked).toBe(1);
    const gone = await h.request('GET', p.path);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('This link has been withdrawn');

    const q = await person('ida@example.com');
    clock.advance(30 * 86_400_000 + 1000);
    try {
      const expired = await h.request('GET', q.path);
      expect(expired.status).toBe(410);
      expect(expired.text).toContain('This link has expired');
      const page = await post(`${q.path}/unsubscribe-all`, { _csrf: 'irrelevant' });
      expect(page.status).toBe(410);
      expect((await stateOf(q.subjectId))['marketing-email']).toBe('granted');
    } finally {
      clock.advance(-(30 * 86_400_000 + 1000));
    }
  });

  it('the receipt download is a JWS verifiable with the tenant JWKS', async () => {
    const p = await person('jo@example.com');
    const r = await h.request('GET', `${p.path}/receipt`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain('attachment');
    const { compactVerify, createLocalJWKSet } = await import('jose');
    const jwks = await h.request('GET', r.body.jwks);
    const { payload } = await compactVerify(r.body.receipt, createLocalJWKSet(jwks.body));
    const receipt = JSON.parse(new TextDecoder().decode(payload));
    expect(receipt.piiPrincipalId).toBe(p.subjectId);
    expect(receipt.services[0].purposes.map((x: { purposeCategory: string[] }) => x.purposeCategory[0]).sort()).toEqual(
      ['marketing-email', 'product-analytics'],
    );
  });

  it('check 60: tokens never reach the logs', async () => {
    const p = await person('kim@example.com');
    await h.request('GET', p.path);
    const token = p.path.slice(3);
    expect(h.logs.join('\n')).not.toContain(token);
    expect(h.logs.join('\n')).not.toContain('kim@example.com');
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  const unsubscribeLink = async (email: string) => {
    const p = await person(email);
    const r = await h.request('POST', `/v1/subjects/${p.subjectId}/unsubscribe-link`, {
      key: admin,
      body: { purpose: 'marketing-email' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(r.body.headers['List-Unsubscribe']).toBe(`<${r.body.url}>`);
    return { ...p, path: new URL(r.body.url).pathname };
  };

  it('GET never acts: it shows a button (mail scanners prefetch links)', async () => {
    const p = await unsubscribeLink('lu@example.com');
    for (let i = 0; i < 3; i++) expect((await h.request('GET', p.path)).status).toBe(200);
    expect(await stateOf(p.subjectId)).toMatchObject({ 'marketing-email': 'granted' });
  });

  it('POST List-Unsubscribe=One-Click withdraws only the named purpose, method email_unsubscribe', async () => {
    const p = await unsubscribeLink('mo@example.com');
    const r = await post(p.path, { 'List-Unsubscribe': 'One-Click' });
    expect(r.status).toBe(200);
    expect(await stateOf(p.subjectId)).toEqual({ 'marketing-email': 'withdrawn', 'product-analytics': 'granted' });
    const hist = await h.request('GET', `/v1/subjects/${p.subjectId}/consents`, { key: admin });
    expect(hist.body.records.at(-1)).toMatchObject({ method: 'email_unsubscribe', decision: 'withdraw' });
    // A second POST (a retrying mail client) writes nothing more.
    const before = hist.body.records.length;
    expect((await post(p.path, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    const again = await h.request('GET', `/v1/subjects/${p.subjectId}/consents`, { key: admin });
    expect(again.body.records.length).toBe(before);
  });

  it('a POST without the RFC 8058 body is refused', async () => {
    const p = await unsubscribeLink('ned@example.com');
    expect((await post(p.path, {})).status).toBe(400);
    expect((await stateOf(p.subjectId))['marketing-email']).toBe('granted');
  });

  it('refuses a purpose that does not rest on consent, naming the field', async () => {
    const p = await person('ora@example.com');
    const r = await h.request('POST', `/v1/subjects/${p.subjectId}/unsubscribe-link`, {
      key: admin,
      body: { purpose: 'billing' },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('purpose');
  });
});
