import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { samplePurpose } from '../purposes/purposes.fixtures.ts';
import type { ConsentLookup } from './consent-lookup.ts';
import { createLawfulBasisRepo } from './lawful-basis.repo.ts';
import { createLawfulBasisService, type LawfulBasisService } from './lawful-basis.service.ts';

const CONSENT = 'cns_01JDQ2M3ZV9G7X6S5R4Q3P2N1M';
const CONSENT_2 = 'cns_01JDQ2M3ZV9G7X6S5R4Q3P2N1N';
const NOTICE_2 = 'ntv_01JDQ2M3ZV9G7X6S5R4Q3P2N1M';

describe('lawful basis', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  const clock = fixedClock('2026-03-01T10:00:00Z');
  // The rules are tested against a stub ConsentLookup whose live records the test controls (written while the consent
  // module was being built); the runtime's port in main.ts is the consent module's own, tested in consent/.
  const live = new Set<string>();
  const stub: ConsentLookup = { isLive: async (_tx, _t, _s, _p, id) => live.has(id) };
  let withConsent: LawfulBasisService;

  const email = () => ({ identity: { kind: 'email' as const, value: `${randomUUID()}@example.com` } });

  beforeAll(async () => {
    h = await createHarness({ clock });
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    const s = h.rt.services;
    withConsent = createLawfulBasisService({
      db: h.rt.db,
      repo: createLawfulBasisRepo(),
      purposes: s.purposes,
      subjects: s.subjects,
      consent: stub,
      audit: s.audit,
      clock,
    });
    await s.purposes.create(
      tenantId,
      samplePurpose('billing', { allowedBases: ['contract', 'legal_obligation'] }),
      'test',
    );
    await s.purposes.create(
      tenantId,
      samplePurpose('newsletter', { allowedBases: ['consent', 'legitimate_interests'], directMarketing: true }),
      'test',
    );
  });
  afterAll(() => h.close());

  const set = (body: unknown) => h.request('POST', '/v1/bases', { key: admin, body });

  it('check 1: a subject × purpose has exactly one basis in force; a new one replaces it and history keeps both', async () => {
    const subject = email();
    const a = await set({
      subject,
      purpose: 'billing',
      basis: 'contract',
      evidence: { contractReference: 'C-1' },
      source: 'crm',
    });
    expect(a.status).toBe(201);
    clock.advance(60_000);
    const b = await set({
      subject: { subjectId: a.body.subjectId },
      purpose: 'billing',
      basis: 'legal_obligation',
      evidence: { legalReference: 'HGB §257' },
      source: 'crm',
    });
    expect(b.status).toBe(201);
    const rows = await h.rt.db.raw.query<{ n: number }>(
      'select count(*)::int as n from lawful_bases where subject_id = $1',
      [a.body.subjectId],
    );
    expect(rows.rows[0]!.n).toBe(1);
    const now = await h.request('GET', `/v1/bases?subject=${a.body.subjectId}&purpose=billing`, { key: admin });
    expect(now.body.current).toMatchObject({ basis: 'legal_obligation', evidence: { legalReference: 'HGB §257' } });
    const hist = await h.request('GET', `/v1/bases/history?subject=${a.body.subjectId}&purpose=billing`, {
      key: admin,
    });
    expect(hist.body.items.map((x: { basis: string }) => x.basis)).toEqual(['contract', 'legal_obligation']);
  });

  it('check 9 (history): the basis as of any past instant is readable', async () => {
    const subject = email();
    const t0 = clock.now().toISOString();
    const a = await set({
      subject,
      purpose: 'billing',
      basis: 'contract',
      evidence: { contractReference: 'C-2' },
      source: 'api',
    });
    clock.advance(3_600_000);
    const t1 = clock.now().toISOString();
    await set({
      subject,
      purpose: 'billing',
      basis: 'legal_obligation',
      evidence: { legalReference: 'AO §147' },
      source: 'api',
    });
    const before = new Date(Date.parse(t0) - 1000).toISOString();
    const q = (asOf: string) =>
      h.request('GET', `/v1/bases?subject=${a.body.subjectId}&purpose=billing&asOf=${encodeURIComponent(asOf)}`, {
        key: admin,
      });
    expect((await q(before)).body.current).toBeNull();
    expect((await q(t0)).body.current.basis).toBe('contract');
    expect((await q(new Date(Date.parse(t1) - 1).toISOString())).body.current.basis).toBe('contract');
    expect((await q(t1)).body.current.basis).toBe('legal_obligation');
  });

  it('the history is append-only: the app role cannot change or delete it', async () => {
    await expect(
      h.rt.db.tenant(tenantId, (tx) => h.rt.db.rawOf(tx).query("update lawful_basis_history set basis = 'consent'")),
    ).rejects.toThrow(/permission denied/);
    await expect(
      h.rt.db.tenant(tenantId, (tx) => h.rt.db.rawOf(tx).query('delete from lawful_basis_history')),
    ).rejects.toThrow(/permission denied/);
  });

  it('a basis outside the purpose’s allowed list is a 422 naming basis, nothing written', async () => {
    const subject = email();
    const r = await set({ subject, purpose: 'billing', basis: 'legitimate_interests', source: 'api' });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'RULE_VIOLATION', field: 'basis' });
    const found = await h.request('POST', '/v1/subjects:lookup', { key: admin, body: { identity: subject.identity } });
    expect(found.status).toBe(404); // the subject the write would have created was rolled back with it
  });

  it('check 2: each basis needs its evidence, named by field', async () => {
    const cases = [
      { purpose: 'billing', basis: 'contract', field: 'evidence.contractReference' },
      { purpose: 'billing', basis: 'legal_obligation', field: 'evidence.legalReference' },
      { purpose: 'newsletter', basis: 'consent', field: 'evidence.consentRecordId' },
    ];
    for (const c of cases) {
      const r = await set({ subject: email(), purpose: c.purpose, basis: c.basis, source: 'api' });
      expect(r.status, c.basis).toBe(422);
      expect(r.body.error.field, c.basis).toBe(c.field);
    }
    // (f) takes the purpose's LIA reference when the row names none.
    const f = await set({ subject: email(), purpose: 'newsletter', basis: 'legitimate_interests', source: 'api' });
    expect(f.status).toBe(201);
    expect(f.body.evidence.liaReference).toBe('LIA-2026-01');
  });

  it('check 2: consent only with a live consent record (a made-up record is not live through the wired port)', async () => {
    const r = await set({
      subject: email(),
      purpose: 'newsletter',
      basis: 'consent',
      evidence: { consentRecordId: CONSENT },
      source: 'api',
    });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('evidence.consentRecordId');
    live.add(CONSENT);
    const ok = await withConsent.set(
      tenantId,
      {
        subject: email(),
        purpose: 'newsletter',
        basis: 'consent',
        evidence: { consentRecordId: CONSENT },
        source: 'banner',
      },
      'test',
    );
    expect(ok.basis).toBe('consent');
  });

  it('check 4: after consent is withdrawn the basis cannot silently switch; a new notice version allows it', async () => {
    live.add(CONSENT_2);
    const subject = email();
    const first = await withConsent.set(
      tenantId,
      { subject, purpose: 'newsletter', basis: 'consent', evidence: { consentRecordId: CONSENT_2 }, source: 'banner' },
      'test',
    );
    const switchTo = (noticeVersionId?: string) =>
      withConsent.set(
        tenantId,
        {
          subject: { subjectId: first.subjectId },
          purpose: 'newsletter',
          basis: 'legitimate_interests',
          evidence: {},
          source: 'crm',
          noticeVersionId,
        },
        'test',
      );
    live.delete(CONSENT_2); // withdrawn
    await expect(switchTo()).rejects.toMatchObject({ code: 'RULE_VIOLATION', field: 'noticeVersionId' });
    const after = await switchTo(NOTICE_2);
    expect(after).toMatchObject({ basis: 'legitimate_interests', noticeVersionId: NOTICE_2 });
  });

  it('batch: all or nothing, every bad row named by index and field (≤ 10,000 rows)', async () => {
    const good = (i: number) => ({
      subject: { identity: { kind: 'user_id', value: `batch-${i}` } },
      purpose: 'billing',
      basis: 'contract',
      evidence: { contractReference: `C-${i}` },
      source: 'import',
    });
    const rows = [good(0), good(1), { ...good(2), basis: 'consent' }, good(3), { ...good(4), purpose: 'nope' }];
    const bad = await h.request('POST', '/v1/bases:batch', { key: admin, body: { rows } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['rows.2.basis', 'rows.4.purpose']);
    const none = await h.request('POST', '/v1/subjects:lookup', {
      key: admin,
      body: { identity: { kind: 'user_id', value: 'batch-0' } },
    });
    expect(none.status).toBe(404);
    const shape = await h.request('POST', '/v1/bases:batch', {
      key: admin,
      body: { rows: [good(0), { ...good(1), basis: 'vibes' }] },
    });
    expect(shape.status).toBe(400);
    expect(shape.body.error.field).toBe('rows.1.basis');
    const ok = await h.request('POST', '/v1/bases:batch', { key: admin, body: { rows: [0, 1, 2, 3].map(good) } });
    expect(ok.status).toBe(200);
    expect(ok.body.count).toBe(4);
    const tooMany = await h.request('POST', '/v1/bases:batch', {
      key: admin,
      body: { rows: Array.from({ length: 10_001 }, (_, i) => good(i)) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('rows');
  });

  it('every basis change is audited in the same transaction, with the subject id and no identifiers', async () => {
    const r = await set({
      subject: email(),
      purpose: 'billing',
      basis: 'contract',
      evidence: { contractReference: 'C-9' },
      source: 'api',
    });
    const audit = await h.rt.db.tenant(tenantId, (tx) =>
      h.rt.services.audit.list(tx, tenantId, { action: 'basis.set', subjectId: r.body.subjectId, limit: 10 }),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: r.body.id, details: { purpose: 'billing', basis: 'contract' } });
    expect(JSON.stringify(audit)).not.toContain('@example.com');
  });

  it('unknown subject or purpose on reads is a 404 naming it', async () => {
    const r = await h.request('GET', '/v1/bases?subject=sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M&purpose=billing', {
      key: admin,
    });
    expect(r.status).toBe(404);
    expect(r.body.error.field).toBe('subject');
  });
});
