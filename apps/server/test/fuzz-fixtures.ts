import { randomUUID } from 'node:crypto';
import { dataCategories } from '@lawful/contract';
import fc from 'fast-check';
import { ensureBannerBuilt, siteBody } from '../src/modules/banner/banner.fixtures.ts';
import { sampleBreach } from '../src/modules/breaches/breaches.fixtures.ts';
import { exportFixture } from '../src/modules/datamap/datamap.fixtures.ts';
import { samplePurpose } from '../src/modules/purposes/purposes.fixtures.ts';
import { consentReady, grantBody } from './consent-fixtures.ts';
import type { Hints } from './fuzz-schema.ts';
import type { Harness } from './harness.ts';

/** A database URL nobody listens on: a stored connection the fuzzer makes is only ever tried on loopback. */
export const DEAD_DB_URLS = ['postgres://fuzz@127.0.0.1:1/none', 'mysql://fuzz@127.0.0.1:1/none'];

type Tenant = { id: string; admin: string };
export type Pools = Record<string, string[]>;

/**
 * Real objects of a tenant for every path parameter the API has (a few of each, so a DELETE in one case does not
 * leave every later case a 404), made through the services as the access matrix makes them.
 */
export const makePools = async (h: Harness, t: Tenant, copies: number): Promise<Pools> => {
  ensureBannerBuilt();
  const ready = await consentReady(h, t.admin);
  const pools: Pools = {};
  const add = (k: string, v: string) => {
    pools[k] ??= [];
    pools[k].push(v);
  };
  const conn = `fz-${randomUUID().slice(0, 8)}`;
  await h.rt.services.dataMap.store.setConnection(t.id, conn, { engine: 'postgres', url: DEAD_DB_URLS[0]! }, 'test');
  add('name', conn);
  add('noticeKey', 'signup');
  for (const key of ['marketing-email', 'product-analytics', 'billing']) add('purposeKey', key);
  add('noticeVersionId', ready.versionId);
  for (let i = 0; i < copies; i++) {
    const site = await h.request('POST', '/v1/sites', { key: t.admin, body: siteBody(['https://a.test']) });
    add('siteId', site.body.id);
    add('keyId', (await h.newKey(t.id, 'read_only')).id);
    add('exportId', await exportFixture(h, t.id));
    const user = await h.rt.services.users.create(
      t.id,
      { email: `${randomUUID()}@example.org`, password: 'a long enough passphrase', role: 'agent', totp: false },
      'test',
    );
    add('userId', user.id);
    const draft = { texts: { en: { title: 't', markdown: 'm' } }, purposes: ['marketing-email'] };
    add('noticeVersionId', (await h.rt.services.notices.addVersion(t.id, 'signup', draft, 'test')).id);
    const identity = { kind: 'user_id' as const, value: randomUUID() };
    const subject = await h.rt.services.subjects.create(t.id, [identity], 'test');
    add('subjectId', subject.subject.id);
    const consent = await h.request('POST', '/v1/consents', {
      key: t.admin,
      body: grantBody(ready, `${randomUUID()}@example.org`, [{ purpose: 'marketing-email', granted: true }]),
    });
    add('consentRecordId', consent.body.records[0].id);
    const p = await h.rt.services.purposes.create(t.id, samplePurpose(`p-${randomUUID().slice(0, 8)}`), 'test');
    add('purposeKey', p.key);
    const objection = await h.rt.services.objections.object(
      t.id,
      { subject: { identity }, purpose: p.key, channel: 'api' },
      'test',
    );
    add('objectionId', objection.id);
    const restriction = await h.rt.services.objections.restrict(
      t.id,
      { subject: { identity }, ground: 'accuracy_contested' },
      'test',
    );
    add('restrictionId', restriction.id);
    const { request } = await h.rt.services.requestsModule.requests.create(
      t.id,
      {
        types: ['objection'],
        identities: [{ type: 'customer_id', value: randomUUID() }],
        channel: 'api',
        identityVerified: true,
        locale: 'en',
      },
      'test',
    );
    add('requestId', request.id);
    const task = await h.rt.services.requestsModule.tasks.addManualTask(
      t.id,
      request.id,
      { name: 'paper files', checklist: ['shred'] },
      'test',
    );
    add('taskId', task.id);
    const breach = await h.rt.services.breachesModule.breaches.create(
      t.id,
      sampleBreach({ awareAt: new Date().toISOString() }),
      'test',
    );
    add('breachId', breach.id);
    const hook = { url: 'https://93.184.215.14/hook', description: '', eventTypes: [], enabled: true };
    add('webhookId', (await h.rt.services.webhooks.create(t.id, hook, 'test')).id);
  }
  await h.rt.services.webhooks.prepare();
  const deliveries = await h.rt.db.tenant(t.id, (tx) =>
    h.rt.services.webhooks.emit(tx, t.id, {
      type: 'subject.erased',
      data: { subjectId: pools.subjectId![0]!, requestId: null, at: new Date().toISOString() },
    }),
  );
  for (const d of deliveries) add('deliveryId', d);
  pools.noticeHash = [ready.hash];
  return pools;
};

