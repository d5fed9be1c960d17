import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { samplePurpose } from './purposes.fixtures.ts';

describe('purposes', () => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await createHarness();
    admin = (await h.newTenant()).admin;
  });
  afterAll(() => h.close());

  it('creates a purpose at version 1 and reads it back, audited', async () => {
    const r = await h.request('POST', '/v1/purposes', { key: admin, body: samplePurpose('billing') });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ key: 'billing', version: 1, allowedBases: ['contract', 'legitimate_interests'] });
    expect(r.body.id).toMatch(/^pur_/);
    const g = await h.request('GET', '/v1/purposes/billing', { key: admin });
    expect(g.body).toEqual(r.body);
    const audit = await h.request('GET', '/v1/audit?action=purpose.create', { key: admin });
    expect(audit.body.items.some((e: { target: string }) => e.target === r.body.id)).toBe(true);
  });

  it('PUT makes a new version; every earlier version stays readable', async () => {
    await h.request('POST', '/v1/purposes', { key: admin, body: samplePurpose('sales-calls') });
    const { key: _k, ...def } = samplePurpose('sales-calls', { allowedBases: ['legitimate_interests'] });
    const v2 = await h.request('PUT', '/v1/purposes/sales-calls', { key: admin, body: def });
    expect(v2.status).toBe(200);
    expect(v2.body.version).toBe(2);
    const versions = await h.request('GET', '/v1/purposes/sales-calls/versions', { key: admin });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions.body.items[0].allowedBases).toEqual(['contract', 'legitimate_interests']);
    const list = await h.request('GET', '/v1/purposes', { key: admin });
    expect(list.body.items.find((p: { key: string }) => p.key === 'sales-calls').version).toBe(2);
  });

  it('a second purpose with the same key is a 409 naming key', async () => {
    const r = await h.request('POST', '/v1/purposes', { key: admin, body: samplePurpose('billing') });
    expect(r.status).toBe(409);
    expect(r.body.error.field).toBe('key');
  });

  it('check 3: a special-category purpose without an Art. 9(2) condition is rejected, nothing written', async () => {
    const body = samplePurpose('health-coaching', { dataCategories: ['user.special.health'] });
    const r = await h.request('POST', '/v1/purposes', { key: admin, body });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('art9Condition');
    expect((await h.request('GET', '/v1/purposes/health-coaching', { key: admin })).status).toBe(404);
    const ok = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: { ...body, art9Condition: 'explicit_consent', allowedBases: ['consent'] },
    });
    expect(ok.status).toBe(201);
  });

  it('check 2: allowing (f) needs the stated interest and an LIA reference', async () => {
    const r = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: samplePurpose('product-analytics', { liaReference: null }),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('liaReference');
    const r2 = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: samplePurpose('product-analytics', { legitimateInterest: null }),
    });
    expect(r2.body.error.field).toBe('legitimateInterest');
  });

  it('check 40: recipients are named; one outside the EEA needs a Chapter V safeguard', async () => {
    const r = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: samplePurpose('support', {
        recipients: [{ name: 'Zendesk Inc.', role: 'processor', country: 'US', transferSafeguard: 'none_needed_eea' }],
      }),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('recipients.0.transferSafeguard');
  });

  it('unknown data categories, unknown fields and bad keys are 400s naming the field', async () => {
    const cat = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: samplePurpose('x-cat', { dataCategories: ['user.shoe_size'] }),
    });
    expect(cat.body.error.field).toBe('dataCategories.0');
    const extra = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: { ...samplePurpose('x-extra'), tenantId: 'x' },
    });
    expect(extra.body.error.field).toBe('tenantId');
    const key = await h.request('POST', '/v1/purposes', { key: admin, body: samplePurpose('Not A Key') });
    expect(key.body.error.field).toBe('key');
    const adm = await h.request('POST', '/v1/purposes', {
      key: admin,
      body: samplePurpose('x-adm', { automatedDecisionMaking: { used: true } }),
    });
    expect(adm.body.error.field).toBe('automatedDecisionMaking.logic');
  });

  it('PUT on a purpose that does not exist is 404 whatever the body', async () => {
    const r = await h.request('PUT', '/v1/purposes/nothing-here', { key: admin, body: {} });
    expect(r.status).toBe(404);
  });
});
