import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { samplePurpose } from '../purposes/purposes.fixtures.ts';

const controller = {
  controller: { name: 'Acme GmbH', address: 'Hauptstr. 1, 10115 Berlin', email: 'privacy@acme.example' },
  dpo: { name: 'Dr. Data', email: 'dpo@acme.example' },
  securityMeasures: ['ISO 27001 certified hosting', 'Quarterly access reviews'],
  processorActivities: [
    {
      controllerName: 'Client AG',
      controllerContact: 'privacy@client.example',
      processingCategories: ['newsletter delivery'],
      transfers: [{ country: 'US', safeguard: 'standard_contractual_clauses' }],
    },
  ],
};

describe('record of processing activities (check 51)', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    await h.rt.services.purposes.create(
      tenantId,
      samplePurpose('marketing-email', {
        allowedBases: ['consent'],
        liaReference: null,
        legitimateInterest: null,
        directMarketing: true,
      }),
      'test',
    );
    await h.rt.services.purposes.create(
      tenantId,
      samplePurpose('health-coaching', {
        allowedBases: ['consent'],
        dataCategories: ['user.contact.email', 'user.special.health'],
        art9Condition: 'explicit_consent',
        liaReference: null,
        legitimateInterest: null,
        recipients: [
          { name: 'Coach Partners BV', role: 'third_party', country: 'NL', transferSafeguard: 'none_needed_eea' },
        ],
        retention: { period: 'P1Y', description: 'one year after the last session' },
      }),
      'test',
    );
  });
  afterAll(() => h.close());

  it('cannot be produced before the controller identity is recorded', async () => {
    const r = await h.request('GET', '/v1/ropa', { key: admin });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('controller');
    expect((await h.request('GET', '/v1/ropa/controller', { key: admin })).status).toBe(404);
  });

  it('the controller identity and DPO are set and read back; bad input names the field', async () => {
    const bad = await h.request('PUT', '/v1/ropa/controller', {
      key: admin,
      body: { ...controller, dpo: { name: 'x', email: 'nope' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('dpo.email');
    const r = await h.request('PUT', '/v1/ropa/controller', { key: admin, body: controller });
    expect(r.status).toBe(200);
    expect((await h.request('GET', '/v1/ropa/controller', { key: admin })).body).toEqual(r.body);
  });

  it('JSON carries Art. 30(1)(a)–(g): controller, DPO, purposes, subjects and data, recipients, transfers, retention, measures', async () => {
    const r = await h.request('GET', '/v1/ropa?format=json', { key: admin });
    expect(r.status).toBe(200);
    expect(r.body.article).toBe('Art. 30(1)');
    expect(r.body.controller.name).toBe('Acme GmbH');
    expect(r.body.dpo.email).toBe('dpo@acme.example');
    const health = r.body.activities.find((a: { purpose: string }) => a.purpose === 'health-coaching');
    expect(health).toMatchObject({
      lawfulBases: [{ basis: 'consent', article: 'Art. 6(1)(a)' }],
      subjectCategories: ['customers'],
      specialCategories: ['user.special.health'],
      art9Condition: 'explicit_consent',
      transfers: [],
      retention: 'P1Y — one year after the last session',
    });
    const mail = r.body.activities.find((a: { purpose: string }) => a.purpose === 'marketing-email');
    expect(mail.transfers).toEqual([
      { recipient: 'Postmark (ActiveCampaign LLC)', country: 'US', safeguard: 'standard_contractual_clauses' },
    ]);
    expect(r.body.securityMeasures).toEqual(expect.arrayContaining(['ISO 27001 certified hosting']));
    expect(r.body.securityMeasures.some((m: string) => /AES-256-GCM/.test(m))).toBe(true);
  });

  it('CSV: one self-contained row per processing activity', async () => {
    const r = await h.request('GET', '/v1/ropa?format=csv', { key: admin });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const lines = r.text.trim().split('\n');
    expect(lines[0]).toContain('controller (30(1)(a))');
    expect(lines).toHaveLength(3);
    expect(r.text).toContain('Postmark (ActiveCampaign LLC) → US: standard_contractual_clauses');
  });

  it('XLSX opens in a spreadsheet reader with the activities and the security measures', async () => {
    const res = await h.app.request('/v1/ropa?format=xlsx', { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const sheet = wb.getWorksheet('Processing activities')!;
    expect(sheet.rowCount).toBe(3);
    expect(String(sheet.getRow(2).getCell(3).value)).toMatch(/health-coaching|marketing-email/);
    expect(wb.getWorksheet('Security measures')!.rowCount).toBeGreaterThan(5);
  });

  it('the Art. 30(2) processor view lists the controllers served, and every export is audited', async () => {
    const r = await h.request('GET', '/v1/ropa?view=processor', { key: admin });
    expect(r.body).toMatchObject({ article: 'Art. 30(2)', processor: { name: 'Acme GmbH' } });
    expect(r.body.activities[0]).toMatchObject({ controllerName: 'Client AG', transfers: [{ country: 'US' }] });
    const audit = await h.rt.db.tenant(tenantId, (tx) =>
      h.rt.services.audit.list(tx, tenantId, { action: 'ropa.export', limit: 10 }),
    );
    expect(audit.map((e) => e.details.format)).toEqual(expect.arrayContaining(['json', 'csv', 'xlsx']));
  });
});
