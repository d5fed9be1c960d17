/**
 * Decisions benchmark, on PostgreSQL:
 * 1. GET /v1/decisions (key check + one indexed query) at 50 connections vs Hono's hello-world, same run, same process.
 * 2. POST /v1/audiences:filter with N identifiers (NDJSON streamed both ways) against N subjects, vs the hand-written
 *    SQL join over the same blind indexes; time ratio and peak RSS.
 *
 *   node --import tsx bench/decisions/run.ts [--subjects 1000000] [--seconds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import pg from 'pg';
import { loadConfig } from '../../apps/server/src/config.ts';
import { openPostgres } from '../../apps/server/src/db/client.ts';
import { newId } from '../../apps/server/src/lib/ids.ts';
import { createLogger } from '../../apps/server/src/lib/logger.ts';
import { openRuntime, startServer } from '../../apps/server/src/main.ts';
import { samplePurpose } from '../../apps/server/src/modules/purposes/purposes.fixtures.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { arg } from '../lib.ts';

const N = arg('subjects', 1_000_000);
const SECONDS = arg('seconds', 10);
const out = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d });

/** Peak resident memory while fn runs, sampled every 25 ms. */
const peakRss = async <T>(fn: () => Promise<T>) => {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const start = performance.now();
  try {
    const result = await fn();
    return {
      result,
      ms: performance.now() - start,
      peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6),
    };
  } finally {
    clearInterval(t);
  }
};

