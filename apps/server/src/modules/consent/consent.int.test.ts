import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady, grantBody } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';

describe('consent with proof', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  let notice: Awaited<ReturnType<typeof consentReady>>;
  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    notice = await consentReady(h, admin);
  });
  afterAll(() => h.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    h.request('POST', '/v1/consents', {
      key: admin,
      body,
      headers: {
        'user-agent':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
        ...headers,
      },
    });
  const count = async () =>
    Number((await h.rt.db.raw.query<{ n: string }>('select count(*)::text as n from consent_records')).rows[0]!.n);

  it('check 8: a published notice names the controller, each purpose, its data, recipients and the right to withdraw', async () => {
    const v = await h.request('GET', `/v1/notice-versions/${notice.versionId}`, { key: admin });
    const html: string = v.body.rendered.en.html;
    for (const s of [
      'Acme Portfolio SAS',
      'Purpose marketing-email',
      'user.contact.email',
      'Mailjet SAS',
      'withdraw your consent at any time',
    ]) {
      expect(html).toContain(s);
    }
    expect(v.body.rendered.fr.html).toContain('retirer votre consentement');
    expect(v.body.purposes.every((p: { version: number | null }) => p.version === 1)).toBe(true);
  });

  it('check 8: publishing is refused without a controller identity', async () => {
    const { admin: a2 } = await h.newTenant('No controller');
    await h.request('POST', '/v1/purposes', {
      key: a2,
      body: {
        key: 'x-news',
        locales: { en: { name: 'n', description: 'd' } },
        allowedBases: ['consent'],
        subjectCategories: ['c'],
        dataCategories: ['user.contact.email'],
        retention: { period: 'P1Y' },
        source: { kind: 'data_subject' },
      },
    });
    const n = await h.request('POST', '/v1/notices', {
      key: a2,
      body: { key: 'n', name: 'n', draft: { texts: { en: { title: 't', markdown: 'm' } }, purposes: ['x-news'] } },
    });
    const r = await h.request('POST', `/v1/notice-versions/${n.body.id}/publish`, { key: a2 });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('controller');
  });

  it('check 6/9: a grant is recorded with notice, hash, method, action, UTC time, truncated IP and coarse agent, and a signed receipt', async () => {
    const r = await post(
      grantBody(notice, 'ada@example.com', [
        { purpose: 'marketing-email', granted: true },
        { purpose: 'product-analytics', granted: false },
      ]),
    );
    expect(r.status, r.text).toBe(201);
    const [grant, refuse] = r.body.records;
    expect(grant).toMatchObject({
      purpose: 'marketing-email',
      decision: 'grant',
      status: 'effective',
      noticeVersionId: notice.versionId,
      noticeHash: notice.hash,
      method: 'form_checkbox',
    });
    expect(refuse.decision).toBe('refuse');
    expect(grant.recordedAt).toMatch(/Z$/);
    expect(grant.userAgent).toBe('Chrome / Linux / desktop');
    // Receipt: a JWS verifiable with the tenant's public JWKS alone.
    const jwks = await h.request('GET', `/.well-known/lawful/${tenantId}/jwks.json`);
    expect(jwks.status).toBe(200);
    const { payload } = await compactVerify(r.body.receipt, createLocalJWKSet(jwks.body));
    const receipt = JSON.parse(new TextDecoder().decode(payload));
    expect(receipt.version).toBe('KI-CR-v1.1.0');
    expect(receipt.piiPrincipalId).toBe(grant.subjectId);
    expect(receipt.piiControllers[0].piiController).toBe('Acme Portfolio SAS');
    expect(JSON.stringify(receipt)).not.toContain('ada@example.com');
  });

  it('check 9: the IP kept is truncated to /24', async () => {
    const ip = await h.rt.db.raw.query<{ ip: string | null }>('select ip_prefix as ip from consent_records limit 1');
    // In-process requests have no socket address; the truncation itself is unit-tested.
    expect(ip.rows[0]!.ip === null || /\.0\/24$|::\/48$/.test(ip.rows[0]!.ip)).toBe(true);
  });

  it('check 6: refuses an unpublished notice, a wrong hash, a pre-ticked box, implied consent and GPC as consent — writing nothing', async () => {
    const before = await count();
    const draft = await h.request('POST', '/v1/notices/signup/versions', {
      key: admin,
      body: { texts: { en: { title: 't', markdown: 'm' } }, purposes: ['marketing-email'] },
    });
    const cases: [unknown, number, string][] = [
      [
        grantBody({ versionId: draft.body.id, hash: notice.hash }, 'b@example.com', [
          { purpose: 'marketing-email', granted: true },
        ]),
        422,
        'noticeVersionId',
      ],
      [
        grantBody({ ...notice, hash: 'a'.repeat(64) }, 'b@example.com', [
          { purpose: 'marketing-email', granted: true },
        ]),
        422,
        'noticeHash',
      ],
      [
        grantBody(notice, 'b@example.com', [{ purpose: 'marketing-email', granted: true }], {
          affirmativeAction: { kind: 'checkbox_ticked', preTicked: true },
        }),
        422,
        'affirmativeAction.preTicked',
      ],
      [
        grantBody(notice, 'b@example.com', [{ purpose: 'marketing-email', granted: true }], {
          method: 'gpc',
          affirmativeAction: { kind: 'browser_signal' },
        }),
        422,
        'affirmativeAction.kind',
      ],
      [
        grantBody(notice, 'b@example.com', [{ purpose: 'marketing-email', granted: true }], { method: 'scrolling' }),
        400,
        'method',
      ],
      [grantBody(notice, 'b@example.com', [{ purpose: 'nope', granted: true }]), 422, 'decisions.0.purpose'],
      [grantBody(notice, 'b@example.com', [{ purpose: 'billing', granted: true }]), 422, 'decisions.0.purpose'],
      [
        grantBody(notice, 'b@example.com', [
          { purpose: 'marketing-email', granted: true },
          { purpose: 'marketing-email', granted: false },
        ]),
        400,
        'decisions.1.purpose',
      ],
      [
        {
          ...grantBody(notice, 'b@example.com', []),
          decisions: undefined,
          purposes: ['marketing-email', 'product-analytics'],
          granted: true,
        },
        400,
        'decisions',
      ],
    ];
    for (const [body, status, field] of cases) {
      const r = await post(body);
      expect(r.status, `${field}: ${r.text}`).toBe(status);
      expect(r.body.error.field, r.text).toBe(field);
    }
    expect(await count()).toBe(before);
  });

  it('check 7: bundled consent is impossible — each purpose needs its own value', async () => {
    const r = await post({ ...grantBody(notice, 'c@example.com', []), decisions: [{ purpose: 'marketing-email' }] });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('decisions.0.granted');
  });

  it('check 5: under the tenant’s Art. 8 age consent needs a guardian', async () => {
    const young = await post(
      grantBody(notice, 'kid@example.com', [{ purpose: 'marketing-email', granted: true }], { age: 14 }),
    );
    expect(young.status).toBe(422);
    expect(young.body.error.field).toBe('guardian');
    const ok = await post(
      grantBody(notice, 'kid@example.com', [{ purpose: 'marketing-email', granted: true }], {
        age: 14,
        guardian: { consented: true, verification: 'parent email confirmed' },
      }),
    );
    expect(ok.status).toBe(201);
  });

  it('check 65: the same idempotency key returns the same records; another body with it is a conflict', async () => {
    const body = grantBody(notice, 'idem@example.com', [{ purpose: 'marketing-email', granted: true }]);
    const before = await count();
    const a = await post(body, { 'idempotency-key': 'signup-42-abcdef' });
    const b = await post(body, { 'idempotency-key': 'signup-42-abcdef' });
    expect(a.status).toBe(201);
    expect(b.body.records[0].id).toBe(a.body.records[0].id);
    expect(await count()).toBe(before + 1);
    const c = await post(grantBody(notice, 'idem@example.com', [{ purpose: 'marketing-email', granted: false }]), {
      'idempotency-key': 'signup-42-abcdef',
    });
    expect(c.status).toBe(409);
  });

  it('check 9/13: withdrawal is a record, takes effect at once, and the past state can be rebuilt', async () => {
    const g = await post(grantBody(notice, 'w@example.com', [{ purpose: 'marketing-email', granted: true }]));
    const subjectId = g.body.records[0].subjectId;
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const w = await post(
      grantBody(notice, 'w@example.com', [{ purpose: 'marketing-email', granted: false }], {
        method: 'preference_centre',
        affirmativeAction: { kind: 'button_pressed', label: 'Withdraw' },
      }),
    );
    expect(w.body.records[0].decision).toBe('withdraw');
    const now = await h.request('GET', `/v1/subjects/${subjectId}/consents`, { key: admin });
    expect(now.body.state).toEqual([expect.objectContaining({ purpose: 'marketing-email', state: 'withdrawn' })]);
    expect(now.body.records.map((r: { decision: string }) => r.decision)).toEqual(['grant', 'withdraw']);
    const past = await h.request('GET', `/v1/subjects/${subjectId}/consents?asOf=${encodeURIComponent(between)}`, {
      key: admin,
    });
    expect(past.body.state[0].state).toBe('granted');
    // The decision every send asks follows at once: allowed after the grant (tested before the withdrawal through
    // the history above), denied right after the withdrawal.
    const denied = await h.request('GET', `/v1/decisions?subject=${subjectId}&purpose=marketing-email`, { key: admin });
    expect(denied.status, denied.text).toBe(200);
    expect(denied.body.allowed).toBe(false);
    // The consent port that lawful basis and decisions use sees the withdrawal at once.
    const live = await h.rt.db.tenant(tenantId, (tx) =>
      h.rt.services.consent.isLive(tx, tenantId, subjectId, 'marketing-email', g.body.records[0].id),
    );
    expect(live).toBe(false);
  });

  it('check 13: a grant is the lawful basis of its purpose at once, and a withdrawal denies it at once', async () => {
    const g = await post(grantBody(notice, 'decide@example.com', [{ purpose: 'marketing-email', granted: true }]));
    const subjectId = g.body.records[0].subjectId;
    const ask = async () =>
      (await h.request('GET', `/v1/decisions?subject=${subjectId}&purpose=marketing-email`, { key: admin })).body;
    expect(await ask()).toMatchObject({ allowed: true, basis: 'consent' });
    await post(
      grantBody(notice, 'decide@example.com', [{ purpose: 'marketing-email', granted: false }], {
        method: 'preference_centre',
        affirmativeAction: { kind: 'button_pressed', label: 'Withdraw' },
      }),
    );
    expect((await ask()).allowed).toBe(false);
  });

  it('check 9: the consent store is append-only for the app role', async () => {
    await expect(
      h.rt.db.tenant(tenantId, (tx) => h.rt.db.rawOf(tx).query("update consent_records set decision = 'grant'")),
    ).rejects.toThrow(/permission denied/);
    await expect(
      h.rt.db.tenant(tenantId, (tx) => h.rt.db.rawOf(tx).query('delete from consent_records')),
    ).rejects.toThrow(/permission denied/);
  });

  it('a published notice version can never change', async () => {
    const r = await h.request('PUT', `/v1/notice-versions/${notice.versionId}`, {
      key: admin,
      body: { texts: { en: { title: 'x', markdown: 'y' } }, purposes: ['marketing-email'] },
    });
    expect(r.status).toBe(409);
    await expect(
      h.rt.db.raw.query("update notice_versions set texts = '{}' where id = $1", [notice.versionId]),
    ).rejects.toThrow(/immutable/);
  });

  it('a publishable key can record consent but not read it', async () => {
    const pk = await h.newKey(tenantId, 'publishable');
    const r = await h.request('POST', '/v1/consents', {
      key: pk.secret,
      body: grantBody(notice, 'pk@example.com', [{ purpose: 'marketing-email', granted: true }], {
        method: 'banner',
        affirmativeAction: { kind: 'button_pressed', label: 'Accept all' },
      }),
    });
    expect(r.status, r.text).toBe(201);
    const read = await h.request('GET', `/v1/subjects/${r.body.records[0].subjectId}/consents`, { key: pk.secret });
    expect(read.status).toBe(403);
  });
});
