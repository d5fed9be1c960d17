/**
 * Admin console lists at size, on the machine's PostgreSQL: 100,000 requests and 1,000,000 people in one tenant.
 * Requests are seeded with one set-based INSERT … SELECT FROM generate_series; people need real ciphertext (the
 * list masks identifiers it decrypts under each person's own key), so they are sealed here and inserted 20,000 at a
 * time with INSERT … SELECT FROM unnest. Then, over HTTP on 127.0.0.1, the console's calls — the request queue and
 * the people list, first pages and pages at random keyset cursors — are timed one at a time, beside two baselines
 * measured in the same run: GET /healthz (the HTTP stack) and the same page as a raw SQL query (the database).
 * EXPLAIN of each list query (as the app role, under row-level security) shows which index it walks.
 *
 *   node --import tsx bench/admin/run.ts [--people 1000000] [--requests 100000] [--calls 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import pg from 'pg';
import { ulid } from 'ulid';
import { loadConfig } from '../../apps/server/src/config.ts';
import { blindIndex, newDataKey, parseMasterKeys, seal, unwrapWithMaster } from '../../apps/server/src/lib/crypto.ts';
import { createLogger } from '../../apps/server/src/lib/logger.ts';
import { buildApp, openRuntime } from '../../apps/server/src/main.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { arg, fmt, pct, printTable } from '../lib.ts';

const PEOPLE = arg('people', 1_000_000);
const REQUESTS = arg('requests', 100_000);
const CALLS = arg('calls', 200);
const BATCH = 20_000;
const MASTER = Buffer.alloc(32, 7).toString('base64');
const out = (s: string) => process.stdout.write(`${s}\n`);
const pgdb = await createPostgresDatabase('lawful_bench_admin');
const dir = mkdtempSync(join(tmpdir(), 'lawful-bench-'));
// The API's per-key rate limit would stop a benchmark that calls one route a few hundred times a second.
const config = loadConfig(
  { DATABASE_URL: pgdb.url, LAWFUL_MASTER_KEY: MASTER, LOG_LEVEL: 'warn', LAWFUL_RATE_LIMIT: '1000000' },
  { data: dir },
);
const rt = await openRuntime(config, { logger: createLogger({ level: 'warn' }) });
const owner = new pg.Client({ connectionString: pgdb.url });
await owner.connect();

const seedPeople = async (tenantId: string) => {
  const keys = (
    await owner.query('select key_wrapped, index_key_wrapped, master_key_id from tenants where id = $1', [tenantId])
  ).rows[0] as { key_wrapped: Buffer; index_key_wrapped: Buffer; master_key_id: string };
  const ring = parseMasterKeys(MASTER);
  const tkey = unwrapWithMaster(
    ring,
    { wrapped: keys.key_wrapped, masterKeyId: keys.master_key_id },
    `tenant:${tenantId}`,
  );
  const ikey = unwrapWithMaster(
    ring,
    { wrapped: keys.index_key_wrapped, masterKeyId: keys.master_key_id },
    `tenant-index:${tenantId}`,
  );
  // Three years of sign-ups, oldest first: ids sort by creation time as they do in production.
  const start = Date.now() - 3 * 365 * 86_400_000;
  const step = (3 * 365 * 86_400_000) / PEOPLE;
  for (let from = 0; from < PEOPLE; from += BATCH) {
    const s = { id: [] as string[], at: [] as Date[], erased: [] as (Date | null)[], wrapped: [] as (Buffer | null)[] };
    const idn = {
      id: [] as string[],
      subject: [] as string[],
      kind: [] as string[],
      blind: [] as string[],
      enc: [] as Buffer[],
      at: [] as Date[],
    };
    for (let i = from; i < Math.min(PEOPLE, from + BATCH); i++) {
      const ms = Math.floor(start + i * step);
      // Not newId: its monotonic factory would stamp every id with today's time, not the sign-up's.
      const id = `sub_${ulid(ms)}`;
      const at = new Date(ms);
      // One in a hundred has been erased: key shredded, identifiers gone.
      const erased = i % 100 === 99;
      s.id.push(id);
      s.at.push(at);
      s.erased.push(erased ? new Date(ms + 86_400_000) : null);
      const dek = newDataKey();
      s.wrapped.push(erased ? null : seal(tkey, dek, `subject:${tenantId}:${id}`));
      if (erased) continue;
      const values: [string, string][] = [['email', `person.${i}@example.com`]];
      if (i % 5 === 0) values.push(['phone', `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`]);
      for (const [kind, value] of values) {
        idn.id.push(`idn_${ulid(ms)}`);
        idn.subject.push(id);
        idn.kind.push(kind);
        idn.blind.push(blindIndex(ikey, kind, `${value}#${i}`));
        idn.enc.push(seal(dek, value, `${tenantId}:${id}:identifier`));
        idn.at.push(at);
      }
    }
    await owner.query('begin');
    await owner.query(
      'insert into subjects (tenant_id, id, created_at, erased_at) select $1, * from unnest($2::text[], $3::timestamptz[], $4::timestamptz[])',
      [tenantId, s.id, s.at, s.erased],
    );
    await owner.query(
      `insert into subject_keys (tenant_id, subject_id, wrapped, created_at, destroyed_at)
       select $1, k.id, k.w, k.at, case when k.w is null then k.at end from unnest($2::text[], $3::bytea[], $4::timestamptz[]) as k(id, w, at)`,
      [tenantId, s.id, s.wrapped, s.at],
    );
    await owner.query(
      `insert into subject_identifiers (tenant_id, id, subject_id, kind, blind_index, value_enc, created_at)
       select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::timestamptz[])`,
      [tenantId, idn.id, idn.subject, idn.kind, idn.blind, idn.enc, idn.at],
    );
    await owner.query('commit');
  }
};

const OPEN = "array['received','identity_pending','verified','awaiting_approval','in_progress']";
const seedRequests = async (tenantId: string) =>
  // One statement: ids grow with receipt (every 10 minutes back from now); the last 3 % are recent and open, one in
  // fifty older ones was left open (now overdue), the rest closed.
  owner.query(
    `insert into requests (tenant_id, id, types, state, channel, subject_id, identities_sealed, sealed_under, locale,
       jurisdiction, time_zone, received_at, start_date, original_due_at, due_at, verified_at, created_at, updated_at, closed_at)
     select $1, 'req_01J' || lpad(upper(to_hex(i)), 23, '0'),
       array[(array['access','portability','erasure','rectification','restriction','objection'])[1 + i % 6]],
       st, 'api', null, '\\x00'::bytea, 'tenant', 'en', 'eu', 'Europe/Paris',
       r, to_char(r, 'YYYY-MM-DD'), d, d, r, r, r, case when st = any(${OPEN}) then null else r + interval '12 days' end
     from generate_series(1, $2::int) as i,
       lateral (select now() - ($2::int - i) * interval '10 minutes' as r) as a,
       lateral (select date_trunc('day', a.r + interval '1 month') + interval '1 day' - interval '1 millisecond' as d) as b,
       lateral (select case when i > $2::int * 0.97 or i % 50 = 0 then (${OPEN})[1 + i % 5]
                       else (array['completed','completed','completed','partially_completed','rejected','cancelled'])[1 + i % 6]
                       end as st) as c`,
    [tenantId, REQUESTS],
  );

const cleanup = async () => {
  await owner.end().catch(() => undefined);
  await rt.close().catch(() => undefined);
  await pgdb.drop();
  rmSync(dir, { recursive: true, force: true });
};
process.on('uncaughtException', (e) => {
  process.stderr.write(`${e.stack}\n`);
  void cleanup().finally(() => process.exit(1));
});
const { tenant, adminKey } = await rt.services.tenants.create({ name: 'Bench', slug: 'bench' }, 'bench');
let t = performance.now();
await seedRequests(tenant.id);
out(`seeded ${fmt(REQUESTS)} requests in ${fmt((performance.now() - t) / 1000, 1)} s (generate_series)`);
t = performance.now();
await seedPeople(tenant.id);
out(`seeded ${fmt(PEOPLE)} people in ${fmt((performance.now() - t) / 1000, 1)} s (sealed here, unnest batches)`);
await owner.query('analyze');

const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: buildApp(rt).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
});
const addr = server.address();
const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
const auth = { authorization: `Bearer ${adminKey.secret}` };

const sample = async (sql: string, n: number) =>
  (await owner.query(`${sql} limit ${n}`, [tenant.id])).rows as Record<string, unknown>[];
const dueCursors = (
  await sample('select due_at, id from requests where tenant_id = $1 and closed_at is null order by random()', CALLS)
).map((r) => `${(r.due_at as Date).getTime()}.${r.id}`);
const reqIds = (await sample('select id from requests where tenant_id = $1 order by random()', CALLS)).map((r) => r.id);
const subIds = (await sample('select id from subjects where tenant_id = $1 order by random()', CALLS)).map((r) => r.id);

const timeHttp = async (paths: string[]) => {
  const ms: number[] = [];
  for (const p of paths) {
    const t0 = performance.now();
    const res = await fetch(`${base}${p}`, { headers: auth });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
    ms.push(performance.now() - t0);
  }
  return ms;
};
/** Each run in its own transaction as the app role, as the API's db.tenant does. */
const timeSql = async (runs: ((c: pg.Client) => Promise<unknown>)[]) => {
  const ms: number[] = [];
  for (const run of runs) {
    const t0 = performance.now();
    await owner.query('begin');
    await owner.query("select set_config('lawful.tenant_id', $1, true), set_config('role', 'lawful_app', true)", [
      tenant.id,
    ]);
    await run(owner);
    await owner.query('commit');
    ms.push(performance.now() - t0);
  }
  return ms;
};
const times = <T>(xs: T[]) => Array.from({ length: CALLS }, (_, i) => xs[i % xs.length]!);

