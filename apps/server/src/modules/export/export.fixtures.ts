import { createHash } from 'node:crypto';
import type { ExportPackageMetaInput, ExportSection, ProcessingInfo } from './export.contract.ts';

/** A realistic controller for tests and the benchmark: three purposes on three bases, one transfer to the US. */

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export const NOTICE_TEXT =
  'We would like to send you our newsletter about new products.\nYou can unsubscribe at any time – "one click" <b>.';

export const processingFixture = (): ProcessingInfo => ({
  controller: { name: 'Acme <Shop> GmbH', contact: 'privacy@acme.example', address: 'Hauptstr. 1, 10115 Berlin' },
  dpoContact: 'dpo@acme.example',
  rightsContact: 'https://acme.example/privacy/requests',
  purposes: [
    {
      key: 'account',
      name: 'Your customer account & orders',
      description: 'Running your account, delivering orders and invoicing them.',
      lawfulBasis: 'contract',
      categories: ['identity', 'contact', 'orders'],
      recipients: ['parcel', 'cloud'],
      retention: { period: '10 years after the last order', criteria: 'German commercial law (§ 257 HGB)' },
    },
    {
      key: 'newsletter',
      name: 'Newsletter',
      description: 'Sending you our newsletter <script>alert(1)</script>.',
      lawfulBasis: 'consent',
      categories: ['contact'],
      recipients: ['mailer'],
      retention: { period: 'until you unsubscribe' },
    },
    {
      key: 'fraud',
      name: 'Fraud prevention',
      description: 'Spotting stolen cards and fake accounts.',
      lawfulBasis: 'legitimate_interests',
      legitimateInterest: 'Protecting our customers and us from payment fraud.',
      categories: ['usage'],
      recipients: [],
      retention: { period: '13 months' },
    },
  ],
  categories: [
    { key: 'identity', name: 'Identity', special: false },
    { key: 'contact', name: 'Contact details', description: 'E-mail and postal address', special: false },
    { key: 'orders', name: 'Orders and payments', special: false },
    { key: 'usage', name: 'Usage of the shop', special: false },
    { key: 'health', name: 'Health (allergies)', special: true },
  ],
  recipients: [
    { id: 'parcel', name: 'DHL Paket GmbH', role: 'controller', country: 'DE' },
    { id: 'cloud', name: 'Hetzner Online GmbH', role: 'processor', country: 'DE' },
    {
      id: 'mailer',
      name: 'Mailchimp (Intuit Inc.)',
      role: 'processor',
      country: 'US',
      transfer: {
        safeguard: 'standard_contractual_clauses',
        detail: 'EU SCC 2021/914, module 2, with supplementary measures',
        copyAt: 'https://acme.example/privacy/scc',
      },
    },
  ],
  sources: [{ description: 'Credit agency Schufa Holding AG', publiclyAvailable: false, categories: ['identity'] }],
  automatedDecisions: [
    {
      name: 'Payment on invoice',
      logic: 'A score from your order history and the credit agency decides whether you may pay on invoice.',
      significance: 'It decides which payment methods we offer you.',
      consequences: 'If the score is low, you can still pay by card or in advance.',
      humanReview: 'Write to us and a person will review the decision.',
    },
  ],
  supervisoryAuthority: {
    name: 'Berliner Beauftragte für Datenschutz und Informationsfreiheit',
    url: 'https://www.datenschutz-berlin.de',
    country: 'DE',
  },
  locations: [
    { system: 'crm', collection: 'contacts', purposes: ['account', 'newsletter'] },
    { system: 'shop', collection: 'orders_placed_through_the_partner_portal', purposes: ['account'] },
    { system: 'shop', collection: 'orders_placed_through_the_partner_portal_archive', purposes: ['account'] },
    { system: 'analytics', collection: 'events', purposes: ['fraud'] },
    { system: 'support', collection: 'tickets', purposes: ['account'] },
  ],
});

export const metaFixture = (over: Partial<ExportPackageMetaInput> = {}): ExportPackageMetaInput => ({
  kind: 'access',
  subjectRef: 'sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M',
  generatedAt: '2026-11-29T10:00:00.000Z',
  locale: 'en',
  processing: processingFixture(),
  lawfulRecords: {
    consents: [
      {
        id: 'cns_01JDQ2M3ZV9G7X6S5R4Q3P2N1A',
        purpose: 'newsletter',
        granted: true,
        recordedAt: '2025-03-01T08:30:00.000Z',
        withdrawnAt: null,
        channel: 'banner',
        notice: { versionId: 'ntv_1', title: 'Newsletter', locale: 'en', text: NOTICE_TEXT, sha256: sha(NOTICE_TEXT) },
      },
    ],
    lawfulBases: [
      {
        purpose: 'fraud',
        history: [
          { basis: 'consent', from: '2024-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' },
          { basis: 'legitimate_interests', from: '2025-01-01T00:00:00.000Z', to: null, reason: 'Balancing test LIA-7' },
        ],
      },
    ],
    requests: [
      {
        id: 'req_01JDQ2M3ZV9G7X6S5R4Q3P2N1B',
        types: ['access'],
        state: 'in_progress',
        receivedAt: '2026-11-20T09:00:00.000Z',
        closedAt: null,
      },
    ],
  },
  completeness: [
    { system: 'crm', searched: ['contacts'], rowsFound: 3, status: 'ok' },
    {
      system: 'shop',
      searched: ['orders_placed_through_the_partner_portal', 'orders_placed_through_the_partner_portal_archive'],
      rowsFound: 2,
      status: 'ok',
    },
    { system: 'analytics', searched: ['events'], rowsFound: 1, status: 'ok' },
    { system: 'legacy-erp', searched: [], rowsFound: 0, status: 'failed', error: 'Connection timed out after 30 s' },
  ],
  ...over,
});

/** Rows as an async iterable, optionally failing the test if anything reads them. */
export const rowsOf = (rows: Record<string, unknown>[], opts: { forbidRead?: boolean } = {}) => ({
  async *[Symbol.asyncIterator]() {
    if (opts.forbidRead) throw new Error('these rows must not be read');
    for (const r of rows) yield r;
  },
});

export const section = (
  system: string,
  collection: string,
  fields: ExportSection['fields'],
  rows: Record<string, unknown>[],
  opts: { forbidRead?: boolean } = {},
): ExportSection => ({ system, collection, fields, rows: rowsOf(rows, opts) });
