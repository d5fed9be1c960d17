import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_ADMIN_URL } from '../test/support/databases.ts';
import {
  auditWrites,
  call,
  consentBody,
  out,
  percentile,
  prepareConsent,
  prepareTenant,
  recordsOf,
  serveProcess,
  sleep,
  tcpProxy,
  type Write,
} from './faults-lib.ts';

const pgTarget = () => {
  const u = new URL(PG_ADMIN_URL);
  return { host: u.hostname, port: Number(u.port || 5432) };
};

type Sample = {
  at: number;
  kind: 'decision' | 'write' | 'ready';
  status: number;
  retryAfter: string | null;
  ms: number;
};

/** (b) PostgreSQL unreachable under load: 503 + Retry-After while it is, recovery by itself, nothing lost. */
export const caseProxyCut = async (databaseUrl: string, opts = { before: 3000, cut: 5000, after: 8000 }) => {
  const { dataDir, tenantId, admin } = await prepareTenant(databaseUrl);
  const proxy = await tcpProxy(pgTarget());
  const server = await serveProcess({ databaseUrl: proxy.url(databaseUrl), dataDir });
  const notice = await prepareConsent(server.url, admin);
  const seed = await call(server.url, 'POST', '/v1/consents', {
    key: admin,
    body: consentBody(notice, 'decider@faults.test', true),
  });
  const subjectId = recordsOf(seed)[0]!.subjectId;
  const decisionPath = `/v1/decisions?subject=${subjectId}&purpose=marketing-email`;

  const samples: Sample[] = [];
  const writes: Write[] = [];
  const t0 = performance.now();
  const end = t0 + opts.before + opts.cut + opts.after;
  const worker = async (w: number) => {
    for (let i = 0; performance.now() < end; i++) {
      const at = performance.now() - t0;
      if (i % 5 === 4) {
        const key = `fault-b-${w}-${i}`;
        const body = consentBody(notice, `b${w}.${i}@faults.test`, true);
        const r = await call(server.url, 'POST', '/v1/consents', {
          key: admin,
          body,
          headers: { 'idempotency-key': key },
        });
        samples.push({ at, kind: 'write', status: r.status, retryAfter: r.retryAfter, ms: r.ms });
        const ids = r.status === 201 ? recordsOf(r).map((x) => x.id) : [];
        writes.push({ key, body, acked: r.status === 201, recordIds: ids });
      } else {
        const r = await call(server.url, 'GET', decisionPath, { key: admin });
        samples.push({ at, kind: 'decision', status: r.status, retryAfter: r.retryAfter, ms: r.ms });
      }
      // A client told to retry later backs off a little, as a well-behaved one would (not the full Retry-After).
      if (samples.at(-1)!.status === 503) await sleep(100);
    }
  };
  const readiness = async () => {
    while (performance.now() < end) {
      const at = performance.now() - t0;
      const r = await call(server.url, 'GET', '/readyz', { ms: 10_000 });
      samples.push({ at, kind: 'ready', status: r.status, retryAfter: r.retryAfter, ms: r.ms });
      await sleep(100);
    }
  };
  const load = Promise.all([...Array.from({ length: 20 }, (_, w) => worker(w)), readiness()]);
  await sleep(opts.before);
  await proxy.cut();
  const cutAt = performance.now() - t0;
  await sleep(opts.cut);
  await proxy.restore();
  const restoredAt = performance.now() - t0;
  await load;

  const api = samples.filter((s) => s.kind !== 'ready');
  // Requests sent and answered while the database was away (one sent a moment before the restore may well succeed).
  const during = api.filter((s) => s.at >= cutAt + 200 && s.at + s.ms < restoredAt);
  const afterRestore = api.filter((s) => s.at >= restoredAt);
  const firstOk = afterRestore.find((s) => s.status < 300);
  const lastBad = [...afterRestore].reverse().find((s) => s.status >= 300);
  const fiveHundreds = api.filter((s) => s.status >= 500 && s.status !== 503).length;
  const noAnswer = api.filter((s) => s.status === 0).length;
  const unavailable = api.filter((s) => s.status === 503);
  const withoutRetryAfter = unavailable.filter((s) => !s.retryAfter).length;
  const readyDuring = samples.filter((s) => s.kind === 'ready' && s.at >= cutAt + 200 && s.at + s.ms < restoredAt);
  const readyOkAgain = samples.find((s) => s.kind === 'ready' && s.at >= restoredAt && s.status === 200);
  const statuses = (xs: Sample[]) => {
    const m = new Map<number, number>();
    for (const s of xs) m.set(s.status, (m.get(s.status) ?? 0) + 1);
    return [...m].map(([k, v]) => `${k}×${v}`).join(' ');
  };

  // Whatever was not acknowledged is retried once the database is back; nothing may be stored twice.
  const lost = writes.filter((w) => !w.acked);
  let retried = 0;
  for (const w of lost) {
    const r = await call(server.url, 'POST', '/v1/consents', {
      key: admin,
      body: w.body,
      headers: { 'idempotency-key': w.key },
    });
    if (r.status === 201) {
      retried++;
      w.acked = true;
      w.recordIds = recordsOf(r).map((x) => x.id);
    }
  }
  const audit = await auditWrites(databaseUrl, tenantId, writes);
  const alive = server.alive();
  out(
    `(b) 20 connections (80% decisions, 20% consent writes); database cut at ${(cutAt / 1000).toFixed(1)} s for ${(opts.cut / 1000).toFixed(0)} s`,
  );
  out(`    before the cut: ${statuses(api.filter((s) => s.at < cutAt))}`);
  out(
    `    while cut:      ${statuses(during)}; p99 latency ${percentile(
      during.map((s) => s.ms),
      99,
    ).toFixed(0)} ms, max ${Math.max(0, ...during.map((s) => s.ms)).toFixed(0)} ms`,
  );
  out(`    /readyz while cut: ${statuses(readyDuring)}`);
  out(
    `    503s without Retry-After: ${withoutRetryAfter}; other 5xx: ${fiveHundreds}; no answer (timeout/reset): ${noAnswer}`,
  );
  out(`    after restore:  ${statuses(afterRestore)}`);
  out(
    `    first 2xx ${firstOk ? `${(firstOk.at - restoredAt).toFixed(0)} ms` : 'never'} after restore; last non-2xx ${lastBad ? `${(lastBad.at - restoredAt).toFixed(0)} ms` : 'none'} after; /readyz 200 again after ${readyOkAgain ? `${(readyOkAgain.at - restoredAt).toFixed(0)} ms` : 'never'}`,
  );
  out(
    `    writes: ${writes.length - lost.length} acknowledged, ${lost.length} refused and retried (${retried} then 201); missing ${audit.ackedMissing}, keys with >1 record ${audit.duplicated}, records ${audit.records - 1} for ${writes.length} keys`,
  );
  out(`    server process alive throughout: ${alive}`);
  if (!alive) out(`    its last words:\n${server.logs.join('').slice(-2500)}`);
  await server.stop();
  await proxy.close();
  rmSync(dataDir, { recursive: true, force: true });
  // While cut every answer is a 503 with Retry-After (no 500, no hang); after the restore, all is well within 5 s.
  const ok =
    alive &&
    fiveHundreds === 0 &&
    noAnswer === 0 &&
    withoutRetryAfter === 0 &&
    during.length > 0 &&
    during.every((s) => s.status === 503) &&
    readyDuring.every((s) => s.status === 503) &&
    firstOk !== undefined &&
    (lastBad === undefined || lastBad.at - restoredAt < 5000);
  const nothingLost =
    audit.ackedMissing === 0 &&
    audit.duplicated === 0 &&
    retried === lost.length &&
    audit.records - 1 === writes.length;
  out(`    ${ok && nothingLost ? 'PASS' : 'FAIL'}`);
  return ok && nothingLost;
};