// The SQL each list runs (as the repos write it), for the raw baseline and EXPLAIN.
const dueSql =
  'select * from requests where tenant_id = $1 and closed_at is null and (due_at, id) > ($2, $3) order by due_at, id limit 51';
const peopleSql = 'select * from subjects where tenant_id = $1 and id < $2 order by id desc limit 51';
const identsSql = 'select * from subject_identifiers where tenant_id = $1 and subject_id = any($2::text[])';

const rows: Record<string, string | number>[] = [];
const record = (name: string, ms: number[]) =>
  rows.push({ call: name, p50_ms: fmt(pct(ms, 50), 1), p95_ms: fmt(pct(ms, 95), 1), max_ms: fmt(Math.max(...ms), 1) });

await timeHttp(times(['/healthz'])); // warm-up
record('baseline: GET /healthz', await timeHttp(times(['/healthz'])));
record(
  'baseline: raw SQL, one queue page (due order, open)',
  await timeSql(
    dueCursors.map((cur) => (c) => {
      const [msStr, id] = cur.split('.');
      return c.query(dueSql, [tenant.id, new Date(Number(msStr)), id]);
    }),
  ),
);
record(
  'baseline: raw SQL, one people page + its identifiers',
  await timeSql(
    subIds.map((id) => async (c) => {
      const page = (await c.query(peopleSql, [tenant.id, id])).rows.map((r) => r.id);
      return c.query(identsSql, [tenant.id, page]);
    }),
  ),
);
record('queue: first page, open, by due date', await timeHttp(times(['/v1/requests?sort=due&open=true&limit=50'])));
record(
  'queue: random page, open, by due date',
  await timeHttp(dueCursors.map((c) => `/v1/requests?sort=due&open=true&limit=50&cursor=${c}`)),
);
record('queue: overdue only, by due date', await timeHttp(times(['/v1/requests?sort=due&overdue=true&limit=50'])));
record(
  'queue: one state + one type, by due date',
  await timeHttp(times(['/v1/requests?sort=due&status=in_progress&type=erasure&limit=50'])),
);
record(
  'queue: random page, all, newest first',
  await timeHttp(reqIds.map((id) => `/v1/requests?limit=50&cursor=${id}`)),
);
record('people: first page (50, masked)', await timeHttp(times(['/v1/subjects?limit=50'])));
record('people: random page (50, masked)', await timeHttp(subIds.map((id) => `/v1/subjects?limit=50&cursor=${id}`)));
record(
  'people: holding a phone, random page',
  await timeHttp(subIds.map((id) => `/v1/subjects?limit=50&kind=phone&cursor=${id}`)),
);
record('people: erased only', await timeHttp(times(['/v1/subjects?limit=50&status=erased'])));
record(
  'people: id prefix search',
  await timeHttp(subIds.map((id) => `/v1/subjects?limit=50&q=${String(id).slice(0, 12)}`)),
);
out('');
printTable(rows);

