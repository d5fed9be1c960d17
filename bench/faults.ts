/**
 * Faults a real deployment meets, each against `lawful serve` processes on a fresh PostgreSQL database (issue 10):
 *   a. kill -9 of the server while 50 connections write consent with idempotency keys;
 *   b. PostgreSQL unreachable under load (a TCP proxy between server and database is cut, then restored);
 *   c. two server processes on one database: a withdrawal or a key revocation on one, seen by the other;
 *   d. kill -9 of a worker mid-erasure and mid-export: on restart both finish as an uninterrupted run does;
 *   e. two server processes working 200 erasure and access requests off one database: every job done once.
 * Prints the figures docs/reliability.md records and exits non-zero when a promise is broken. 127.0.0.1 only,
 * every loop bounded in time.
 *
 *   node --import tsx bench/faults.ts [a|b|c|d|e|all] [--seconds 8]   (how long (a) writes before the kill)
 *     [--events 150000] (d: the exported person's e-mail events) [--jobs 200] [--minutes 10] (e: requests, bound)
 */
import { rmSync } from 'node:fs';
import { createPostgresDatabase } from '../test/support/databases.ts';
import {
  auditWrites,
  call,
  consentBody,
  out,
  prepareConsent,
  prepareTenant,
  recordsOf,
  type Served,
  serveProcess,
  sleep,
  type Write,
} from './faults-lib.ts';
import { caseProxyCut, caseTwoServers } from './faults-network.ts';
import { caseTwoWorkers, caseWorkerKill } from './faults-workers.ts';
import { arg } from './lib.ts';

/** (a) kill -9 mid-write, restart, retry what was not acknowledged. */
const caseKill = async (databaseUrl: string) => {
  const { dataDir, tenantId, admin } = await prepareTenant(databaseUrl);
  let server: Served = await serveProcess({ databaseUrl, dataDir });
  const notice = await prepareConsent(server.url, admin);
  const writes: Write[] = [];
  const CONNECTIONS = 50;
  let killed = false;
  const worker = async (w: number) => {
    for (let i = 0; i < 100_000; i++) {
      const key = `fault-a-${w}-${i}`;
      const body = consentBody(notice, `a${w}.${i}@faults.test`, true);
      const r = await call(server.url, 'POST', '/v1/consents', {
        key: admin,
        body,
        headers: { 'idempotency-key': key },
      });
      const ok = r.status === 201;
      const recordIds = ok ? recordsOf(r).map((x) => x.id) : [];
      writes.push({ key, body, acked: ok, recordIds });
      if (!ok && !killed) throw new Error(`write failed before the kill: ${r.status} ${r.error}`);
      if (!ok) return; // the server is gone: this connection's last write is unacknowledged
    }
  };
  const t0 = performance.now();
  const load = Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
  await sleep(WRITE_SECONDS * 1000);
  killed = true;
  await server.kill9();
  const killedAt = performance.now();
  await load;
  const acked = writes.filter((w) => w.acked);
  const lost = writes.filter((w) => !w.acked);
  out(`(a) ${CONNECTIONS} connections wrote for ${((killedAt - t0) / 1000).toFixed(1)} s, then kill -9`);
  out(`    acknowledged: ${acked.length}, unacknowledged (in flight at the kill): ${lost.length}`);

  const restartT0 = performance.now();
  server = await serveProcess({ databaseUrl, dataDir });
  out(`    restarted and ready in ${((performance.now() - restartT0) / 1000).toFixed(1)} s`);
  const before = await auditWrites(databaseUrl, tenantId, acked);
  out(
    `    after restart: acknowledged missing ${before.ackedMissing}, record ids found ${before.ackedIdsFound}/${before.ackedIds}, keys with >1 record ${before.duplicated}; records ${before.records}`,
  );
  // Retry every unacknowledged write, and replay every acknowledged one: nothing may be written twice.
  let retried = 0;
  let replayedSame = 0;
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
  for (const w of acked) {
    const r = await call(server.url, 'POST', '/v1/consents', {
      key: admin,
      body: w.body,
      headers: { 'idempotency-key': w.key },
    });
    const ids = recordsOf(r).map((x) => x.id);
    if (r.status === 201 && ids.join() === w.recordIds.join()) replayedSame++;
  }
  const after = await auditWrites(databaseUrl, tenantId, writes);
  out(
    `    retried unacknowledged: ${retried}/${lost.length} answered 201; replays of acknowledged: ${replayedSame}/${acked.length} returned the same record ids`,
  );
  out(
    `    final: ${after.records} records for ${writes.length} keys, keys with >1 record ${after.duplicated}, missing ${after.ackedMissing}`,
  );
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const ok =
    before.ackedMissing === 0 &&
    before.ackedIdsFound === before.ackedIds &&
    retried === lost.length &&
    replayedSame === acked.length &&
    after.duplicated === 0 &&
    after.ackedMissing === 0 &&
    after.records === writes.length;
  out(`    ${ok ? 'PASS' : 'FAIL'}`);
  return ok;
};

const WRITE_SECONDS = arg('seconds', 8);

const main = async () => {
  const which = process.argv[2] ?? 'all';
  const results: Record<string, boolean> = {};
  for (const [name, run] of [
    ['a', caseKill],
    ['b', caseProxyCut],
    ['c', caseTwoServers],
    // (d) and (e) make their own databases: a Lawful one and a demo platform one per run.
    ['d', () => caseWorkerKill()],
    ['e', () => caseTwoWorkers()],
  ] as const) {
    if (which !== 'all' && which !== name) continue;
    const db = run.length > 0 ? await createPostgresDatabase('lawful_faults') : null;
    try {
      results[name] = await run(db?.url ?? '');
    } catch (e) {
      out(`(${name}) FAIL: ${(e as Error).stack}`);
      results[name] = false;
    } finally {
      await db?.drop();
    }
  }
  out(
    `faults: ${Object.entries(results)
      .map(([k, v]) => `${k} ${v ? 'pass' : 'FAIL'}`)
      .join(', ')}`,
  );
  process.exit(Object.values(results).every(Boolean) ? 0 : 1);
};

await main();