/** Polls until `done` holds or `ms` pass; returns the time it took, or Infinity. */
const until = async (ms: number, done: () => Promise<boolean>) => {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if (await done()) return performance.now() - t0;
    await sleep(10);
  }
  return Number.POSITIVE_INFINITY;
};

/** (c) two server processes on one database: a change on one is honoured by the other within a second. */
export const caseTwoServers = async (databaseUrl: string) => {
  const { dataDir, admin } = await prepareTenant(databaseUrl);
  const dataDirB = mkdtempSync(join(tmpdir(), 'lawful-faults-b-'));
  const proxy = await tcpProxy(pgTarget());
  const a = await serveProcess({ databaseUrl: proxy.url(databaseUrl), dataDir });
  const b = await serveProcess({ databaseUrl: proxy.url(databaseUrl), dataDir: dataDirB });
  const notice = await prepareConsent(a.url, admin);

  const withdrawal = async (i: number) => {
    const email = `c${i}@faults.test`;
    const g = await call(a.url, 'POST', '/v1/consents', { key: admin, body: consentBody(notice, email, true) });
    const subjectId = recordsOf(g)[0]!.subjectId;
    const path = `/v1/decisions?subject=${subjectId}&purpose=marketing-email`;
    const allowedOnB = async () => (await call(b.url, 'GET', path, { key: admin })).json?.allowed === true;
    if (!(await allowedOnB())) throw new Error('B does not see the grant made on A');
    const w = await call(a.url, 'POST', '/v1/consents', { key: admin, body: consentBody(notice, email, false) });
    if (w.status !== 201) throw new Error(`withdrawal on A: ${w.status}`);
    return until(5000, async () => !(await allowedOnB()));
  };
  const revocation = async (i: number) => {
    const k = await call(a.url, 'POST', '/v1/keys', { key: admin, body: { name: `k${i}`, role: 'read_only' } });
    const { id, secret } = k.json as { id: string; secret: string };
    // Used on B first, so B holds it in its key cache.
    for (let j = 0; j < 3; j++)
      if ((await call(b.url, 'GET', '/v1/tenant', { key: secret })).status !== 200) throw new Error('key refused on B');
    const r = await call(a.url, 'DELETE', `/v1/keys/${id}`, { key: admin });
    if (r.status !== 200) throw new Error(`revoke on A: ${r.status}`);
    return until(15_000, async () => (await call(b.url, 'GET', '/v1/tenant', { key: secret })).status === 401);
  };
  const fmtMs = (xs: number[]) => `median ${percentile(xs, 50).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

  const withdrawals: number[] = [];
  for (let i = 0; i < 20; i++) withdrawals.push(await withdrawal(i));
  const revocations: number[] = [];
  for (let i = 0; i < 10; i++) revocations.push(await revocation(i));
  // The key cache forgets on NOTIFY: after the database connection is lost and comes back, does it still hear?
  await proxy.cut();
  await sleep(3000);
  await proxy.restore();
  for (const s of [a, b]) await until(30_000, async () => (await call(s.url, 'GET', '/readyz')).status === 200);
  const afterOutage: number[] = [];
  for (let i = 0; i < 5; i++) afterOutage.push(await revocation(100 + i));

  out('(c) two server processes on one PostgreSQL');
  out(`    withdrawal on A → B's decision says no: ${fmtMs(withdrawals)} (20 people)`);
  out(`    key revoked on A → B refuses it: ${fmtMs(revocations)} (10 keys)`);
  out(`    the same after a 3 s database outage: ${fmtMs(afterOutage)} (5 keys)`);
  await a.stop();
  await b.stop();
  await proxy.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(dataDirB, { recursive: true, force: true });
  const ok = [...withdrawals, ...revocations, ...afterOutage].every((ms) => ms < 1000);
  out(`    ${ok ? 'PASS' : 'FAIL'}`);
  return ok;
};
