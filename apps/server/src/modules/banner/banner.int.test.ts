import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentReady } from '../../../test/consent-fixtures.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { bannerRecord, ensureBannerBuilt, siteBody } from './banner.fixtures.ts';

const ORIGIN = 'https://shop.acme.test';
const inlined = (js: string) => JSON.parse(js.slice(js.lastIndexOf('})(') + 3, js.lastIndexOf(');'))).config;

describe('banner server: sites, scripts, consent endpoint', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  let notice: { versionId: string; hash: string; frHash: string };
  let site: { id: string; servicesHash: string; publishableKey: string; version: number };

  const decide = async (deviceId: string, purpose: string) =>
    (
      await h.request('POST', '/v1/decisions', {
        key: admin,
        body: { subject: { identity: { kind: 'device_id', value: deviceId } }, purpose },
      })
    ).body.allowed as boolean;
  const post = (body: unknown, o: { key?: string; headers?: Record<string, string> } = {}) =>
    h.request('POST', '/v1/consent/banner', {
      key: o.key ?? site.publishableKey,
      body,
      headers: { origin: ORIGIN, ...(o.headers ?? {}) },
    });

  beforeAll(async () => {
    ensureBannerBuilt();
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    notice = await consentReady(h, admin);
    const r = await h.request('POST', '/v1/sites', { key: admin, body: siteBody([ORIGIN]) });
    expect(r.status, r.text).toBe(201);
    site = r.body;
  });
  afterAll(() => h.close());

  it('creates a versioned site with its own publishable key; a reader reads, cannot write', async () => {
    expect(site.id).toMatch(/^sit_/);
    expect(site.version).toBe(1);
    expect(site.publishableKey).toMatch(/^lf_pk_/);
    const reader = (await h.newKey(tenantId, 'read_only')).secret;
    expect((await h.request('GET', `/v1/sites/${site.id}`, { key: reader })).body.id).toBe(site.id);
    expect((await h.request('GET', '/v1/sites', { key: reader })).body.items).toHaveLength(1);
    const w = await h.request('PUT', `/v1/sites/${site.id}`, { key: reader, body: siteBody([ORIGIN]) });
    expect(w.status).toBe(403);
  });

  it('check 27: necessary carries a justification and never a purpose; purposes must rest on consent (check 23)', async () => {
    const bad = siteBody([ORIGIN]);
    (bad.categories[0] as Record<string, unknown>).purposeKey = 'product-analytics';
    const r = await h.request('POST', '/v1/sites', { key: admin, body: bad });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('categories.0.purposeKey');
    const billing = siteBody([ORIGIN]);
    billing.categories[2]!.purposeKey = 'billing';
    const b = await h.request('POST', '/v1/sites', { key: admin, body: billing });
    expect(b.status).toBe(422);
    expect(b.body.error.field).toBe('categories.2.purposeKey');
    const noPurpose = siteBody([ORIGIN]);
    delete noPurpose.categories[2]!.purposeKey;
    expect((await h.request('POST', '/v1/sites', { key: admin, body: noPurpose })).body.error.field).toBe(
      'categories.2.purposeKey',
    );
    const origin = await h.request('POST', '/v1/sites', { key: admin, body: siteBody(['https://a.test/path']) });
    expect(origin.body.error.field).toBe('allowedOrigins.0');
    const js = await h.request('GET', `/v1/banner/${site.id}.js`);
    const necessary = inlined(js.text).categories.find((c: { key: string }) => c.key === 'necessary');
    expect(necessary.basis).toBe('exempt');
    expect(necessary.justification.en.length).toBeGreaterThan(20);
  });

  it('check 28: the French audience-measurement exemption is checked and folds measurement into necessary', async () => {
    const exemption = { trackerMonths: 13, dataMonths: 25, justification: { en: 'Anonymous audience measurement.' } };
    const fr = siteBody([ORIGIN], { jurisdiction: 'fr' });
    Object.assign(fr.categories[1]!, { audienceMeasurementExemption: exemption });
    const eu = siteBody([ORIGIN]);
    Object.assign(eu.categories[1]!, { audienceMeasurementExemption: exemption });
    const e = await h.request('POST', '/v1/sites', { key: admin, body: eu });
    expect(e.body.error.field).toBe('categories.1.audienceMeasurementExemption');
    const long = structuredClone(fr);
    long.categories[1]!.services[0]!.cookies[0]!.durationSeconds = 14 * 2_629_746;
    const l = await h.request('POST', '/v1/sites', { key: admin, body: long });
    expect(l.status).toBe(400);
    expect(l.body.error.field).toBe('categories.1.services.0.cookies.0.durationSeconds');
    const ok = await h.request('POST', '/v1/sites', { key: admin, body: fr });
    expect(ok.status, ok.text).toBe(201);
    const cfg = inlined((await h.request('GET', `/v1/banner/${ok.body.id}.js`)).text);
    expect(cfg.jurisdiction).toBe('fr');
    expect(cfg.categories.map((c: { key: string }) => c.key)).toEqual(['necessary', 'marketing']);
    const nec = cfg.categories[0];
    expect(nec.services.map((s: { id: string }) => s.id)).toEqual(['session', 'matomo']);
    expect(nec.justification.en).toContain('Anonymous audience measurement.');
    expect(cfg.googleConsentMode.mapping.analytics_storage).toEqual(['necessary']);
  });

  it('check 31: the script inlines config, key and endpoint; 60 s cache, ETag, pinned SRI copy byte for byte', async () => {
    const r = await h.request('GET', `/v1/banner/${site.id}.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    expect(r.headers.get('content-type')).toContain('text/javascript');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const cfg = inlined(r.text);
    expect(cfg).toMatchObject({
      siteId: site.id,
      notice: { versionId: notice.versionId, hash: notice.hash },
      servicesHash: site.servicesHash,
      consent: { endpoint: 'http://localhost/v1/consent/banner', publishableKey: site.publishableKey },
    });
    const etag = r.headers.get('etag')!;
    expect((await h.request('GET', `/v1/banner/${site.id}.js`, { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
    const snip = await h.request('GET', `/v1/sites/${site.id}/snippet`, { key: admin });
    expect(snip.body.tag).toBe(`<script src="http://localhost/v1/banner/${site.id}.js"></script>`);
    const integrity = `sha384-${createHash('sha384').update(r.text).digest('base64')}`;
    expect(snip.body.pinned.integrity).toBe(integrity);
    expect(snip.body.pinned.tag).toContain(`integrity="${integrity}" crossorigin="anonymous"`);
    const pinned = await h.request('GET', new URL(snip.body.pinned.url).pathname);
    expect(pinned.status).toBe(200);
    expect(pinned.text).toBe(r.text);
    expect(pinned.headers.get('cache-control')).toContain('immutable');
    expect((await h.request('GET', '/v1/banner/tcf.js')).status).toBe(200);
    expect((await h.request('GET', '/v1/banner/sit_01JDQ2M3ZV9G7X6S5R4Q3P2N1M.js')).status).toBe(404);
  });

  it('a change is a new version; a changed service list changes the hash (re-prompt) and the served script', async () => {
    const before = (await h.request('GET', `/v1/banner/${site.id}.js`)).text;
    const same = await h.request('PUT', `/v1/sites/${site.id}`, { key: admin, body: siteBody([ORIGIN]) });
    expect(same.body.version).toBe(1);
    const body = siteBody([ORIGIN]);
    body.categories[2]!.services = [
      {
        id: 'ads',
        name: 'Ads',
        vendor: 'AdCo',
        cookies: [{ name: 'ad', durationSeconds: 86_400, thirdParty: true, purpose: { en: 'Ads' }, vendor: 'AdCo' }],
      },
    ] as never;
    const v2 = await h.request('PUT', `/v1/sites/${site.id}`, { key: admin, body });
    expect(v2.status, v2.text).toBe(200);
    expect(v2.body.version).toBe(2);
    expect(v2.body.servicesHash).not.toBe(site.servicesHash);
    const after = (await h.request('GET', `/v1/banner/${site.id}.js`)).text;
    expect(after).not.toBe(before);
    expect(inlined(after).servicesHash).toBe(v2.body.servicesHash);
  });

  it('CORS: an allowed origin is echoed, any other is refused', async () => {
    const ok = await h.request('OPTIONS', '/v1/consent/banner', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(ok.headers.get('access-control-allow-methods')).toBe('POST');
    const bad = await h.request('OPTIONS', '/v1/consent/banner', { headers: { origin: 'https://evil.test' } });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
    const rec = bannerRecord(site, notice, [{ category: 'analytics', granted: true, method: 'banner' }]);
    const p = await post(rec, { headers: { origin: 'https://evil.test' } });
    expect(p.status).toBe(403);
    expect(p.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('records each category under its purpose (necessary never), with banner version and bundle hash', async () => {
    const rec = bannerRecord(site, notice, [
      { category: 'analytics', granted: true, method: 'banner' },
      { category: 'marketing', granted: false, method: 'banner' },
    ]);
    const r = await post(rec);
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(r.body).toMatchObject({ idempotencyKey: rec.idempotencyKey, duplicate: false });
    expect(r.body.id).toMatch(/^cns_/);
    expect(await decide(rec.deviceId, 'product-analytics')).toBe(true);
    expect(await decide(rec.deviceId, 'marketing-email')).toBe(false);
    const rows = await h.rt.db.raw.query<Record<string, unknown>>(
      'select purpose_key, decision, method, affirmative_action, collection_point from consent_records where tenant_id = $1 and submission_id in (select submission_id from consent_records where id = $2)',
      [tenantId, r.body.id],
    );
    expect(rows.rows).toHaveLength(2);
    expect(rows.rows.map((x) => x.purpose_key).sort()).toEqual(['marketing-email', 'product-analytics']);
    expect(rows.rows[0]).toMatchObject({
      method: 'banner',
      affirmative_action: { kind: 'button_pressed', label: 'Accept all' },
      collection_point: { formId: site.id, bannerVersion: '0.1.0', bundleHash: rec.bundleHash },
    });
    const necessaryOnly = await post(
      bannerRecord(site, notice, [{ category: 'necessary', granted: true, method: 'banner' }]),
    );
    expect(necessaryOnly.status).toBe(422);
    expect(necessaryOnly.body.error.field).toBe('decisions');
  });

  it('check 65: a choice is all or nothing — when its banner receipt cannot be stored, no consent record stays', async () => {
    const rec = bannerRecord(
      site,
      notice,
      [
        { category: 'analytics', granted: true, method: 'banner' },
        { category: 'marketing', granted: false, method: 'gpc' },
      ],
      { gpc: true },
    );
    const count = async () =>
      Number(
        (
          await h.rt.db.raw.query<{ n: string }>(
            "select count(*) as n from consent_records where tenant_id = $1 and collection_point->>'formId' = $2",
            [tenantId, site.id],
          )
        ).rows[0]!.n,
      );
    const before = await count();
    // The receipt is written last, after both records (the choice and the GPC refusal): make that write fail.
    await h.rt.db.raw.exec(`create function lawful_test_refuse() returns trigger language plpgsql as $$
      begin raise exception 'receipt refused by the test'; end $$;
      create trigger lawful_test_refuse before insert on banner_receipts for each row execute function lawful_test_refuse()`);
    try {
      const r = await post(rec, { headers: { 'sec-gpc': '1' } });
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(await count()).toBe(before);
    } finally {
      await h.rt.db.raw.exec('drop trigger lawful_test_refuse on banner_receipts; drop function lawful_test_refuse()');
    }
    // The browser's retry with the same key then records the choice once.
    const again = await post(rec, { headers: { 'sec-gpc': '1' } });
    expect(again.status, again.text).toBe(201);
    expect(again.body.duplicate).toBe(false);
    expect(await count()).toBe(before + 2);
  });

  it('sendBeacon: text/plain with the key in the body, only on this route; idempotent by idempotencyKey', async () => {
    const rec = bannerRecord(site, notice, [{ category: 'marketing', granted: true, method: 'banner' }]);
    const beacon = { ...rec, publishableKey: site.publishableKey };
    const send = () =>
      h.request('POST', '/v1/consent/banner', {
        raw: JSON.stringify(beacon),
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
      });
    const first = await send();
    expect(first.status, first.text).toBe(201);
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    const viaFetch = await post(rec);
    expect(viaFetch.body).toEqual({ ...first.body, duplicate: true });
    const n = await h.rt.db.raw.query<{ n: number }>(
      "select count(*)::int as n from consent_records where tenant_id = $1 and evidence->>'reference' = $2",
      [tenantId, `banner receipt ${rec.idempotencyKey}`],
    );
    expect(n.rows[0]!.n).toBe(1);
    // check 57: the body key is accepted on text/plain here only, never as JSON without the header, never in a URL.
    const json = await h.request('POST', '/v1/consent/banner', { body: { ...beacon, idempotencyKey: undefined } });
    expect(json.status).toBe(400);
    const jsonNoHeader = await h.request('POST', '/v1/consent/banner', {
      body: { ...beacon, idempotencyKey: 'bcr_01JDQ2M3ZV9G7X6S5R4Q3P2N1M' },
    });
    expect(jsonNoHeader.status).toBe(401);
    const inUrl = await h.request('POST', `/v1/consent/banner?key=${site.publishableKey}`, { body: rec });
    expect(inUrl.status).toBe(401);
    expect(inUrl.body.error.field).toBe('key');
    const elsewhere = await h.request('POST', '/v1/consents', {
      raw: JSON.stringify({ publishableKey: site.publishableKey }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(elsewhere.status).toBe(401);
  });

  it('only this site’s publishable key records; an admin key or another site’s key is refused', async () => {
    const rec = bannerRecord(site, notice, [{ category: 'analytics', granted: true, method: 'banner' }]);
    expect((await post(rec, { key: admin })).status).toBe(401);
    const other = await h.request('POST', '/v1/sites', { key: admin, body: siteBody([ORIGIN], { name: 'Other' }) });
    expect((await post(rec, { key: other.body.publishableKey })).status).toBe(401);
    const del = await h.request('DELETE', `/v1/sites/${other.body.id}`, { key: admin });
    expect(del.status).toBe(204);
    expect((await h.request('GET', `/v1/banner/${other.body.id}.js`)).status).toBe(404);
  });

  it('check 29: GPC is recorded as method gpc, only ever refuses, and the Sec-GPC header is kept as evidence', async () => {
    const rec = bannerRecord(site, notice, [{ category: 'marketing', granted: false, method: 'gpc' }], {
      action: { kind: 'gpc', layer: 'signal', label: 'navigator.globalPrivacyControl' },
      gpc: true,
    });
    const r = await post(rec, { headers: { 'sec-gpc': '1' } });
    expect(r.status, r.text).toBe(201);
    expect(await decide(rec.deviceId, 'marketing-email')).toBe(false);
    const row = await h.rt.db.raw.query<Record<string, unknown>>(
      'select method, decision, affirmative_action from consent_records where tenant_id = $1 and id = $2',
      [tenantId, r.body.id],
    );
    expect(row.rows[0]).toMatchObject({
      method: 'gpc',
      decision: 'refuse',
      affirmative_action: { kind: 'browser_signal' },
    });
    const receipt = await h.rt.db.raw.query<{ evidence: Record<string, unknown> }>(
      'select evidence from banner_receipts where tenant_id = $1 and idempotency_key = $2',
      [tenantId, rec.idempotencyKey],
    );
    expect(receipt.rows[0]!.evidence).toMatchObject({ secGpc: true, gpc: true, jurisdiction: 'eu' });
    const grant = await post(
      bannerRecord(site, notice, [{ category: 'marketing', granted: true, method: 'gpc' }], { gpc: true }),
    );
    expect(grant.status).toBe(400);
    expect(grant.body.error.field).toBe('decisions.0.granted');
    // A save while GPC is on: the GPC category is refused as gpc, the rest recorded as the person chose.
    const mixed = bannerRecord(site, notice, [
      { category: 'analytics', granted: true, method: 'banner' },
      { category: 'marketing', granted: false, method: 'gpc' },
    ]);
    expect((await post(mixed)).status).toBe(201);
    expect(await decide(mixed.deviceId, 'product-analytics')).toBe(true);
    expect(await decide(mixed.deviceId, 'marketing-email')).toBe(false);
  });

  it('unknown notice version or hash, unknown category: 422 naming the field, nothing written', async () => {
    const d = [{ category: 'analytics', granted: true, method: 'banner' as const }];
    const cases: [Record<string, unknown>, string][] = [
      [{ noticeVersionId: 'ntv_01JDQ2M3ZV9G7X6S5R4Q3P2N1M' }, 'noticeVersionId'],
      [{ noticeHash: 'f'.repeat(64) }, 'noticeHash'],
      [{ decisions: [{ category: 'social', granted: true, method: 'banner' }] }, 'decisions.0.category'],
    ];
    const count = async () =>
      (
        await h.rt.db.raw.query<{ n: number }>('select count(*)::int as n from consent_records where tenant_id = $1', [
          tenantId,
        ])
      ).rows[0]!.n;
    const before = await count();
    for (const [o, field] of cases) {
      const r = await post(bannerRecord(site, notice, d, o));
      expect(r.status, field).toBe(422);
      expect(r.body.error.field).toBe(field);
    }
    const v = await post({ ...bannerRecord(site, notice, d), deviceId: 'nope' });
    expect(v.status).toBe(400);
    expect(v.body.error.field).toBe('deviceId');
    expect(await count()).toBe(before);
    // The French text's hash is accepted too: the record names the locale whose text has it.
    const fr = await post(bannerRecord(site, notice, d, { noticeHash: notice.frHash, locale: 'fr' }));
    expect(fr.status).toBe(201);
  });
});

describe('banner server: rate limit', () => {
  it('check 58: banner consent writes are limited per IP', async () => {
    const h = await createHarness({ env: { LAWFUL_BANNER_RATE_LIMIT: '2' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await h.request('POST', '/v1/consent/banner', { body: {} })).status);
      expect(statuses).toEqual([400, 400, 429]);
    } finally {
      await h.close();
    }
  });
});
