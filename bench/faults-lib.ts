import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../apps/server/src/config.ts';
import { openPostgres } from '../apps/server/src/db/client.ts';
import { createLogger } from '../apps/server/src/lib/logger.ts';
import { openRuntime } from '../apps/server/src/main.ts';
import { controllerRecord, purposeBody } from '../apps/server/test/consent-fixtures.ts';

export { tcpProxy } from '../apps/server/test/faults-proxy.ts';

/**
 * Pieces for the fault scripts: a real `lawful serve` process, a TCP proxy standing in for the network to
 * PostgreSQL, and an HTTP client that never waits forever. Everything listens on and talks to 127.0.0.1 only.
 */
export const MASTER_KEY = Buffer.alloc(32, 11).toString('base64');
export const out = (s: string) => process.stdout.write(`${s}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });

export type Served = {
  url: string;
  proc: ChildProcess;
  logs: string[];
  alive(): boolean;
  kill9(): Promise<void>;
  stop(): Promise<void>;
};

/** `node apps/server/bin/lawful.mjs serve` on its own port; resolves once /readyz answers 200. */
export const serveProcess = async (opts: {
  databaseUrl?: string;
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<Served> => {
  const port = opts.port ?? (await freePort());
  const { DATABASE_URL: _inherited, ...env } = process.env;
  const proc = spawn(process.execPath, ['apps/server/bin/lawful.mjs', 'serve'], {
    env: {
      ...env,
      // None: the embedded PGlite database in the data folder.
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
      PORT: String(port),
      HOST: '127.0.0.1',
      LAWFUL_DATA_DIR: opts.dataDir,
      LAWFUL_MASTER_KEY: MASTER_KEY,
      LAWFUL_RATE_LIMIT: '100000000',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  proc.stdout?.on('data', (d) => logs.push(String(d)));
  proc.stderr?.on('data', (d) => logs.push(String(d)));
  let exited = false;
  const exit = new Promise<void>((r) =>
    proc.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`server exited during start:\n${logs.join('').slice(-3000)}`);
    const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (r?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`server not ready in 90 s:\n${logs.join('').slice(-3000)}`);
    await sleep(200);
  }
  return {
    url,
    proc,
    logs,
    alive: () => !exited,
    async kill9() {
      proc.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      await Promise.race([exit, sleep(10_000).then(() => proc.kill('SIGKILL'))]);
      await exit;
    },
  };
};

/** A fetch that gives up after `ms`: a hung request is a finding, not a stuck script. */
export const call = async (
  base: string,
  method: string,
  path: string,
  o: { key?: string; body?: unknown; headers?: Record<string, string>; ms?: number } = {},
) => {
  const t0 = performance.now();
  try {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      signal: AbortSignal.timeout(o.ms ?? 15_000),
    });
    const text = await r.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, retryAfter: r.headers.get('retry-after'), json, ms: performance.now() - t0, error: '' };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { status: 0, retryAfter: null, json: null, ms: performance.now() - t0, error: err.cause?.code ?? err.name };
  }
};

/** A migrated database with one tenant ready to collect consent; returns its admin key and the notice to cite. */
export const prepareTenant = async (databaseUrl: string) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lawful-faults-'));
  const config = loadConfig(
    { LAWFUL_MASTER_KEY: MASTER_KEY, DATABASE_URL: databaseUrl, LAWFUL_WORKER: 'off' },
    {
      data: dataDir,
    },
  );
  const rt = await openRuntime(config, {
    logger: createLogger({ level: 'silent' }),
    db: await openPostgres(databaseUrl),
  });
  try {
    const { tenant, adminKey } = await rt.services.tenants.create({ name: 'Faults', slug: 'faults' }, 'bench');
    return { dataDir, tenantId: tenant.id, admin: adminKey.secret };
  } finally {
    await rt.close();
  }
};

/** Controller record, one consent purpose and a published notice, through the API of a running server. */
export const prepareConsent = async (base: string, admin: string) => {
  const must = async (method: string, path: string, body?: unknown) => {
    const r = await call(base, method, path, { key: admin, body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json as Record<string, never>;
  };
  await must('PUT', '/v1/ropa/controller', controllerRecord);
  await must('POST', '/v1/purposes', purposeBody('marketing-email'));
  const n = (await must('POST', '/v1/notices', {
    key: 'signup',
    name: 'Sign-up',
    draft: { texts: { en: { title: 'Your choices', markdown: 'Keep in touch?' } }, purposes: ['marketing-email'] },
  })) as unknown as { id: string };
  const v = (await must('POST', `/v1/notice-versions/${n.id}/publish`)) as unknown as {
    id: string;
    rendered: { en: { sha256: string } };
  };
  return { versionId: v.id, hash: v.rendered.en.sha256 };
};

/** One person's decision on marketing-email, as the sign-up form would send it. */
export const consentBody = (notice: { versionId: string; hash: string }, email: string, granted: boolean) => ({
  subject: { identity: { kind: 'email', value: email } },
  noticeVersionId: notice.versionId,
  noticeHash: notice.hash,
  locale: 'en',
  decisions: [{ purpose: 'marketing-email', granted }],
  method: 'form_checkbox',
  affirmativeAction: { kind: granted ? 'checkbox_ticked' : 'checkbox_unticked' },
});

/** The consent records a POST /v1/consents answered with (none when it failed). */
export const recordsOf = (r: { json: Record<string, unknown> | null }) =>
  (r.json?.records ?? []) as { id: string; subjectId: string }[];

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

export type Write = { key: string; body: unknown; acked: boolean; recordIds: string[] };

/** Checks every key: one submission and exactly one record each, and no record that no acknowledged key explains. */
export const auditWrites = async (databaseUrl: string, tenantId: string, writes: Write[]) => {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const keys = writes.map((w) => w.key);
    const perKey = await c.query<{ k: string; n: number }>(
      `select s.idempotency_key as k, count(r.id)::int as n
         from consent_submissions s left join consent_records r
           on r.tenant_id = s.tenant_id and r.submission_id = s.submission_id
        where s.tenant_id = $1 and s.idempotency_key = any($2) group by s.idempotency_key`,
      [tenantId, keys],
    );
    const counts = new Map(perKey.rows.map((r) => [r.k, r.n]));
    const total = await c.query<{ n: number }>('select count(*)::int as n from consent_records where tenant_id = $1', [
      tenantId,
    ]);
    const ids = writes.flatMap((w) => w.recordIds);
    const found = await c.query<{ n: number }>(
      'select count(*)::int as n from consent_records where tenant_id = $1 and id = any($2)',
      [tenantId, ids],
    );
    return {
      ackedMissing: writes.filter((w) => w.acked && counts.get(w.key) !== 1).length,
      duplicated: [...counts.values()].filter((n) => n > 1).length,
      ackedIdsFound: found.rows[0]!.n,
      ackedIds: ids.length,
      keysStored: counts.size,
      records: total.rows[0]!.n,
    };
  } finally {
    await c.end();
  }
};
