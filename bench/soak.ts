/**
 * Soak: a `lawful serve` process under a steady mixed load — 80% decisions, 15% consent writes, 5% data-subject
 * requests — for a set duration. Prints throughput, p50/p99 per kind, errors, and the server's RSS over time
 * (growth measured from the end of the warm-up, the first fifth of the run). 127.0.0.1 only; stops by itself.
 *
 *   node --import tsx bench/soak.ts [--seconds 120] [--connections 20] [--pglite] [--heap MB]
 * `--heap` caps the server's V8 old space (NODE_OPTIONS=--max-old-space-size): if RSS then stays flat without
 * errors, the growth seen without it was the collector taking its time, not a leak.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from '../test/support/databases.ts';
import {
  call,
  consentBody,
  out,
  percentile,
  prepareConsent,
  prepareTenant,
  recordsOf,
  serveProcess,
  sleep,
} from './faults-lib.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 120);
const CONNECTIONS = arg('connections', 20);
const PGLITE = process.argv.includes('--pglite');
const HEAP = arg('heap', 0);

const rssMb = (pid: number) => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : 0;
};

type Kind = 'decision' | 'consent' | 'request';

const main = async () => {
  const db = PGLITE ? null : await createPostgresDatabase('lawful_soak');
  // PGlite admits one process: the tenant is made through the server's own CLI path instead (see below).
  const prepared = db ? await prepareTenant(db.url) : null;
  const dataDir = prepared?.dataDir ?? mkdtempSync(join(tmpdir(), 'lawful-soak-'));
  const server = await serveProcess({
    databaseUrl: db?.url,
    dataDir,
    env: HEAP ? { NODE_OPTIONS: `--max-old-space-size=${HEAP}` } : {},
  });
  let admin = prepared?.admin;
  if (!admin) {
    // Embedded mode: the CLI sends `tenant create` to the running server through its operator endpoint.
    const { DATABASE_URL: _none, ...env } = process.env;
    const json = execFileSync(process.execPath, ['apps/server/bin/lawful.mjs', 'tenant', 'create', 'Soak', '--json'], {
      env: { ...env, LAWFUL_DATA_DIR: dataDir },
    }).toString();
    admin = JSON.parse(json).adminKey.secret as string;
  }
  const key = admin;
  try {
    const notice = await prepareConsent(server.url, key);
    // People who already consented: the decisions ask about them.
    const subjects: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await call(server.url, 'POST', '/v1/consents', {
        key,
        body: consentBody(notice, `seed${i}@soak.test`, i % 3 !== 0),
      });
      subjects.push(recordsOf(r)[0]!.subjectId);
    }

    const lat: Record<Kind, number[]> = { decision: [], consent: [], request: [] };
    const errors: Record<string, number> = {};
    const rss: { at: number; mb: number }[] = [];
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    let seq = 0;
    const worker = async (w: number) => {
      while (performance.now() < end) {
        const n = seq++;
        const dice = Math.random();
        const kind: Kind = dice < 0.8 ? 'decision' : dice < 0.95 ? 'consent' : 'request';
        const r =
          kind === 'decision'
            ? await call(
                server.url,
                'GET',
                `/v1/decisions?subject=${subjects[n % subjects.length]}&purpose=marketing-email`,
                { key },
              )
            : kind === 'consent'
              ? await call(server.url, 'POST', '/v1/consents', {
                  key,
                  body: consentBody(notice, `w${w}.${n}@soak.test`, Math.random() < 0.8),
                  headers: { 'idempotency-key': `soak-${w}-${n}` },
                })
              : await call(server.url, 'POST', '/v1/requests', {
                  key,
                  body: {
                    types: ['access'],
                    identities: [{ type: 'email', value: `r${w}.${n}@soak.test` }],
                    channel: 'api',
                    identityVerified: true,
                    locale: 'en',
                  },
                });
        if (r.status >= 200 && r.status < 300) lat[kind].push(r.ms);
        else {
          const k = `${kind} ${r.status || r.error}`;
          errors[k] = (errors[k] ?? 0) + 1;
        }
      }
    };
    const sampler = (async () => {
      while (performance.now() < end) {
        rss.push({ at: (performance.now() - t0) / 1000, mb: rssMb(server.proc.pid!) });
        await sleep(1000);
      }
    })();
    await Promise.all([...Array.from({ length: CONNECTIONS }, (_, w) => worker(w)), sampler]);

    const total = lat.decision.length + lat.consent.length + lat.request.length;
    const failed = Object.values(errors).reduce((a, b) => a + b, 0);
    const warm = rss.find((s) => s.at >= SECONDS / 5) ?? rss[0]!;
    const last = rss.at(-1)!;
    const growth = ((last.mb - warm.mb) / warm.mb) * 100;
    out(
      `Soak on ${PGLITE ? 'PGlite (embedded)' : 'PostgreSQL'}: ${SECONDS} s, ${CONNECTIONS} connections, mixed load${HEAP ? `, old space capped at ${HEAP} MB` : ''}`,
    );
    out('| kind | share | ok | per s | p50 ms | p99 ms |');
    out('|---|---:|---:|---:|---:|---:|');
    for (const k of ['decision', 'consent', 'request'] as Kind[]) {
      const xs = lat[k];
      out(
        `| ${k} | ${((100 * xs.length) / Math.max(1, total)).toFixed(0)}% | ${xs.length} | ${(xs.length / SECONDS).toFixed(1)} | ${percentile(xs, 50).toFixed(1)} | ${percentile(xs, 99).toFixed(1)} |`,
      );
    }
    out(
      `total: ${total} ok, ${(total / SECONDS).toFixed(1)} req/s; errors: ${failed}${failed ? ` ${JSON.stringify(errors)}` : ''}`,
    );
    out(
      `server RSS: ${warm.mb.toFixed(0)} MB after warm-up (${warm.at.toFixed(0)} s), ${last.mb.toFixed(0)} MB at the end, peak ${Math.max(...rss.map((s) => s.mb)).toFixed(0)} MB: growth ${growth.toFixed(1)}% (target < 10%)`,
    );
    out(
      `RSS every ${Math.max(1, Math.round(rss.length / 12))} s: ${rss
        .filter((_, i) => i % Math.max(1, Math.round(rss.length / 12)) === 0)
        .map((s) => s.mb.toFixed(0))
        .join(' ')}`,
    );
    out(`alive at the end: ${server.alive()}`);
  } finally {
    await server.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

await main();
