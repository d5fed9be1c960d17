import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { samplePurpose } from '../purposes/purposes.fixtures.ts';

const REASON = 'Ticket 4411: the person asked what we hold';

describe('people in the console: masked lists, reasoned lookups and reveals', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  let other: { tenant: { id: string }; admin: string };
  const made: { id: string; email: string }[] = [];

  const auditOf = async (action: string) =>
    (await h.rt.db.tenant(tenantId, (tx) => h.rt.services.audit.list(tx, tenantId, { limit: 1000 })))
      .filter((e) => e.action === action)
      .sort((a, b) => a.seq - b.seq);

  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    other = await h.newTenant('Other');
    for (let i = 0; i < 5; i++) {
      const email = `person.${i}.${randomUUID().slice(0, 6)}@example.com`;
      const identities = [
        { kind: 'email', value: email },
        ...(i % 2 ? [{ kind: 'phone', value: `+44 20 7946 00${i}9` }] : []),
      ];
      const r = await h.request('POST', '/v1/subjects', { key: admin, body: { identities } });
      made.push({ id: r.body.id, email });
    }
  });
  afterAll(() => h.close());

  it('lists subjects newest first with masked identifiers only, page by page (keyset cursor)', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await h.request('GET', `/v1/subjects?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: admin });
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      expect(r.text).not.toMatch(/example\.com|7946/);
      for (const s of r.body.items) seen.push(s.id);
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((m) => m.id).reverse());
    const first = await h.request('GET', '/v1/subjects?limit=5', { key: admin });
    const withPhone = first.body.items.find((s: { id: string }) => s.id === made[1]!.id);
    expect(withPhone.identities.map((i: { masked: string }) => i.masked)).toEqual(['p•••@e•••.com', '+44•••••19']);
  });

  it('searches by subject id or its start, by identifier kind and by status', async () => {
    const target = made[2]!.id;
    const exact = await h.request('GET', `/v1/subjects?q=${target}`, { key: admin });
    expect(exact.body.items.map((s: { id: string }) => s.id)).toEqual([target]);
    // Ids sort by time: the first ten characters are shared by subjects created in the same second or so.
    const prefix = await h.request('GET', `/v1/subjects?q=${target.slice(4, 12).toLowerCase()}`, { key: admin });
    expect(prefix.body.items.map((s: { id: string }) => s.id)).toContain(target);
    expect(prefix.body.items.every((s: { id: string }) => s.id.startsWith(target.slice(0, 12)))).toBe(true);
    const phones = await h.request('GET', '/v1/subjects?kind=phone', { key: admin });
    expect(phones.body.items.map((s: { id: string }) => s.id)).toEqual([made[3]!.id, made[1]!.id]);
    const firstPhone = await h.request('GET', '/v1/subjects?kind=phone&limit=1', { key: admin });
    const nextPhone = await h.request('GET', `/v1/subjects?kind=phone&limit=1&cursor=${firstPhone.body.nextCursor}`, {
      key: admin,
    });
    expect(nextPhone.body).toMatchObject({ items: [{ id: made[1]!.id }], nextCursor: null });
    await h.rt.db.tenant(tenantId, (tx) =>
      tx.execute(`update subjects set erased_at = now() where id = '${made[0]!.id}'`),
    );
    const erased = await h.request('GET', '/v1/subjects?status=erased', { key: admin });
    expect(erased.body.items.map((s: { id: string }) => s.id)).toEqual([made[0]!.id]);
    const active = await h.request('GET', '/v1/subjects?status=active', { key: admin });
    expect(active.body.items).toHaveLength(4);
    // A page holding a crypto-shredded person among others (the page's data keys are read in one statement): the
    // shredded person's identifiers come back as null, everyone else's masked as before.
    const before = await h.request('GET', '/v1/subjects?limit=50', { key: admin });
    await h.rt.db.tenant(tenantId, (tx) => h.rt.services.vault.shred(tx, tenantId, made[2]!.id));
    const after = await h.request('GET', '/v1/subjects?limit=50', { key: admin });
    type Item = { id: string; identities: { masked: string | null }[] };
    const maskedOf = (items: Item[]) => new Map(items.map((s) => [s.id, s.identities.map((i) => i.masked)]));
    const [was, now] = [maskedOf(before.body.items), maskedOf(after.body.items)];
    expect(was.get(made[2]!.id)!.every((m) => typeof m === 'string')).toBe(true);
    expect(now.get(made[2]!.id)!.length).toBeGreaterThan(0);
    expect(now.get(made[2]!.id)!.every((m) => m === null)).toBe(true);
    for (const m of made.filter((_, i) => i !== 2)) expect(now.get(m.id), m.id).toEqual(was.get(m.id));
    const bad = await h.request('GET', '/v1/subjects?q=not*an*id', { key: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('q');
  });

  it('check 62: finding a person needs a reason; the audit entry keeps the reason, never the identifier', async () => {
    const before = (await auditOf('subject.lookup')).length;
    for (const [reason, why] of [
      [undefined, 'missing'],
      ['   ', 'blank'],
      ['too short', 'short'],
      ['x'.repeat(501), 'long'],
    ] as const) {
      const r = await h.request('POST', '/v1/subjects:find', {
        key: admin,
        body: { identity: { kind: 'email', value: made[1]!.email }, ...(reason !== undefined ? { reason } : {}) },
      });
      expect(r.status, why).toBe(400);
      expect(r.body.error.field, why).toBe('reason');
    }
    // Refused lookups wrote nothing.
    expect(await auditOf('subject.lookup')).toHaveLength(before);

    const hit = await h.request('POST', '/v1/subjects:find', {
      key: admin,
      body: { identity: { kind: 'email', value: made[1]!.email.toUpperCase() }, reason: REASON },
    });
    expect(hit.status).toBe(200);
    expect(hit.body.id).toBe(made[1]!.id);
    expect(hit.text).not.toContain('example.com');
    const miss = await h.request('POST', '/v1/subjects:find', {
      key: admin,
      body: { identity: { kind: 'email', value: 'nobody@example.com' }, reason: REASON },
    });
    expect(miss.status).toBe(404);
    const entries = (await auditOf('subject.lookup')).slice(before);
    expect(entries.map((e) => [e.subjectId, e.details])).toEqual([
      [made[1]!.id, { kind: 'email', found: true, reason: REASON }],
      [null, { kind: 'email', found: false, reason: REASON }],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/example\.com/i);
  });

  it('check 62: revealing identifiers needs a reason and is audited with it; other tenants get a 404', async () => {
    const id = made[3]!.id;
    const none = await h.request('POST', `/v1/subjects/${id}/reveal`, { key: admin, body: {} });
    expect(none.status).toBe(400);
    expect(none.body.error.field).toBe('reason');
    expect(await auditOf('subject.reveal')).toHaveLength(0);
    const r = await h.request('POST', `/v1/subjects/${id}/reveal`, { key: admin, body: { reason: REASON } });
    expect(r.status).toBe(200);
    expect(r.body.identities.map((i: { value: string }) => i.value)).toEqual([made[3]!.email, '+44 20 7946 0039']);
    const [entry] = await auditOf('subject.reveal');
    expect(entry).toMatchObject({ subjectId: id, target: id, details: { kinds: ['email', 'phone'], reason: REASON } });
    expect(JSON.stringify(entry)).not.toMatch(/example\.com|7946/);
    const foreign = await h.request('POST', `/v1/subjects/${id}/reveal`, { key: other.admin, body: {} });
    expect(foreign.status).toBe(404);
    const reader = await h.newKey(tenantId, 'read_only');
    const ro = await h.request('POST', `/v1/subjects/${id}/reveal`, { key: reader.secret, body: { reason: REASON } });
    expect(ro.status).toBe(403);
    expect((await h.request('GET', '/v1/subjects', { key: reader.secret })).status).toBe(200);
  });

  it('the profile shows masked identifiers, direct-marketing suppression and objections', async () => {
    await h.rt.services.purposes.create(
      tenantId,
      samplePurpose('sales-calls', { allowedBases: ['legitimate_interests'], directMarketing: true }),
      'test',
    );
    const identity = { kind: 'email' as const, value: made[4]!.email };
    const o = await h.request('POST', '/v1/objections', {
      key: admin,
      body: { subject: { identity }, purpose: 'sales-calls' },
    });
    expect(o.status).toBe(201);
    const p = await h.request('GET', `/v1/subjects/${made[4]!.id}/profile`, { key: admin });
    expect(p.status).toBe(200);
    expect(p.text).not.toContain('example.com');
    expect(p.body.identities).toEqual([
      expect.objectContaining({ kind: 'email', masked: 'p•••@e•••.com', suppressed: true }),
    ]);
    expect(p.body.suppression.directMarketing).toBe(true);
    expect(p.body.objections).toEqual([
      expect.objectContaining({ purpose: 'sales-calls', kind: 'direct_marketing', status: 'upheld' }),
    ]);
    const plain = await h.request('GET', `/v1/subjects/${made[2]!.id}/profile`, { key: admin });
    expect(plain.body.suppression).toEqual({ directMarketing: false, since: null });
    const foreign = await h.request('GET', `/v1/subjects/${made[2]!.id}/profile`, { key: other.admin });
    expect(foreign.status).toBe(404);
  });
});
