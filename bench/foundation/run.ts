/**
 * Foundation benchmark: an authenticated read route (key check + RLS transaction) against Hono's hello-world in the
 * same run, on PostgreSQL and on embedded PGlite; and audit chain verification speed.
 *
 *   node --import tsx bench/foundation/run.ts [--seconds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../apps/server/src/config.ts';
import { openPglite, openPostgres } from '../../apps/server/src/db/client.ts';
import { entryHash, GENESIS } from '../../apps/server/src/lib/hash-chain.ts';
import { createLogger } from '../../apps/server/src/lib/logger.ts';
import { openRuntime, startServer } from '../../apps/server/src/main.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { fmt, helloWorld, load, printTable } from '../lib.ts';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const masterKey = Buffer.alloc(32, 9).toString('base64');
const silent = createLogger({ level: 'silent' });

const lawful = async (kind: 'postgres' | 'pglite') => {
  const dir = mkdtempSync(join(tmpdir(), 'lawful-bench-'));
  const pgdb = kind === 'postgres' ? await createPostgresDatabase('lawful_bench') : null;
  const db = pgdb ? await openPostgres(pgdb.url, { max: 20 }) : await openPglite(join(dir, 'pglite'));
  const config = loadConfig(
    { LAWFUL_MASTER_KEY: masterKey, LAWFUL_RATE_LIMIT: '100000000', PORT: '0', LAWFUL_WORKER: 'off' },
    { data: dir },
  );
  const rt = await openRuntime(config, { logger: silent, db });
  const server = await startServer(rt);
  const { adminKey, tenant } = await rt.services.tenants.create({ name: 'Bench', slug: 'bench' }, 'bench');
  return {
    rt,
    tenant,
    url: `${server.url}/v1/tenant`,
    headers: { authorization: `Bearer ${adminKey.secret}` },
    async close() {
      await server.close();
      await rt.close();
      await pgdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const http = async () => {
  const rows: Record<string, string | number>[] = [];
  for (const kind of ['postgres', 'pglite'] as const) {
    const hello = await helloWorld();
    const app = await lawful(kind);
    await load({ url: hello.url, seconds: 2 }); // warm-up
    await load({ url: app.url, headers: app.headers, seconds: 2 });
    const base = await load({ url: hello.url, seconds });
    const ours = await load({ url: app.url, headers: app.headers, seconds });
    if (ours.non2xx || ours.errors) throw new Error(`${kind}: ${ours.non2xx} non-2xx, ${ours.errors} errors`);
    rows.push({
      backend: kind,
      'hello-world req/s': fmt(base.rps),
      'GET /v1/tenant req/s': fmt(ours.rps),
      ratio: `${fmt((ours.rps / base.rps) * 100, 1)}%`,
      'p99 ms (hello / ours)': `${base.p99} / ${ours.p99}`,
    });
    await app.close();
    await hello.close();
  }
  return rows;
};

const verification = async () => {
  const app = await lawful('postgres');
  const n = 200_000;
  // Build a valid chain in memory and bulk-load it: the benchmark times the verifier, not the appends.
  let prev = GENESIS;
  const tenantId = app.tenant.id;
  // The tenant's first entries are sealed into the chain just after their commit: make sure they are.
  await app.rt.services.auditSealer.flush();
  const head = await app.rt.db.raw.query<{ seq: string; hash: string }>(
    'select seq::text, hash from audit_heads where tenant_id = $1',
    [tenantId],
  );
  let seq = Number(head.rows[0]!.seq);
  prev = head.rows[0]!.hash;
  const at = new Date('2026-01-01T00:00:00Z').getTime();
  for (let batch = 0; batch < n / 5000; batch++) {
    const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
    for (let i = 0; i < 5000; i++) {
      seq++;
      const c = {
        tenantId,
        seq,
        id: `aud_${seq}`,
        at: new Date(at + seq).toISOString(),
        actor: 'key_bench',
        action: 'consent.grant',
        target: `cns_${seq}`,
        subjectId: `sub_${seq % 1000}`,
        requestId: null,
        details: { purpose: 'marketing-email', method: 'banner' },
      };
      const hash = entryHash(prev, c);
      for (const [k, v] of [c.seq, c.id, c.at, c.actor, c.action, c.target, c.subjectId, prev, hash].entries())
        cols[k]!.push(v);
      prev = hash;
    }
    await app.rt.db.raw.query(
      `insert into audit_entries (tenant_id, seq, id, at, actor, action, target, subject_id, request_id, details, prev_hash, hash)
       select $1, s, i, a, ac, act, tg, sb, null, '{"purpose":"marketing-email","method":"banner"}'::jsonb, p, h
       from unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) as t(s, i, a, ac, act, tg, sb, p, h)`,
      [tenantId, ...cols],
    );
  }
  await app.rt.db.raw.query('update audit_heads set seq = $2, hash = $3 where tenant_id = $1', [tenantId, seq, prev]);
  const t0 = performance.now();
  const v = await app.rt.db.tenant(tenantId, (tx) => app.rt.services.audit.verify(tx, tenantId));
  const ms = performance.now() - t0;
  if (!v.ok) throw new Error(`chain did not verify: ${JSON.stringify(v.firstBad)}`);
  // Baseline in the same run: reading the same rows with raw SQL and doing nothing with them.
  const t1 = performance.now();
  for (let after = 0; ; ) {
    const r = await app.rt.db.raw.query<{ seq: string }>(
      'select * from audit_entries where tenant_id = $1 and seq > $2 order by seq limit 5000',
      [tenantId, after],
    );
    if (r.rows.length === 0) break;
    after = Number(r.rows.at(-1)!.seq);
  }
  const rawMs = performance.now() - t1;
  await app.close();
  return [
    {
      entries: fmt(v.entries),
      'verify s': fmt(ms / 1000, 2),
      'entries/s': fmt(v.entries / (ms / 1000)),
      'raw SELECT of the same rows, s': fmt(rawMs / 1000, 2),
      'verify / raw read': fmt(ms / rawMs, 2),
    },
  ];
};

process.stdout.write(
  `Foundation benchmark — ${new Date().toISOString()}, Node ${process.version}, ${seconds}s per load, 50 connections\n\n`,
);
process.stdout.write('Authenticated read (API key check + RLS transaction) vs Hono hello-world, same run:\n\n');
printTable(await http());
process.stdout.write('\nAudit chain verification (PostgreSQL), vs reading the same rows with raw SQL:\n\n');
printTable(await verification());