const hello = async () => {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello Hono!'));
  const server = await new Promise<ReturnType<typeof serve>>((r) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s));
  });
  const a = server.address();
  return {
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

const cannon = async (o: { url: string; headers?: Record<string, string>; paths?: string[]; seconds: number }) => {
  const r = await autocannon({
    url: o.url,
    connections: 50,
    duration: o.seconds,
    headers: o.headers,
    requests: o.paths
      ? [{ setupRequest: (req) => ({ ...req, path: o.paths![Math.floor(Math.random() * o.paths!.length)]! }) }]
      : undefined,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.errors + r.non2xx };
};

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lawful-bench-'));
  const pgdb = await createPostgresDatabase('lawful_bench');
  const db = await openPostgres(pgdb.url, { max: 20 });
  const config = loadConfig(
    {
      LAWFUL_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
      LAWFUL_RATE_LIMIT: '100000000',
      PORT: '0',
      LAWFUL_WORKER: 'off',
    },
    { data: dir },
  );
  const rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }), db });
  const server = await startServer(rt);
  const { adminKey, tenant } = await rt.services.tenants.create({ name: 'Bench', slug: 'bench' }, 'bench');
  const auth = { authorization: `Bearer ${adminKey.secret}` };
  const purpose = 'marketing-email';
  await rt.services.purposes.create(
    tenant.id,
    samplePurpose(purpose, { allowedBases: ['consent', 'legitimate_interests'], directMarketing: true }),
    'bench',
  );

  // Seed N subjects with an e-mail each; 9 in 10 have a basis for the purpose. Written straight to the tables (as the
  // owner): going through the API would take hours and measure the seeding, not the decisions.
  out(`seeding ${fmt(N)} subjects…`);
  const seedStart = performance.now();
  const emails: string[] = new Array(N);
  const bidx: string[] = new Array(N);
  const subjectIds: string[] = new Array(N);
  const at = new Date().toISOString();
  const CH = 20_000;
  const { vault } = rt.services;
  for (let off = 0; off < N; off += CH) {
    const n = Math.min(CH, N - off);
    const ids: string[] = [];
    const idn: string[] = [];
    const bi: string[] = [];
    for (let i = off; i < off + n; i++) {
      emails[i] = `person${i}@example.com`;
      subjectIds[i] = newId('subject');
      bidx[i] = await vault.blindIndex(db.system, tenant.id, 'email', emails[i]!);
      ids.push(subjectIds[i]!);
      idn.push(newId('identifier'));
      bi.push(bidx[i]!);
    }
    const withBasis = ids.filter((_, j) => (off + j) % 10 !== 0);
    await db.raw.query('insert into subjects (tenant_id, id, created_at) select $1, unnest($2::text[]), $3', [
      tenant.id,
      ids,
      at,
    ]);
    await db.raw.query(
      `insert into subject_identifiers (tenant_id, id, subject_id, kind, blind_index, value_enc, created_at)
       select $1, u.id, u.sid, 'email', u.bi, '\\x00'::bytea, $5 from unnest($2::text[], $3::text[], $4::text[]) as u(id, sid, bi)`,
      [tenant.id, idn, ids, bi, at],
    );
    await db.raw.query(
      `insert into lawful_bases (tenant_id, id, subject_id, purpose_key, purpose_version, basis, evidence, source, set_by, set_at)
       select $1, 'bas_' || substr(u.sid, 5), u.sid, $3, 1, 'legitimate_interests', '{"liaReference":"LIA-2026-01"}', 'bench', 'bench', $4
       from unnest($2::text[]) as u(sid)`,
      [tenant.id, withBasis, purpose, at],
    );
  }
  await db.raw.exec('analyze');
  out(`seeded in ${fmt((performance.now() - seedStart) / 1000, 1)} s`);

  // 1. Single decisions over HTTP.
  const hw = await hello();
  const paths = Array.from(
    { length: 5000 },
    (_, i) => `/v1/decisions?subject=${subjectIds[(i * 197) % N]}&purpose=${purpose}`,
  );
  const check = await fetch(`${server.url}${paths[1]}`, { headers: auth });
  if (check.status !== 200) throw new Error(`decision answered ${check.status}: ${await check.text()}`);
  await cannon({ url: hw.url, seconds: 2 });
  await cannon({ url: server.url, headers: auth, paths, seconds: 2 });
  const base = await cannon({ url: hw.url, seconds: SECONDS });
  const ours = await cannon({ url: server.url, headers: auth, paths, seconds: SECONDS });
  // The smallest authenticated read (key check + an RLS transaction), to show what the decision itself adds.
  const tenantRead = await cannon({ url: server.url, headers: auth, paths: ['/v1/tenant'], seconds: SECONDS });
  if (ours.bad || tenantRead.bad) throw new Error(`${ours.bad + tenantRead.bad} errors or non-2xx answers`);
  await hw.close();

  // 2. Audience filter: every seeded e-mail in, the allowed ones out.
  const body = () => {
    let next = 0;
    const enc = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const end = Math.min(next + 10_000, N);
        let s = '';
        for (let i = next; i < end; i++) s += `{"kind":"email","value":"${emails[i]}"}\n`;
        controller.enqueue(enc.encode(s));
        next = end;
        if (end >= N) controller.close();
      },
    });
  };
  const endpoint = await peakRss(async () => {
    const res = await fetch(`${server.url}/v1/audiences:filter?purpose=${purpose}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      body: body(),
      duplex: 'half',
    } as RequestInit);
    if (res.status !== 200) throw new Error(`audience answered ${res.status}: ${await res.text()}`);
    let lines = 0;
    const dec = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const s = dec.decode(chunk, { stream: true });
      for (let k = s.indexOf('\n'); k !== -1; k = s.indexOf('\n', k + 1)) lines++;
      if (s.includes('"error"')) throw new Error(`audience stream failed: ${s.slice(-300)}`);
    }
    return lines;
  });

  // The hand-written join: the same HMACs, then one statement joining all of them, on one plain connection.
  const client = new pg.Client({ connectionString: pgdb.url });
  await client.connect();
  const handWritten = await peakRss(async () => {
    const h: string[] = new Array(N);
    for (let i = 0; i < N; i++) h[i] = await vault.blindIndex(db.system, tenant.id, 'email', emails[i]!);
    const r = await client.query(
      `select count(*)::int as n from unnest($2::text[]) as t(bidx)
       join subject_identifiers si on si.tenant_id = $1 and si.kind = 'email' and si.blind_index = t.bidx
       join lawful_bases b on b.tenant_id = $1 and b.subject_id = si.subject_id and b.purpose_key = $3`,
      [tenant.id, h, purpose],
    );
    return (r.rows[0] as { n: number }).n;
  });
  await client.end();
  if (endpoint.result !== handWritten.result)
    throw new Error(`counts differ: ${endpoint.result} vs ${handWritten.result}`);

  out('');
  out(`## Single decision over HTTP (PostgreSQL, 50 connections, ${SECONDS} s each, ${fmt(N)} subjects)`);
  out('| | req/s | p50 ms | p99 ms |');
  out('|---|---|---|---|');
  out(`| Hono hello-world | ${fmt(base.rps)} | ${base.p50} | ${base.p99} |`);
  out(
    `| GET /v1/tenant (auth + empty RLS transaction) | ${fmt(tenantRead.rps)} | ${tenantRead.p50} | ${tenantRead.p99} |`,
  );
  out(`| GET /v1/decisions | ${fmt(ours.rps)} | ${ours.p50} | ${ours.p99} |`);
  out(`| decisions / hello-world | ${fmt(ours.rps / base.rps, 3)} | | |`);
  out(`| decisions / tenant read | ${fmt(ours.rps / tenantRead.rps, 3)} | | |`);
  out('');
  out(`## audiences:filter, ${fmt(N)} identifiers against ${fmt(N)} subjects (${fmt(endpoint.result)} allowed)`);
  out('| | time s | peak RSS MB |');
  out('|---|---|---|');
  out(`| POST /v1/audiences:filter (NDJSON both ways) | ${fmt(endpoint.ms / 1000, 1)} | ${endpoint.peakMb} |`);
  out(`| hand-written SQL join (HMAC + one statement) | ${fmt(handWritten.ms / 1000, 1)} | ${handWritten.peakMb} |`);
  out(`| ratio | ${fmt(endpoint.ms / handWritten.ms, 2)}× | |`);

  await server.close();
  await rt.close();
  await pgdb.drop();
  rmSync(dir, { recursive: true, force: true });
};

await main();
