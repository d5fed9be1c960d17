import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { consentReady, grantBody } from '../../../test/consent-fixtures.ts';
import type { Harness } from '../../../test/harness.ts';
import { ensureBannerBuilt, siteBody } from '../banner/banner.fixtures.ts';
import { sampleBreach } from '../breaches/breaches.fixtures.ts';
import { DEMO_MAP } from '../demo/demo.setup.ts';

export const PURPOSES = ['marketing-email', 'product-analytics', 'billing'];

/**
 * A tenant with something in (nearly) every table: controller, purposes, a published notice, consents granted and
 * withdrawn, lawful bases, an objection, a request, a banner site, a webhook, a data map and its sealed connection,
 * a breach, a console user, a signed checkpoint. `marker` is planted as a subject's e-mail address (sealed) and in a webhook's description (in clear).
 */
export const seedTenant = async (h: Harness, name: string, marker = `${randomUUID()}@planted.example`) => {
  const t = await h.newTenant(name);
  const key = t.admin;
  const tenantId = t.tenant.id;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await h.request(method, path, { key, body });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.body;
  };
  const notice = await consentReady(h, key);
  const emails = [marker, ...Array.from({ length: 5 }, (_, i) => `person-${i}-${randomUUID()}@example.com`)];
  const subjects: string[] = [];
  for (const [i, email] of emails.entries()) {
    const r = await call(
      'POST',
      '/v1/consents',
      grantBody(notice, email, [
        { purpose: 'marketing-email', granted: i % 2 === 0 },
        { purpose: 'product-analytics', granted: i % 3 !== 0 },
      ]),
    );
    subjects.push(r.records[0].subjectId);
  }
  expect(subjects.every(Boolean), 'consent answers name the subject').toBe(true);
  // A withdrawal: history, not just state, must travel.
  await call(
    'POST',
    '/v1/consents',
    grantBody(notice, emails[2]!, [{ purpose: 'marketing-email', granted: false }], { method: 'preference_centre' }),
  );
  await h.rt.services.bases.setMany(
    tenantId,
    emails.slice(0, 3).map((value) => ({
      subject: { identity: { kind: 'email' as const, value } },
      purpose: 'billing',
      basis: 'contract' as const,
      evidence: { contractReference: 'terms-2026' },
      source: 'test',
    })),
    'test',
  );
  await h.rt.services.objections.object(
    tenantId,
    { subject: { identity: { kind: 'email', value: emails[1]! } }, purpose: 'marketing-email', channel: 'api' },
    'test',
  );
  await call('POST', '/v1/requests', {
    types: ['access'],
    identities: [{ type: 'email', value: emails[0]! }],
    identityVerified: true,
  });
  ensureBannerBuilt();
  await call('POST', '/v1/sites', siteBody([`https://${randomUUID().slice(0, 8)}.test`]));
  await h.rt.services.webhooks.create(
    tenantId,
    { url: 'https://93.184.215.14/hook', description: `planted ${marker}`, eventTypes: [], enabled: true },
    'test',
  );
  await call('PUT', '/v1/datamap', JSON.parse(JSON.stringify(parseYaml(DEMO_MAP))));
  await h.rt.services.dataMap.store.setConnection(
    tenantId,
    'demo-platform',
    { engine: 'postgres', url: 'postgres://u@db.invalid/x' },
    'test',
  );
  await h.rt.services.breachesModule.breaches.create(
    tenantId,
    sampleBreach({ awareAt: new Date().toISOString() }),
    'test',
  );
  await h.rt.services.users.create(
    tenantId,
    { email: `officer-${randomUUID()}@example.org`, password: 'a long enough passphrase', role: 'agent', totp: false },
    'test',
  );
  await h.rt.db.tenant(tenantId, (tx) => h.rt.services.audit.checkpoint(tx, tenantId));
  return { ...t, tenantId, emails, subjects, marker };
};

/** Rows per tenant table for one tenant, read as the owner. */
export const countRows = async (h: Harness, tenantId: string, tables: { name: string; tenantColumn: string }[]) => {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await h.rt.db.raw.query<{ n: number }>(
      `select count(*)::int as n from "${t.name}" where "${t.tenantColumn}" = $1`,
      [tenantId],
    );
    out[t.name] = r.rows[0]!.n;
  }
  return out;
};
