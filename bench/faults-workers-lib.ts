import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import pg from 'pg';
import { loadConfig } from '../apps/server/src/config.ts';
import { openPostgres } from '../apps/server/src/db/client.ts';
import { createLogger } from '../apps/server/src/lib/logger.ts';
import { openRuntime } from '../apps/server/src/main.ts';
import { PLATFORM_TABLES, seedPlatform } from '../apps/server/src/modules/demo/demo.platform.ts';
import { DEMO_MAP } from '../apps/server/src/modules/demo/demo.setup.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { call, MASTER_KEY, sleep } from './faults-lib.ts';

/**
 * Pieces for the worker faults (d, e): a "world" is a fresh Lawful database and a fresh demo platform database seeded
 * identically every time (the demo data map connected), and a snapshot of everything a request leaves behind, with
 * what differs between two identical runs by nature (ids, timestamps, keyed pseudonyms) normalised away.
 */
export type World = {
  lawfulUrl: string;
  platformUrl: string;
  dataDir: string;
  tenantId: string;
  admin: string;
  people: { id: number; email: string }[];
  drop(): Promise<void>;
};

export const prepareWorld = async (tag: string, opts: { people: number; bigEvents?: number }): Promise<World> => {
  const lawful = await createPostgresDatabase(`lawful_faults_${tag}`);
  const platform = await createPostgresDatabase(`lawful_faults_${tag}_platform`);
  const c = new pg.Client({ connectionString: platform.url });
  await c.connect();
  const { people } = await seedPlatform(c, { users: opts.people });
  // Person 1 gets a long newsletter history, so that their access package takes a while to write.
  if (opts.bigEvents)
    await c.query(
      `insert into email_events (id, user_id, campaign, kind, url, ip_address, at)
       select 10000000 + g, 1, 'newsletter-' || (g % 12), case when g % 3 = 0 then 'click' else 'open' end,
              'https://example.com/n/' || g, '192.0.2.' || (g % 250), timestamptz '2026-01-01' + g * interval '1 minute'
         from generate_series(1, $1) g`,
      [opts.bigEvents],
    );
  await c.query('analyze');
  await c.end();
  const dataDir = mkdtempSync(join(tmpdir(), 'lawful-faults-'));
  const config = loadConfig(
    { LAWFUL_MASTER_KEY: MASTER_KEY, DATABASE_URL: lawful.url, LAWFUL_WORKER: 'off' },
    { data: dataDir },
  );
  const rt = await openRuntime(config, {
    logger: createLogger({ level: 'silent' }),
    db: await openPostgres(lawful.url),
  });
  try {
    const { tenant, adminKey } = await rt.services.tenants.create({ name: 'Faults', slug: 'faults' }, 'bench');
    const store = rt.services.dataMap.store;
    await store.put(tenant.id, DEMO_MAP, 'bench');
    await store.setConnection(tenant.id, 'demo-platform', { engine: 'postgres', url: platform.url }, 'bench');
    return {
      lawfulUrl: lawful.url,
      platformUrl: platform.url,
      dataDir,
      tenantId: tenant.id,
      admin: adminKey.secret,
      people,
      async drop() {
        await lawful.drop();
        await platform.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } finally {
    await rt.close();
  }
};

/** A verified request through the API, approved when the tenant wants a person to approve it (erasure does). */
export const submitRequest = async (base: string, admin: string, type: 'erasure' | 'access', email: string) => {
  const r = await call(base, 'POST', '/v1/requests', {
    key: admin,
    body: { types: [type], identities: [{ type: 'email', value: email }], identityVerified: true },
  });
  if (r.status !== 201) throw new Error(`POST /v1/requests: ${r.status} ${JSON.stringify(r.json)}`);
  const req = r.json as { id: string; state: string };
  if (req.state === 'awaiting_approval') {
    const a = await call(base, 'POST', `/v1/requests/${req.id}/approve`, { key: admin, body: {} });
    if (a.status !== 200) throw new Error(`approve: ${a.status} ${JSON.stringify(a.json)}`);
  }
  return req.id;
};

export const withClient = async <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
};

/** Writers append to audit_pending; a sealer moves entries into the hash chain (audit_entries). Both count. */
export const AUDIT =
  '(select tenant_id, action, target from audit_entries union all select tenant_id, action, target from audit_pending) a';

const CLOSED = ['completed', 'partially_completed', 'rejected', 'cancelled'];

/** Waits until every request is closed, or the deadline; returns the states. */
export const waitClosed = async (world: World, ids: string[], ms: number) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const states = await withClient(world.lawfulUrl, async (c) => {
      const { rows } = await c.query<{ id: string; state: string }>(
        'select id, state from requests where tenant_id = $1 and id = any($2)',
        [world.tenantId, ids],
      );
      return new Map(rows.map((r) => [r.id, r.state]));
    });
    const open = ids.filter((id) => !CLOSED.includes(states.get(id) ?? ''));
    if (open.length === 0 || Date.now() > deadline) return { states, open };
    await sleep(250);
  }
};

