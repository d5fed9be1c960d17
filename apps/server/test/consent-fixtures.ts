import { expect } from 'vitest';
import type { Harness } from './harness.ts';

/** A tenant ready to collect consent: controller identity, purposes, a published notice. */
export const controllerRecord = {
  controller: {
    name: 'Acme Portfolio SAS',
    address: '1 rue de la Paix, 75002 Paris, France',
    email: 'privacy@acme.test',
  },
  dpo: { name: 'Data Protection Officer', email: 'dpo@acme.test' },
  securityMeasures: ['encryption at rest'],
};

export const purposeBody = (key: string, o: Record<string, unknown> = {}) => ({
  key,
  locales: {
    en: { name: `Purpose ${key}`, description: `What ${key} is for` },
    fr: { name: `Finalité ${key}`, description: `À quoi sert ${key}` },
  },
  allowedBases: ['consent'],
  subjectCategories: ['customers'],
  dataCategories: ['user.contact.email'],
  recipients: [{ name: 'Mailjet SAS', role: 'processor', country: 'FR', transferSafeguard: 'none_needed_eea' }],
  retention: { period: 'P2Y' },
  source: { kind: 'data_subject' },
  directMarketing: key.startsWith('marketing'),
  ...o,
});

export const consentReady = async (h: Harness, admin: string, purposes = ['marketing-email', 'product-analytics']) => {
  const c = await h.request('PUT', '/v1/ropa/controller', { key: admin, body: controllerRecord });
  expect(c.status, c.text).toBeLessThan(300);
  for (const p of purposes) {
    const r = await h.request('POST', '/v1/purposes', { key: admin, body: purposeBody(p) });
    expect(r.status, r.text).toBe(201);
  }
  const billing = await h.request('POST', '/v1/purposes', {
    key: admin,
    body: purposeBody('billing', { allowedBases: ['contract'], dataCategories: ['user.financial.invoice'] }),
  });
  expect(billing.status, billing.text).toBe(201);
  const n = await h.request('POST', '/v1/notices', {
    key: admin,
    body: {
      key: 'signup',
      name: 'Sign-up form',
      draft: {
        texts: {
          en: { title: 'Your choices', markdown: 'We would like to **keep in touch**.' },
          fr: { title: 'Vos choix', markdown: 'Nous aimerions **rester en contact**.' },
        },
        purposes: [...purposes, 'billing'],
      },
    },
  });
  expect(n.status, n.text).toBe(201);
  const pub = await h.request('POST', `/v1/notice-versions/${n.body.id}/publish`, { key: admin });
  expect(pub.status, pub.text).toBe(200);
  return {
    versionId: pub.body.id as string,
    hash: pub.body.rendered.en.sha256 as string,
    frHash: pub.body.rendered.fr.sha256 as string,
  };
};

export const grantBody = (
  notice: { versionId: string; hash: string },
  email: string,
  decisions: { purpose: string; granted: boolean }[],
  o: Record<string, unknown> = {},
) => ({
  subject: { identity: { kind: 'email', value: email } },
  noticeVersionId: notice.versionId,
  noticeHash: notice.hash,
  locale: 'en',
  decisions,
  method: 'form_checkbox',
  affirmativeAction: { kind: 'checkbox_ticked', label: 'Yes, send me news' },
  collectionPoint: { formId: 'signup', pageUrl: 'https://acme.test/signup' },
  ...o,
});
