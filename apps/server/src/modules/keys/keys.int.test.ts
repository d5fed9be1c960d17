import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createHarness, type Harness } from '../../../test/harness.ts';
import { openPostgres } from '../../db/client.ts';
import { buildApp, openRuntime } from '../../main.ts';

describe('API keys', () => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    admin = t.admin;
    tenantId = t.tenant.id;
  });
  afterAll(() => h.close());

  it('check 57: a key is ≥128-bit, shown once, stored only as a hash, with a visible prefix', async () => {
    const r = await h.request('POST', '/v1/keys', { key: admin, body: { name: 'crm sync', role: 'agent' } });
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^lf_sk_[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(r.body.secret.startsWith(r.body.prefix)).toBe(true);
    const rows = await h.rt.db.raw.query<{ hash: string }>('select hash from api_keys where id = $1', [r.body.id]);
    expect(rows.rows[0]!.hash).not.toContain(r.body.secret.slice(6));
    const list = await h.request('GET', '/v1/keys', { key: admin });
    expect(JSON.stringify(list.body)).not.toContain(r.body.secret);
  });

  it('check 57: a revoked key is refused at once with 401', async () => {
    const k = await h.newKey(tenantId, 'read_only');
    expect((await h.request('GET', '/v1/tenant', { key: k.secret })).status).toBe(200);
    const rev = await h.request('DELETE', `/v1/keys/${k.id}`, { key: admin });
    expect(rev.status).toBe(200);
    expect(rev.body.revokedAt).not.toBeNull();
    const after = await h.request('GET', '/v1/tenant', { key: k.secret });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('check 57: keys are never accepted in URLs', async () => {
    const r = await h.request('GET', `/v1/tenant?api_key=${admin}`);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/never accepted in URLs/);
    const r2 = await h.request('GET', `/v1/tenant?token=${admin}`, { key: admin });
    expect(r2.status).toBe(401);
  });

  it('missing, malformed and unknown keys get 401 with the error shape', async () => {
    for (const key of [undefined, 'nope', `lf_sk_${'A'.repeat(43)}`]) {
      const r = await h.request('GET', '/v1/keys', { key });
      expect(r.status).toBe(401);
      expect(r.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(r.body.error.requestId).toMatch(/^rid_/);
    }
  });

  it('check 56: admin functions are denied to non-admin keys with 403', async () => {
    for (const role of ['privacy_officer', 'agent', 'read_only', 'publishable'] as const) {
      const k = await h.newKey(tenantId, role);
      const r = await h.request('POST', '/v1/keys', { key: k.secret, body: { name: 'x', role: 'admin' } });
      expect(r.status, role).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('check 55/59: unknown fields are refused by name, and a role cannot be smuggled in', async () => {
    const r = await h.request('POST', '/v1/keys', {
      key: admin,
      body: { name: 'x', role: 'agent', tenantId: 'tnt_01JDQ2M3ZV9G7X6S5R4Q3P2N1M' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('tenantId');
    const bad = await h.request('POST', '/v1/keys', { key: admin, body: { name: 'x', role: 'owner' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('role');
    const count = await h.rt.db.raw.query<{ n: string }>('select count(*)::text as n from api_keys where name = $1', [
      'x',
    ]);
    expect(count.rows[0]!.n).toBe('0');
  });

  it('every key change is in the audit log, naming the key id and never the secret', async () => {
    const r = await h.request('GET', '/v1/audit?action=key.create', { key: admin });
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThan(0);
    expect(r.body.items[0].actor).toMatch(/^key_|^test$/);
  });

  // Two server processes on one PostgreSQL: a key revoked through one is refused by the other at once.
  if (backend === 'postgres')
    it('check 57: a revocation on server A is honoured by server B within a second', async () => {
      const k = await h.newKey(tenantId, 'read_only');
      const other = await openRuntime(h.rt.config, {
        db: await openPostgres(h.rt.config.databaseUrl!),
        logger: h.rt.logger,
      });
      try {
        const b = buildApp(other);
        const call = () => b.request('/v1/tenant', { headers: { authorization: `Bearer ${k.secret}` } });
        expect((await call()).status).toBe(200); // B now has the key cached
        await h.request('DELETE', `/v1/keys/${k.id}`, { key: admin });
        const start = Date.now();
        let status = 200;
        while (status === 200 && Date.now() - start < 1000) {
          status = (await call()).status;
          if (status === 200) await new Promise((r) => setTimeout(r, 20));
        }
        expect(status).toBe(401);
      } finally {
        await other.close();
      }
    });
});
