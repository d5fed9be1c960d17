import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CreatedApiKey, Role, Tenant } from '@lawful/contract';
import pg from 'pg';
import { inject } from 'vitest';
import { PG_ADMIN_URL, uniqueName } from '../../../test/support/databases.ts';
import { loadConfig } from '../src/config.ts';
import { openPglite, openPostgres } from '../src/db/client.ts';
import type { Clock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/logger.ts';
import { buildApp, openRuntime, type Runtime } from '../src/main.ts';

export const backend = (process.env.LAWFUL_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

/** A fixed test master key: tests must not depend on generated secrets. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

const pgUrl = (name: string) => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

/** A database of this test file's own: a copy of the migrated template, dropped in close(). */
export const freshDatabase = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lawful-test-'));
  if (backend === 'pglite') {
    cpSync(inject('pgliteTemplate'), join(dir, 'pglite'), { recursive: true });
    return {
      dir,
      url: undefined,
      open: () => openPglite(join(dir, 'pglite')),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = uniqueName('lawful_test');
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    // Copies of one template may not start at the same instant; retry briefly.
    for (let i = 0; ; i++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('postgresTemplate')}"`);
        break;
      } catch (e) {
        if (i > 20 || !/being accessed by other users/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    dir,
    url: pgUrl(name),
    open: () => openPostgres(pgUrl(name)),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => c.end());
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

// biome-ignore lint/suspicious/noExplicitAny: tests walk response bodies freely; the assertions are the types.
type Loose = any;

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** A server instance on this file's own database, called in-process over HTTP (app.request), with its logs kept. */
export const createHarness = async (opts: { clock?: Clock; env?: Record<string, string> } = {}) => {
  const fresh = await freshDatabase();
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const config = loadConfig(
    {
      LAWFUL_MASTER_KEY: TEST_MASTER_KEY,
      LAWFUL_RATE_LIMIT: '100000',
      ...(fresh.url ? { DATABASE_URL: fresh.url } : {}),
      ...opts.env,
    },
    { data: fresh.dir },
  );
  const db = await fresh.open();
  const rt: Runtime = await openRuntime(config, { logger, clock: opts.clock, db });
  const app = buildApp(rt);

  const request = async (
    method: string,
    path: string,
    o: { key?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, body: json as Loose };
  };

  const newTenant = async (name = 'Test Org'): Promise<{ tenant: Tenant; admin: string }> => {
    const r = await rt.services.tenants.create({ name, slug: uniqueName('t').replace(/_/g, '-') }, 'test');
    return { tenant: r.tenant, admin: r.adminKey.secret };
  };

  const newKey = async (tenantId: string, role: Role): Promise<CreatedApiKey> =>
    rt.services.keys.create(tenantId, { name: `${role} key`, role }, 'test');

  return {
    rt,
    app,
    logs,
    request,
    newTenant,
    newKey,
    async close() {
      await rt.close();
      await fresh.drop();
    },
  };
};
