import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { samplePurpose } from '../purposes/purposes.fixtures.ts';

describe('objections and restrictions', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;

  const email = () => ({ kind: 'email' as const, value: `${randomUUID()}@example.com` });
  const decide = async (subjectId: string, purpose: string, activity = 'processing') =>
    (
      await h.request('GET', `/v1/decisions?subject=${subjectId}&purpose=${purpose}&activity=${activity}`, {
        key: admin,
      })
    ).body;
  const setBasis = async (identity: ReturnType<typeof email>, purpose: string, basis: string) => {
    const r = await h.request('POST', '/v1/bases', {
      key: admin,
      body: { subject: { identity }, purpose, basis, source: 'crm' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.subjectId as string;
  };

  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    const s = h.rt.services.purposes;
    await s.create(
      tenantId,
      samplePurpose('sales-calls', { allowedBases: ['legitimate_interests'], directMarketing: true }),
      'test',
    );
    await s.create(tenantId, samplePurpose('fraud-checks', { allowedBases: ['legitimate_interests'] }), 'test');
    await s.create(
      tenantId,
      samplePurpose('billing', { allowedBases: ['contract'], liaReference: null, legitimateInterest: null }),
      'test',
    );
  });
  afterAll(() => h.close());

  it('check 15: an objection to direct marketing blocks at once, with no override, and leaves a keyed-hash suppression entry', async () => {
    const id = email();
    const subjectId = await setBasis(id, 'sales-calls', 'legitimate_interests');
    expect((await decide(subjectId, 'sales-calls')).allowed).toBe(true);
    const o = await h.request('POST', '/v1/objections', {
      key: admin,
      body: { subject: { identity: id }, purpose: 'sales-calls' },
    });
    expect(o.status).toBe(201);
    expect(o.body).toMatchObject({ kind: 'direct_marketing', status: 'upheld', subjectId });
    expect(await decide(subjectId, 'sales-calls')).toMatchObject({
      allowed: false,
      reason: 'objected_direct_marketing',
    });
    const over = await h.request('POST', `/v1/objections/${o.body.id}/resolve`, {
      key: admin,
      body: { outcome: 'overridden', grounds: 'compelling_legitimate_grounds', justification: 'we really want to' },
    });
    expect(over.status).toBe(409);
    // Setting the basis again changes nothing: the objection is absolute.
    await setBasis(id, 'sales-calls', 'legitimate_interests');
    expect((await decide(subjectId, 'sales-calls')).allowed).toBe(false);
    const sup = await h.rt.db.raw.query<{ blind_index: string; kind: string }>(
      'select kind, blind_index from suppressions where tenant_id = $1',
      [tenantId],
    );
    const expected = await h.rt.db.tenant(tenantId, (tx) =>
      h.rt.services.vault.blindIndex(tx, tenantId, 'email', id.value),
    );
    expect(sup.rows).toContainEqual({ kind: 'email', blind_index: expected });
    expect(JSON.stringify(sup.rows)).not.toContain(id.value);
  });

  it('check 15: the suppression entry outlives the subject’s identifiers (an erased subject re-imported stays suppressed)', async () => {
    const id = email();
    const subjectId = await setBasis(id, 'sales-calls', 'legitimate_interests');
    await h.request('POST', '/v1/objections', { key: admin, body: { subject: { subjectId }, purpose: 'sales-calls' } });
    // Simulate erasure of the identifiers (the erasure module's job), then the same person arriving again from a CRM.
    await h.rt.db.system.execute(`delete from subject_identifiers where subject_id = '${subjectId}'`);
    const again = await setBasis(id, 'sales-calls', 'legitimate_interests');
    expect(again).not.toBe(subjectId);
    expect(await decide(again, 'sales-calls')).toMatchObject({ allowed: false, reason: 'objected_direct_marketing' });
  });

  it('check 16: an objection to (f) processing halts it while pending; resuming needs recorded compelling grounds', async () => {
    const id = email();
    const subjectId = await setBasis(id, 'fraud-checks', 'legitimate_interests');
    const o = await h.request('POST', '/v1/objections', {
      key: admin,
      body: { subject: { subjectId }, purpose: 'fraud-checks', channel: 'email' },
    });
    expect(o.body).toMatchObject({ kind: 'public_or_legitimate_interest', status: 'pending' });
    expect(await decide(subjectId, 'fraud-checks')).toMatchObject({ allowed: false, reason: 'objection_pending' });
    const noGrounds = await h.request('POST', `/v1/objections/${o.body.id}/resolve`, {
      key: admin,
      body: { outcome: 'overridden' },
    });
    expect(noGrounds.status).toBe(400);
    expect(noGrounds.body.error.field).toBe('grounds');
    const r = await h.request('POST', `/v1/objections/${o.body.id}/resolve`, {
      key: admin,
      body: {
        outcome: 'overridden',
        grounds: 'legal_claims',
        justification: 'chargeback dispute 2026-114 pending in court',
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'overridden', grounds: 'legal_claims' });
    expect(await decide(subjectId, 'fraud-checks')).toMatchObject({ allowed: true, reason: 'basis_in_force' });
    const twice = await h.request('POST', `/v1/objections/${o.body.id}/resolve`, {
      key: admin,
      body: { outcome: 'upheld' },
    });
    expect(twice.status).toBe(409);
  });

  it('check 16: an upheld (f) objection stops processing for good', async () => {
    const id = email();
    const subjectId = await setBasis(id, 'fraud-checks', 'legitimate_interests');
    const o = await h.request('POST', '/v1/objections', {
      key: admin,
      body: { subject: { subjectId }, purpose: 'fraud-checks' },
    });
    await h.request('POST', `/v1/objections/${o.body.id}/resolve`, { key: admin, body: { outcome: 'upheld' } });
    expect(await decide(subjectId, 'fraud-checks')).toMatchObject({ allowed: false, reason: 'objection_upheld' });
  });

  it('an objection to processing on contract is refused, naming purpose (withdraw or erase instead)', async () => {
    const id = email();
    await h.request('POST', '/v1/bases', {
      key: admin,
      body: {
        subject: { identity: id },
        purpose: 'billing',
        basis: 'contract',
        evidence: { contractReference: 'K-1' },
        source: 'crm',
      },
    });
    const r = await h.request('POST', '/v1/objections', {
      key: admin,
      body: { subject: { identity: id }, purpose: 'billing' },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('purpose');
  });

  it('check 50: restricted data is storage-only until the restriction is lifted', async () => {
    const id = email();
    const subjectId = await h.request('POST', '/v1/bases', {
      key: admin,
      body: {
        subject: { identity: id },
        purpose: 'billing',
        basis: 'contract',
        evidence: { contractReference: 'K-2' },
        source: 'crm',
      },
    });
    const sid = subjectId.body.subjectId;
    const r = await h.request('POST', '/v1/restrictions', {
      key: admin,
      body: { subject: { subjectId: sid }, ground: 'accuracy_contested' },
    });
    expect(r.status).toBe(201);
    expect(await decide(sid, 'billing')).toMatchObject({ allowed: false, reason: 'restricted' });
    expect(await decide(sid, 'billing', 'storage')).toMatchObject({ allowed: true, reason: 'restricted_storage_only' });
    const lift = await h.request('POST', `/v1/restrictions/${r.body.id}/lift`, { key: admin });
    expect(lift.status).toBe(200);
    expect(await decide(sid, 'billing')).toMatchObject({ allowed: true });
    const audit = await h.rt.db.tenant(tenantId, (tx) =>
      h.rt.services.audit.list(tx, tenantId, { subjectId: sid, limit: 20 }),
    );
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['restriction.create', 'restriction.lift', 'basis.set']),
    );
  });
});
