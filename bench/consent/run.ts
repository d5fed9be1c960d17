/**
 * Consent-write benchmark, on PostgreSQL, in one run:
 * 1. POST /v1/consents over HTTP at 50 connections: a new person each request, one grant, acknowledged after commit
 *    (notice and hash checked, subject resolved through the blind index, record + state + audit + webhook fan-out).
 * 2. Baseline: a raw parameterised INSERT of a comparable row through `pg`, 50 concurrent clients, same database.
 * Prints writes/s for both, the ratio (target ≥ 60%) and p99 latency.
 *
 *   node --import tsx bench/consent/run.ts [--seconds 10] [--connections 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadConfig } from '../../apps/server/src/config.ts';
import { openPostgres } from '../../apps/server/src/db/client.ts';
import { createLogger } from '../../apps/server/src/lib/logger.ts';
import { openRuntime, startServer } from '../../apps/server/src/main.ts';
import { controllerRecord, purposeBody } from '../../apps/server/test/consent-fixtures.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { arg, pct as percentile } from '../lib.ts';

const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 50);
const out = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d });

/** The baseline: N clients each inserting rows one at a time (autocommit, so every insert is a durable commit). */
const rawInserts = async (url: string) => {
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  await pool.query(`create table bench_consent (
    tenant_id text not null, id text not null, subject_id text not null, purpose_key text not null,
    decision text not null, notice_hash text not null, evidence jsonb not null, recorded_at timestamptz not null,
    primary key (tenant_id, id))`);
  const latencies: number[] = [];
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const t0 = performance.now();
        await pool.query('insert into bench_consent values ($1, $2, $3, $4, $5, $6, $7, now())', [
          'tnt_bench',
          `r${w}_${i}`,
          `s${w}_${i}`,
          'marketing-email',
          'grant',
          'f'.repeat(64),
          { method: 'api' },
        ]);
        latencies.push(performance.now() - t0);
        n++;
      }
    }),
  );
  await pool.end();
  return { rps: n / SECONDS, p99: percentile(latencies, 99) };
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
  try {
    const { adminKey } = await rt.services.tenants.create({ name: 'Bench', slug: 'bench' }, 'bench');
    const headers = { authorization: `Bearer ${adminKey.secret}`, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${server.url}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as Record<string, never>;
    };
    await call('PUT', '/v1/ropa/controller', controllerRecord);
    await call('POST', '/v1/purposes', purposeBody('marketing-email'));
    const n = (await call('POST', '/v1/notices', {
      key: 'signup',
      name: 'Sign-up',
      draft: { texts: { en: { title: 'Your choices', markdown: 'Keep in touch?' } }, purposes: ['marketing-email'] },
    })) as unknown as { id: string };
    const v = (await call('POST', `/v1/notice-versions/${n.id}/publish`)) as unknown as {
      id: string;
      rendered: { en: { sha256: string } };
    };
    const body = (i: number) =>
      JSON.stringify({
        subject: { identity: { kind: 'email', value: `p${i}@bench.test` } },
        noticeVersionId: v.id,
        noticeHash: v.rendered.en.sha256,
        locale: 'en',
        decisions: [{ purpose: 'marketing-email', granted: true }],
        method: 'form_checkbox',
        affirmativeAction: { kind: 'checkbox_ticked' },
      });
    // Warm up the pool, the JIT and the tenant key cache.
    for (let i = 0; i < 50; i++) await call('POST', '/v1/consents', JSON.parse(body(1_000_000_000 + i)));

    let seq = 0;
    const http = await autocannon({
      url: `${server.url}/v1/consents`,
      connections: CONNECTIONS,
      duration: SECONDS,
      method: 'POST',
      headers,
      requests: [{ setupRequest: (req) => ({ ...req, body: body(seq++) }) }],
    });
    const stored = await rt.db.raw.query<{ n: number }>('select count(*)::int as n from consent_records');
    const baseline = await rawInserts(pgdb.url);
    const rps = http['2xx'] / SECONDS;
    out(`Consent writes on PostgreSQL, ${CONNECTIONS} connections, ${SECONDS} s each`);
    out('| | writes/s | p99 ms | errors / non-2xx |');
    out('|---|---:|---:|---:|');
    out(
      `| POST /v1/consents (HTTP, durable) | ${fmt(rps)} | ${fmt(http.latency.p99)} | ${http.errors} / ${http.non2xx} |`,
    );
    out(`| raw INSERT through pg (baseline) | ${fmt(baseline.rps)} | ${fmt(baseline.p99, 1)} | 0 |`);
    out(`ratio: ${fmt((100 * rps) / baseline.rps, 1)}% of the raw INSERT rate (target ≥ 60%)`);
    out(`records stored: ${fmt(stored.rows[0]!.n)} (every 2xx is a committed record)`);
  } finally {
    await server.close();
    await rt.close();
    await pgdb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
