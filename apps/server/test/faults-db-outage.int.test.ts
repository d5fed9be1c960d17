import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorBody } from '@lawful/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL } from '../../../test/support/databases.ts';
import { loadConfig } from '../src/config.ts';
import { openPostgres } from '../src/db/client.ts';
import { createLogger } from '../src/lib/logger.ts';
import { buildApp, openRuntime, type Runtime } from '../src/main.ts';
import { consentReady, grantBody } from './consent-fixtures.ts';
import { tcpProxy } from './faults-proxy.ts';
import { backend, freshDatabase, TEST_MASTER_KEY } from './harness.ts';

/**
 * The fast CI form of bench/faults.ts (b) and (c): PostgreSQL becomes unreachable (a TCP proxy between the server
 * and the database is cut, as a restart cuts every connection) and comes back. PostgreSQL project only: PGlite is
 * in-process and cannot go away.
 */
describe.skipIf(backend !== 'postgres')('PostgreSQL going away and coming back (issue 10)', { timeout: 60_000 }, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  const runtimes: Runtime[] = [];
  const dirs: string[] = [];

  /** A server process's worth of runtime and app, on the database through `url`. */
  const server = async (url: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'lawful-outage-'));
    dirs.push(dir);
    const config = loadConfig(
      { LAWFUL_MASTER_KEY: TEST_MASTER_KEY, LAWFUL_RATE_LIMIT: '100000', DATABASE_URL: url },
      { data: dir },
    );
    const rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }), db: await openPostgres(url) });
    runtimes.push(rt);
    const app = buildApp(rt);
    const request = async (
      method: string,
      path: string,
      o: { key?: string; body?: unknown; headers?: object } = {},
    ) => {
      const t0 = performance.now();
      const res = await app.request(path, {
        method,
        headers: {
          ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
          ...(o.body ? { 'content-type': 'application/json' } : {}),
          ...o.headers,
        },
        body: o.body ? JSON.stringify(o.body) : undefined,
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? JSON.parse(text) : null,
        ms: performance.now() - t0,
      };
    };
    return { rt, request };
  };

  beforeAll(async () => {
    fresh = await freshDatabase();
    const u = new URL(PG_ADMIN_URL);
    proxy = await tcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
  });
  afterAll(async () => {
    await proxy?.close();
    for (const rt of runtimes) await rt.close().catch(() => {});
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await fresh?.drop();
  });

  it('answers 503 with Retry-After while the database is away, recovers by itself, loses nothing acknowledged', async () => {
    const s = await server(proxy.url(fresh.url!));
    const { tenant, adminKey } = await s.rt.services.tenants.create({ name: 'Outage', slug: 'outage' }, 'test');
    const admin = adminKey.secret;
    const notice = await consentReady({ request: s.request } as never, admin);
    const granted = await s.request('POST', '/v1/consents', {
      key: admin,
      body: grantBody(notice, 'kept@example.org', [{ purpose: 'marketing-email', granted: true }]),
      headers: { 'idempotency-key': 'outage-before-1' },
    });
    expect(granted.status).toBe(201);
    const subjectId = granted.body.records[0].subjectId as string;
    const decision = `/v1/decisions?subject=${subjectId}&purpose=marketing-email`;
    expect((await s.request('GET', decision, { key: admin })).body.allowed).toBe(true);

    await proxy.cut();
    const write = grantBody(notice, 'during@example.org', [{ purpose: 'marketing-email', granted: true }]);
    const during = [
      await s.request('GET', decision, { key: admin }),
      await s.request('POST', '/v1/consents', { key: admin, body: write, headers: { 'idempotency-key': 'outage-1' } }),
      await s.request('GET', '/v1/tenant', { key: admin }),
      await s.request('GET', '/readyz'),
    ];
    for (const r of during) {
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.ms, 'answers at once, does not hang').toBeLessThan(6000);
    }
    for (const r of during.slice(0, 3)) {
      expect(ErrorBody.safeParse(r.body).success).toBe(true);
      expect(r.body.error.code).toBe('UNAVAILABLE');
    }

    await proxy.restore();
    const t0 = performance.now();
    let back = await s.request('GET', decision, { key: admin });
    while (back.status !== 200 && performance.now() - t0 < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
      back = await s.request('GET', decision, { key: admin });
    }
    expect(back.status).toBe(200);
    expect(back.body.allowed).toBe(true);
    expect(performance.now() - t0, 'recovered within seconds').toBeLessThan(5000);
    // The refused write is retried with its key: stored once. The acknowledged one is still there, once.
    const retry = await s.request('POST', '/v1/consents', {
      key: admin,
      body: write,
      headers: { 'idempotency-key': 'outage-1' },
    });
    expect(retry.status).toBe(201);
    const again = await s.request('POST', '/v1/consents', {
      key: admin,
      body: write,
      headers: { 'idempotency-key': 'outage-1' },
    });
    expect(again.body.records[0].id).toBe(retry.body.records[0].id);
    const rows = await s.rt.db.raw.query<{ n: number }>(
      'select count(*)::int as n from consent_records where tenant_id = $1',
      [tenant.id],
    );
    expect(rows.rows[0]!.n).toBe(2);
  });

  it('a key revoked on one process is refused by another at once, also after the database was away', async () => {
    const viaProxy = await server(proxy.url(fresh.url!));
    const direct = await server(fresh.url!);
    const { tenant } = await direct.rt.services.tenants.create({ name: 'Two', slug: 'two' }, 'test');
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 1500));
    await proxy.restore();
    const t0 = performance.now();
    while ((await viaProxy.request('GET', '/readyz')).status !== 200 && performance.now() - t0 < 10_000)
      await new Promise((r) => setTimeout(r, 50));
    const key = await direct.rt.services.keys.create(tenant.id, { name: 'short-lived', role: 'read_only' }, 'test');
    // Used first on the process that lost its connection, so it would be cached there.
    expect((await viaProxy.request('GET', '/v1/tenant', { key: key.secret })).status).toBe(200);
    expect((await viaProxy.request('GET', '/v1/tenant', { key: key.secret })).status).toBe(200);
    await direct.rt.services.keys.revoke(tenant.id, key.id, 'test');
    const r0 = performance.now();
    let status = 200;
    while (status !== 401 && performance.now() - r0 < 5000) {
      status = (await viaProxy.request('GET', '/v1/tenant', { key: key.secret })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    expect(performance.now() - r0, 'the revocation is heard within a second').toBeLessThan(1000);
  });
});