const pick = (xs: string[] | undefined) => (xs && xs.length > 0 ? fc.constantFrom(...xs) : undefined);

/** Property-name hints: fuzzed bodies name objects that exist often enough to get past the first 404. */
export const hintsOf = (pools: Pools): Hints => {
  const hints: Hints = {
    // Never a random host: a stored connection may be dialled by datamap check or rectify.
    'DataMapConnectionInput.url': { arb: fc.constantFrom(...DEAD_DB_URLS), replace: true },
    locale: { arb: fc.constantFrom('en', 'fr', 'de') },
    '(map key)': { arb: fc.oneof(fc.constantFrom('en', 'fr', 'de', 'en-GB'), fc.stringMatching(/^[a-z]{2}$/)) },
    // The taxonomy is a refinement the document cannot express: mostly known categories, some custom ones.
    '#DataCategory': {
      arb: fc.oneof(fc.constantFrom(...dataCategories), fc.stringMatching(/^custom\.[a-z][a-z0-9_]{0,20}$/)),
    },
    connection: { arb: pick(pools.name)! },
  };
  const byName: Record<string, string> = {
    purpose: 'purposeKey',
    purposeKey: 'purposeKey',
    noticeKey: 'noticeKey',
    noticeVersionId: 'noticeVersionId',
    noticeHash: 'noticeHash',
    subjectId: 'subjectId',
    // Query parameters are hinted as `?name`, apart from body properties of the same name.
    '?subject': 'subjectId',
    '?purpose': 'purposeKey',
    '?requestId': 'requestId',
    '?assignee': 'userId',
    consentRecordId: 'consentRecordId',
    requestId: 'requestId',
    assignee: 'userId',
    userId: 'userId',
  };
  // Whole bodies that pass the rules, not only the schema (a notice hash that matches, a basis the purpose allows):
  // mixed with generated ones, and the starting point of mutations, so the fuzzer also walks the success paths.
  const email = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((x) => `${x}@example.org`);
  const [versionId, hash] = [pools.noticeVersionId?.[0], pools.noticeHash?.[0]];
  if (versionId && hash)
    hints['#RecordConsent'] = {
      arb: fc
        .record({ e: email, granted: fc.boolean(), p: fc.constantFrom('marketing-email', 'product-analytics') })
        .map(({ e, granted, p }) => grantBody({ versionId, hash }, e, [{ purpose: p, granted }])),
    };
  const subject = pick(pools.subjectId);
  if (subject)
    hints['#SetBasis'] = {
      arb: fc.record({ id: subject, ref: fc.stringMatching(/^[A-Z]{3}-[0-9]{4}$/) }).map(({ id, ref }) => ({
        subject: { subjectId: id },
        purpose: 'billing',
        basis: 'contract',
        evidence: { contractReference: ref },
        source: 'fuzz',
      })),
    };
  hints['#CreateRequest'] = {
    arb: fc
      .record({ e: email, t: fc.subarray(['access', 'portability', 'objection'] as const, { minLength: 1 }) })
      .map(({ e, t }) => ({
        types: t,
        identities: [{ type: 'email', value: e }],
        channel: 'api',
        identityVerified: true,
        locale: 'en',
      })),
  };
  for (const [prop, pool] of Object.entries(byName)) {
    const arb = pick(pools[pool]);
    if (arb) hints[prop] = { arb };
  }
  return hints;
};

/**
 * A cheap fingerprint of every row Lawful keeps: per table, the row count and the newest row version (xmin), so
 * an insert, update or delete anywhere shows. api_keys is counted by rows and revocations only: authenticating
 * touches last_used_at (once a minute), which is not a write the request asked for.
 */
export const fingerprinter = async (h: Harness) => {
  const { rows } = await h.rt.db.raw.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like '__drizzle%'
      order by table_name`,
  );
  const parts = rows.map(({ table_name: t }) =>
    t === 'api_keys'
      ? `select '${t}' as t, count(*)::text || '/' || count(revoked_at)::text as f from "${t}"`
      : `select '${t}' as t, count(*)::text || '/' || coalesce(max(xmin::text::bigint), 0)::text as f from "${t}"`,
  );
  const q = parts.join(' union all ');
  return {
    tables: rows.map((r) => r.table_name),
    async take(): Promise<Record<string, string>> {
      // Audit entries of earlier requests are sealed into the chain a few milliseconds after their commit: seal them
      // now, so that move is not taken for a write of the request under test.
      await h.rt.services.auditSealer.flush();
      const r = await h.rt.db.raw.query<{ t: string; f: string }>(q);
      return Object.fromEntries(r.rows.map((x) => [x.t, x.f]));
    },
  };
};

/** The tables whose fingerprint differs. */
export const changed = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]);