/** Ids, instants and keyed pseudonyms differ between two identical runs by nature; nothing else may. */
export const normalise = (s: string) =>
  s
    .replace(/\b[a-z]{2,6}_[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?/g, '<time>')
    // The HTML page writes instants for people: "November 29, 2026 at 12:41 PM".
    .replace(/[A-Z][a-z]+ \d{1,2}, \d{4}(,| at) \d{1,2}:\d{2}\s?[AP]M/g, '<time>')
    .replace(/psd_[A-Za-z0-9_-]+/g, 'psd_<keyed>');

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** Every entry of a zip (and of zips inside it, such as the workbook), normalised, by name → short hash. */
const zipEntries = (bytes: Uint8Array, prefix = ''): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, data] of Object.entries(unzipSync(bytes))) {
    if (data[0] === 0x50 && data[1] === 0x4b && data[2] === 3 && data[3] === 4) {
      Object.assign(out, zipEntries(data, `${prefix}${name}!`));
    } else out[`${prefix}${name}`] = sha(normalise(Buffer.from(data).toString('utf8')));
  }
  return out;
};

/** The ready package of a request, downloaded through a fresh link as the person would, entry by entry. */
export const packageOf = async (base: string, world: World, requestId: string) => {
  const list = await call(base, 'GET', `/v1/exports?requestId=${requestId}`, { key: world.admin });
  const rows = (list.json?.data ?? []) as { id: string; state: string }[];
  const ready = rows.find((r) => r.state === 'ready');
  if (!ready) return { exports: rows.map((r) => r.state), entries: {} };
  const link = await call(base, 'POST', `/v1/exports/${ready.id}/link`, { key: world.admin, body: {} });
  const u = new URL((link.json as { url: string }).url);
  const r = await fetch(`${base}${u.pathname}${u.search}`, { signal: AbortSignal.timeout(60_000) });
  if (r.status !== 200) throw new Error(`download: ${r.status}`);
  return { exports: rows.map((x) => x.state), entries: zipEntries(new Uint8Array(await r.arrayBuffer())) };
};

/** Files in the package folder of the tenant (a killed build must not leave one behind). */
export const packageFiles = (world: World) => {
  try {
    return readdirSync(join(world.dataDir, 'exports', world.tenantId)).map((f) => ({
      name: f,
      bytes: statSync(join(world.dataDir, 'exports', world.tenantId, f)).size,
    }));
  } catch {
    return [];
  }
};

/** The platform's tables, row by row (normalised), and what Lawful recorded about the given requests. */
export const snapshot = async (world: World, requests: Record<string, string>) => {
  const platform = await withClient(world.platformUrl, async (c) => {
    const t: Record<string, string> = {};
    for (const table of PLATFORM_TABLES) {
      const { rows } = await c.query<{ j: string }>(`select row_to_json(x)::text as j from ${table} x order by 1`);
      const lines = rows.map((r) => normalise(r.j)).sort();
      t[table] = `${lines.length} rows ${sha(lines.join('\n'))}`;
    }
    return t;
  });
  const lawful = await withClient(world.lawfulUrl, async (c) => {
    const t: Record<string, unknown> = {};
    const q = async (text: string, params: unknown[]) => (await c.query(text, params)).rows;
    for (const [label, id] of Object.entries(requests)) {
      const [r] = await q('select state, types, subject_id is not null as has_subject from requests where id = $1', [
        id,
      ]);
      t[`${label}.request`] = r;
      t[`${label}.tasks`] = (
        await q('select name, state, records_affected, note from request_tasks where request_id = $1 order by name', [
          id,
        ])
      ).map((x) => normalise(JSON.stringify(x)));
      t[`${label}.events`] = (
        await q('select kind, to_state, details from request_events where request_id = $1 order by seq', [id])
      ).map((x) => normalise(JSON.stringify(x)));
      t[`${label}.messages`] = (
        await q('select count(*)::int as n from request_messages where request_id = $1', [id])
      )[0];
      t[`${label}.exports`] = (
        await q('select kind, state, summary from export_packages where request_id = $1', [id])
      ).map((x) => normalise(JSON.stringify(x)));
      t[`${label}.erasure_log`] = await q('select key_destroyed from erasure_log where request_id = $1', [id]);
    }
    t.audit = (
      await q(`select action, count(*)::int as n from ${AUDIT} where tenant_id = $1 group by 1 order by 1`, [
        world.tenantId,
      ])
    ).map((x) => `${x.action}×${x.n}`);
    t.subjectKeys = (await q('select count(*)::int as n from subject_keys where tenant_id = $1', [world.tenantId]))[0];
    t.suppressions = (await q('select count(*)::int as n from suppressions where tenant_id = $1', [world.tenantId]))[0];
    return t;
  });
  return { platform, lawful, files: packageFiles(world).length };
};

/** The keys of two snapshots whose values differ. */
export const differences = (a: unknown, b: unknown, path = ''): string[] => {
  if (typeof a === 'object' && a && typeof b === 'object' && b && !Array.isArray(a)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
};

/** CPU seconds a process has used (Linux), to show that both workers took part. */
export const cpuSeconds = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
