import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createHarness, type Harness } from '../../../test/harness.ts';
import { buildApp, buildServices, openRuntime, type Runtime } from '../../main.ts';
import { samplePurpose } from '../purposes/purposes.fixtures.ts';

describe('decisions', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  const known: { kind: 'email'; value: string; subjectId: string }[] = [];

  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    const p = h.rt.services.purposes;
    await p.create(tenantId, samplePurpose('product-analytics', { allowedBases: ['legitimate_interests'] }), 'test');
    await p.create(
      tenantId,
      samplePurpose('marketing-email', { allowedBases: ['consent', 'legitimate_interests'], directMarketing: true }),
      'test',
    );
    const rows = Array.from({ length: 30 }, (_, i) => ({
      subject: { identity: { kind: 'email' as const, value: `person-${i}@example.com` } },
      purpose: 'marketing-email',
      basis: 'legitimate_interests' as const,
      evidence: {},
      source: 'test',
    }));
    const set = await h.rt.services.bases.setMany(tenantId, rows, 'test');
    for (const [i, b] of set.entries())
      known.push({ kind: 'email', value: `person-${i}@example.com`, subjectId: b.subjectId });
  });
  afterAll(() => h.close());

  it('GET answers allowed, basis, reason, evidence and asOf', async () => {
    const r = await h.request('GET', `/v1/decisions?subject=${known[0]!.subjectId}&purpose=marketing-email`, {
      key: admin,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      allowed: true,
      basis: 'legitimate_interests',
      reason: 'basis_in_force',
      evidence: { liaReference: 'LIA-2026-01' },
      purposeVersion: 1,
    });
    expect(Date.parse(r.body.asOf)).not.toBeNaN();
    const none = await h.request('GET', `/v1/decisions?subject=${known[0]!.subjectId}&purpose=product-analytics`, {
      key: admin,
    });
    expect(none.body).toMatchObject({ allowed: false, reason: 'no_basis', basis: null });
  });

  it('check 1: a purpose version that no longer allows the basis in force denies it', async () => {
    await h.rt.services.purposes.create(
      tenantId,
      samplePurpose('retargeting', { allowedBases: ['legitimate_interests'] }),
      'test',
    );
    const b = await h.rt.services.bases.set(
      tenantId,
      {
        subject: { identity: { kind: 'user_id', value: 'rt-1' } },
        purpose: 'retargeting',
        basis: 'legitimate_interests',
        evidence: {},
        source: 't',
      },
      'test',
    );
    const { key: _k, ...def } = samplePurpose('retargeting', {
      allowedBases: ['consent'],
      liaReference: null,
      legitimateInterest: null,
    });
    await h.rt.services.purposes.update(tenantId, 'retargeting', def, 'test');
    const r = await h.request('GET', `/v1/decisions?subject=${b.subjectId}&purpose=retargeting`, { key: admin });
    expect(r.body).toMatchObject({ allowed: false, reason: 'basis_not_allowed_by_purpose', purposeVersion: 2 });
  });

  it('POST takes an identity in the body; an unknown one is denied without creating a subject', async () => {
    const r = await h.request('POST', '/v1/decisions', {
      key: admin,
      body: { subject: { identity: { kind: 'email', value: 'person-3@example.com' } }, purpose: 'marketing-email' },
    });
    expect(r.body).toMatchObject({ allowed: true, subjectId: known[3]!.subjectId });
    const count = async () =>
      (
        await h.rt.db.raw.query<{ n: number }>('select count(*)::int as n from subjects where tenant_id = $1', [
          tenantId,
        ])
      ).rows[0]!.n;
    const before = await count();
    const u = await h.request('POST', '/v1/decisions', {
      key: admin,
      body: { subject: { identity: { kind: 'email', value: 'stranger@example.com' } }, purpose: 'marketing-email' },
    });
    expect(u.body).toMatchObject({ allowed: false, reason: 'unknown_subject', subjectId: null });
    const look = await h.request('POST', '/v1/subjects:lookup', {
      key: admin,
      body: { identity: { kind: 'email', value: 'stranger@example.com' } },
    });
    expect(look.status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('unknown purpose and another tenant’s subject are 404s naming the field', async () => {
    const p = await h.request('GET', `/v1/decisions?subject=${known[0]!.subjectId}&purpose=nope`, { key: admin });
    expect(p.status).toBe(404);
    expect(p.body.error.field).toBe('purpose');
    const other = await h.newTenant('Other');
    const s = await h.request('GET', `/v1/decisions?subject=${known[0]!.subjectId}&purpose=marketing-email`, {
      key: other.admin,
    });
    expect(s.status).toBe(404);
  });

  it('batch answers each item in order; a bad item names its index', async () => {
    const items = known.slice(0, 5).map((k) => ({ subject: { subjectId: k.subjectId }, purpose: 'marketing-email' }));
    const r = await h.request('POST', '/v1/decisions:batch', { key: admin, body: { items } });
    expect(r.status).toBe(200);
    expect(r.body.items.map((d: { subjectId: string }) => d.subjectId)).toEqual(
      known.slice(0, 5).map((k) => k.subjectId),
    );
    const bad = await h.request('POST', '/v1/decisions:batch', {
      key: admin,
      body: { items: [...items, { subject: { subjectId: known[0]!.subjectId }, purpose: 'nope' }] },
    });
    expect(bad.status).toBe(404);
    expect(bad.body.error.field).toBe('items.5.purpose');
  });

  const ndjson = (lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
  const filter = (body: string, purpose = 'marketing-email', type = 'application/x-ndjson') =>
    h.request('POST', `/v1/audiences:filter?purpose=${purpose}`, {
      key: admin,
      raw: body,
      headers: { 'content-type': type },
    });

  it('audiences:filter streams back only the allowed identifiers, in input order, across 10k chunks (checks 15, 16, 50)', async () => {
    const [objected, restricted] = [known[5]!, known[7]!];
    await h.rt.services.objections.object(
      tenantId,
      { subject: { subjectId: objected.subjectId }, purpose: 'marketing-email', channel: 'api' },
      'test',
    );
    await h.rt.services.objections.restrict(
      tenantId,
      { subject: { subjectId: restricted.subjectId }, ground: 'legal_claims' },
      'test',
    );
    const input: { kind: string; value: string }[] = [];
    for (let i = 0; i < 25_000; i++) {
      const k = i % 1000 === 7 ? known[(i / 1000) | 0] : undefined;
      input.push(k ? { kind: 'email', value: k.value } : { kind: 'user_id', value: `nobody-${i}` });
    }
    const r = await filter(ndjson(input));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/x-ndjson');
    const out = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const expected = known
      .slice(0, 25)
      .filter((k) => k !== objected && k !== restricted)
      .map((k) => ({ kind: 'email', value: k.value }));
    expect(out).toEqual(expected);
  });

  it('audiences:filter: a bad early line is a 400 naming it; a bad late line ends the stream with an error line', async () => {
    const early = await filter(
      ndjson([
        { kind: 'email', value: known[0]!.value },
        { kind: 'fax', value: '1' },
      ]),
    );
    expect(early.status).toBe(400);
    expect(early.body.error.field).toBe('line 2.kind');
    const lines: unknown[] = Array.from({ length: 12_000 }, (_, i) => ({ kind: 'user_id', value: `x-${i}` }));
    lines[0] = { kind: 'email', value: known[0]!.value };
    lines[11_000] = '{not json';
    const late = await filter(ndjson(lines));
    expect(late.status).toBe(200);
    const out = late.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out[0]).toEqual({ kind: 'email', value: known[0]!.value });
    expect(out.at(-1).error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'line 11001' });
    expect((await filter('{}', 'marketing-email', 'application/json')).status).toBe(415);
    expect((await filter(ndjson([{ kind: 'email', value: 'a@b.c' }]), 'nope')).status).toBe(404);
  });

  it('no cache: a change made through server A is seen by server B within one second', async () => {
    let second: Runtime | null = null;
    if (backend === 'postgres') second = await openRuntime(h.rt.config, { logger: h.rt.logger });
    const rtB: Runtime = second ?? {
      ...h.rt,
      services: buildServices({
        db: h.rt.db,
        secrets: h.rt.secrets,
        clock: h.rt.clock,
        jobs: h.rt.jobs,
        logger: h.rt.logger,
        config: h.rt.config,
      }),
    };
    const appB = buildApp(rtB);
    try {
      const identity = { kind: 'user_id', value: randomUUID() };
      const viaA = await h.request('POST', '/v1/bases', {
        key: admin,
        body: { subject: { identity }, purpose: 'product-analytics', basis: 'legitimate_interests', source: 'a' },
      });
      expect(viaA.status).toBe(201);
      const askB = async () => {
        const res = await appB.request(`/v1/decisions?subject=${viaA.body.subjectId}&purpose=product-analytics`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        return (await res.json()) as { allowed: boolean; reason: string };
      };
      const waitFor = async (allowed: boolean) => {
        const start = Date.now();
        while (Date.now() - start < 1000) {
          if ((await askB()).allowed === allowed) return Date.now() - start;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`server B did not see allowed=${allowed} within 1 s`);
      };
      expect(await waitFor(true)).toBeLessThan(1000);
      await h.request('POST', '/v1/objections', {
        key: admin,
        body: { subject: { identity }, purpose: 'product-analytics' },
      });
      expect(await waitFor(false)).toBeLessThan(1000);
      expect((await askB()).reason).toBe('objection_pending');
    } finally {
      await second?.close();
    }
  });
});
