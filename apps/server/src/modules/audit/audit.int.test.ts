import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import { verifyCheckpoint } from './audit.signer.ts';

describe('audit log (check 61: tamper-evident, hash-chained, anchored)', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  const sys = (sql: string, params: unknown[] = []) => h.rt.db.raw.query(sql, params);

  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
    for (let i = 0; i < 6; i++)
      await h.request('POST', '/v1/keys', { key: admin, body: { name: `k${i}`, role: 'agent' } });
  });
  afterAll(() => h.close());

  const verify = async () => (await h.request('GET', '/v1/audit/verify', { key: admin })).body;

  it('an untouched chain verifies', async () => {
    const v = await verify();
    expect(v).toMatchObject({ ok: true, firstBad: null });
    expect(v.entries).toBeGreaterThanOrEqual(8);
  });

  it('check 61: the app role cannot edit or delete entries (append-only by grant)', async () => {
    await expect(
      h.rt.db.tenant(tenantId, (tx) => h.rt.db.rawOf(tx).query("update audit_entries set action = 'x'")),
    ).rejects.toThrow(/permission denied/);
    await expect(
      h.rt.db.tenant(tenantId, (tx) => h.rt.db.rawOf(tx).query('delete from audit_entries')),
    ).rejects.toThrow(/permission denied/);
  });

  it('check 61: a checkpoint verifies with the public key alone', async () => {
    const cp = await h.request('POST', '/v1/audit/checkpoints', { key: admin });
    expect(cp.status).toBe(201);
    const pk = await h.request('GET', '/v1/audit/public-key', { key: admin });
    expect(verifyCheckpoint(pk.body.pem, cp.body)).toBe(true);
    expect(verifyCheckpoint(pk.body.pem, { ...cp.body, hash: 'f'.repeat(64) })).toBe(false);
    expect((await verify()).checkpoints).toBe(1);
  });

  it('check 61: the verifier names an edited entry', async () => {
    await sys(`update audit_entries set details = '{"role":"admin"}' where tenant_id = $1 and seq = 3`, [tenantId]);
    expect((await verify()).firstBad).toEqual({ seq: 3, reason: 'edited' });
    await sys(`update audit_entries set details = '{"role":"agent"}' where tenant_id = $1 and seq = 3`, [tenantId]);
    expect((await verify()).ok).toBe(true);
  });

  it('check 61: the verifier names a deleted entry', async () => {
    const [row] = (await sys('select * from audit_entries where tenant_id = $1 and seq = 4', [tenantId]))
      .rows as Record<string, unknown>[];
    await sys('delete from audit_entries where tenant_id = $1 and seq = 4', [tenantId]);
    expect((await verify()).firstBad).toEqual({ seq: 4, reason: 'missing' });
    await sys('insert into audit_entries select * from json_populate_record(null::audit_entries, $1::json)', [
      JSON.stringify(row),
    ]);
    expect((await verify()).ok).toBe(true);
  });

  it('check 61: the verifier names reordered entries', async () => {
    // Swap the contents of seq 5 and 6, keeping their seq numbers: the links no longer meet.
    await sys(
      `update audit_entries a set id = b.id, at = b.at, action = b.action, target = b.target, details = b.details, prev_hash = b.prev_hash, hash = b.hash
       from audit_entries b where a.tenant_id = $1 and b.tenant_id = $1 and ((a.seq = 5 and b.seq = 6) or (a.seq = 6 and b.seq = 5))`,
      [tenantId],
    );
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.firstBad.seq).toBe(5);
    expect(['reordered', 'edited']).toContain(v.firstBad.reason);
  });

  it('check 61: entries cut off the end are missing against the head', async () => {
    const h2 = await h.newTenant('Truncated');
    await h.request('POST', '/v1/keys', { key: h2.admin, body: { name: 'a', role: 'agent' } });
    await h.rt.services.auditSealer.flush();
    await sys(
      'delete from audit_entries where tenant_id = $1 and seq = (select max(seq) from audit_entries where tenant_id = $1)',
      [h2.tenant.id],
    );
    const v = (await h.request('GET', '/v1/audit/verify', { key: h2.admin })).body;
    expect(v.ok).toBe(false);
    expect(v.firstBad.reason).toBe('missing');
  });

  it('check 62/60: entries hold ids and codes, never personal data or secrets', async () => {
    const { rows } = await sys('select * from audit_entries where tenant_id = $1', [tenantId]);
    const dump = JSON.stringify(rows);
    expect(dump).not.toMatch(/lf_sk_|@/);
  });

  it('check 61: concurrent audited writes never wait on the chain, and all end up in one linear verifying chain', async () => {
    const t = await h.newTenant('Concurrent');
    const before = (await h.request('GET', '/v1/audit/verify', { key: t.admin })).body.entries;
    // 40 audited writes at once, and one transaction that appends and then rolls back.
    const writes = Array.from({ length: 40 }, (_, i) =>
      h.request('POST', '/v1/keys', { key: t.admin, body: { name: `c${i}`, role: 'agent' } }),
    );
    const rolledBack = h.rt.db
      .tenant(t.tenant.id, async (tx) => {
        await h.rt.services.audit.append(tx, t.tenant.id, { actor: 'test', action: 'test.rolled_back' });
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    expect((await Promise.all(writes)).every((r) => r.status === 201)).toBe(true);
    expect(await rolledBack).toBe('rolled back');
    // Sealed by the sealer within moments, without anyone reading the log.
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const p = await sys('select count(*)::int as n from audit_pending where tenant_id = $1', [t.tenant.id]);
      if ((p.rows[0] as { n: number }).n === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { rows } = await sys('select seq from audit_entries where tenant_id = $1 order by seq', [t.tenant.id]);
    expect(rows.map((r) => Number((r as { seq: string }).seq))).toEqual(rows.map((_, i) => i + 1));
    const v = (await h.request('GET', '/v1/audit/verify', { key: t.admin })).body;
    expect(v).toMatchObject({ ok: true, entries: before + 40 });
    const listed = (await h.request('GET', '/v1/audit?action=test.rolled_back', { key: t.admin })).body;
    expect(listed.items).toEqual([]);
  });

  it('check 61: a pending entry cannot be edited by the app role, and reading the log seals it first', async () => {
    const t = await h.newTenant('Pending');
    await h.rt.services.auditSealer.flush();
    await h.rt.db.tenant(t.tenant.id, (tx) =>
      h.rt.services.audit.append(tx, t.tenant.id, { actor: 'test', action: 'test.pending' }),
    );
    await expect(
      h.rt.db.tenant(t.tenant.id, (tx) => h.rt.db.rawOf(tx).query("update audit_pending set action = 'x'")),
    ).rejects.toThrow(/permission denied/);
    // Listed at once, with its place in the chain, whether or not the sealer has run yet.
    const listed = (await h.request('GET', '/v1/audit?action=test.pending', { key: t.admin })).body;
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await h.request('GET', '/v1/audit/verify', { key: t.admin })).body.ok).toBe(true);
  });
});