const explain = async (label: string, q: string, params: unknown[]) => {
  await owner.query('begin');
  await owner.query("select set_config('lawful.tenant_id', $1, true), set_config('role', 'lawful_app', true)", [
    tenant.id,
  ]);
  const plan = (await owner.query(`explain (analyze, costs off, timing off, summary off) ${q}`, params)).rows;
  await owner.query('commit');
  out(`\n${label}`);
  for (const r of plan) out(`  ${r['QUERY PLAN']}`);
};
const [cms, cid] = dueCursors[0]!.split('.');
await explain('EXPLAIN queue page (open, due order, keyset)', dueSql, [tenant.id, new Date(Number(cms)), cid]);
await explain(
  'EXPLAIN queue page (one state, due order)',
  "select * from requests where tenant_id = $1 and state = 'in_progress' and (due_at, id) > ($2, $3) order by due_at, id limit 51",
  [tenant.id, new Date(0), ''],
);
await explain('EXPLAIN people page (keyset on id)', peopleSql, [tenant.id, subIds[0]]);
await explain(
  'EXPLAIN people page holding a phone',
  `select * from subjects s where s.tenant_id = $1 and s.id < $2 and exists (select 1 from subject_identifiers si
     where si.tenant_id = s.tenant_id and si.kind = 'phone' and si.subject_id = s.id and si.subject_id < $2)
     order by s.id desc limit 51`,
  [tenant.id, subIds[0]],
);
await explain('EXPLAIN identifiers of a page', identsSql, [tenant.id, subIds.slice(0, 50)]);

await new Promise<void>((r) => server.close(() => r()));
await cleanup();
