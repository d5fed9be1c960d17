import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempDatabase } from '../../../../../test/support/databases.ts';
import { createShopDatabase } from '../../../test/fixtures/shop-database.ts';
import { createHarness, type Harness } from '../../../test/harness.ts';

type Json = Record<string, unknown>;

describe('POST /v1/datamap/discover: a proposal from a stored connection, returned and never stored', () => {
  let h: Harness;
  let shop: TempDatabase;
  let admin: string;
  let tenantId: string;

  beforeAll(async () => {
    [h, shop] = await Promise.all([createHarness(), createShopDatabase()]);
    const t = await h.newTenant('Shop');
    admin = t.admin;
    tenantId = t.tenant.id;
    const set = await h.request('PUT', '/v1/datamap/connections/shop', {
      key: admin,
      body: { engine: 'postgres', url: shop.url },
    });
    expect(set.status, set.text).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await shop?.drop();
  });

  it('finds the people table, its identifiers and the tables linked to it, and says why', async () => {
    const r = await h.request('POST', '/v1/datamap/discover', { key: admin, body: { connection: 'shop' } });
    expect(r.status, r.text).toBe(200);
    const email = (r.body.detections as Json[]).find((d) => d.table === 'customers' && d.column === 'email');
    expect(email).toMatchObject({ category: 'user.contact.email', identity: 'email', confidence: 'high' });
    expect(String(email?.reasons)).toMatch(/sampled values look like/);
    const system = (r.body.map as { systems: Json[] }).systems[0] as {
      id: string;
      connection: string;
      collections: { table: string }[];
      references: { from: { collection: string }; to: { collection: string } }[];
    };
    expect(system).toMatchObject({ id: 'shop', connection: 'shop' });
    expect(system.collections.map((c) => c.table).sort()).toEqual(['customers', 'order_lines', 'orders']);
    expect(system.references).toContainEqual(
      expect.objectContaining({
        from: { collection: 'orders', column: 'customer_id' },
        to: { collection: 'customers', column: 'id' },
      }),
    );
    expect(r.body.stats).toMatchObject({ tables: 4 });
    expect(r.body.report).toMatch(/Tables with nothing personal found \(1\): products/);
    // Sampled values stay in the database: the answer names columns and counts, never a person.
    expect(r.text).not.toMatch(/person\d+@example\.org|Lovelace|\+44/);
    // Nothing stored: the tenant still has no data map.
    expect((await h.request('GET', '/v1/datamap', { key: admin })).status).toBe(404);
  });

  it('names the field at fault: an unknown connection, a bad system id, an unknown field', async () => {
    const none = await h.request('POST', '/v1/datamap/discover', { key: admin, body: { connection: 'nope' } });
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ code: 'NOT_FOUND', field: 'connection' });
    const bad = await h.request('POST', '/v1/datamap/discover', {
      key: admin,
      body: { connection: 'shop', system: 'Not An Id' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('system');
    const extra = await h.request('POST', '/v1/datamap/discover', {
      key: admin,
      body: { connection: 'shop', url: 'x' },
    });
    expect(extra.status).toBe(400);
  });

  it('an unreachable database is a 503 that names the connection, never its URL or password', async () => {
    const set = await h.request('PUT', '/v1/datamap/connections/down', {
      key: admin,
      body: { engine: 'postgres', url: 'postgres://lawful:hunter2secret@127.0.0.1:1/nowhere' },
    });
    expect(set.status, set.text).toBe(200);
    const r = await h.request('POST', '/v1/datamap/discover', { key: admin, body: { connection: 'down' } });
    expect(r.status, r.text).toBe(503);
    expect(r.body.error).toMatchObject({ code: 'UNAVAILABLE', field: 'connection' });
    expect(r.text).toContain('down');
    expect(r.text).not.toMatch(/hunter2|127\.0\.0\.1:1|nowhere/);
    expect(h.logs.join('')).not.toMatch(/hunter2/);
  });

  it('officers may run it, agents and readers may not; each run is audited without the URL', async () => {
    for (const role of ['agent', 'read_only'] as const) {
      const k = await h.newKey(tenantId, role);
      const r = await h.request('POST', '/v1/datamap/discover', { key: k.secret, body: { connection: 'shop' } });
      expect(r.status, role).toBe(403);
    }
    const officer = await h.newKey(tenantId, 'privacy_officer');
    const ok = await h.request('POST', '/v1/datamap/discover', {
      key: officer.secret,
      body: { connection: 'shop', system: 'webshop', sampleSize: 0 },
    });
    expect(ok.status, ok.text).toBe(200);
    expect((ok.body.map as { systems: Json[] }).systems[0]?.id).toBe('webshop');
    const audit = await h.request('GET', '/v1/audit?action=datamap.discover', { key: admin });
    const items = audit.body.items as Json[];
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items[0]).toMatchObject({ action: 'datamap.discover', target: 'shop' });
    expect(JSON.stringify(items)).not.toContain(shop.url);
  });
});
