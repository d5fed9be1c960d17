import pg from 'pg';
import { out, type Served, serveProcess, sleep } from './faults-lib.ts';
import {
  AUDIT,
  cpuSeconds,
  differences,
  packageFiles,
  packageOf,
  prepareWorld,
  snapshot,
  submitRequest,
  type World,
  waitClosed,
  withClient,
} from './faults-workers-lib.ts';
import { arg } from './lib.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Polls `probe` until it returns a value, or throws after `ms`. */
const until = async <T>(what: string, probe: () => Promise<T | null | undefined>, ms: number, every = 20) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${ms} ms`);
    await sleep(every);
  }
};

const activeJobs = (world: World) =>
  withClient(world.lawfulUrl, async (c) => {
    const { rows } = await c.query<{ name: string; task: string | null }>(
      "select name, data->>'taskId' as task from pgboss.job where state = 'active' order by name",
    );
    return rows;
  });

/**
 * One run of (d): an erasure and an access request on an identically seeded world. With `interrupt`, the worker is
 * killed while both jobs are provably in the middle: the erasure's platform transaction has deleted rows and waits
 * for the users table (held by this script, as a slow platform database would), and the access package is being
 * written to disk. Then the server restarts on the same database and data folder.
 */
const runD = async (tag: string, interrupt: boolean, bigEvents: number) => {
  const world = await prepareWorld(tag, { people: 40, bigEvents });
  const erasee = world.people[1]!;
  const exportee = world.people[0]!;
  let server: Served = await serveProcess({ databaseUrl: world.lawfulUrl, dataDir: world.dataDir });
  const facts: string[] = [];
  let blocker: pg.Client | null = null;
  const seeded = await withClient(world.platformUrl, async (c) => countRows(c, erasee.id));
  try {
    if (interrupt) {
      blocker = new pg.Client({ connectionString: world.platformUrl });
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query('lock table users in share mode');
    }
    const t0 = performance.now();
    const erasure = await submitRequest(server.url, world.admin, 'erasure', erasee.email);
    if (interrupt) {
      const waiting = await until(
        'the erasure transaction to write and wait',
        () =>
          withClient(world.platformUrl, async (c) => {
            const { rows } = await c.query<{ xid: string; wait: string }>(
              `select backend_xid::text as xid, wait_event_type || '/' || wait_event as wait from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null
                  and wait_event_type = 'Lock'`,
            );
            return rows[0];
          }),
        60_000,
      );
      facts.push(`erasure: platform transaction ${waiting.xid} has written and waits (${waiting.wait}) on users`);
    }
    const access = await submitRequest(server.url, world.admin, 'access', exportee.email);
    const requests = { erasure, access };
    let restartedAt = 0;
    let killedAt = 0;
    if (interrupt) {
      const file = await until(
        'the package file to be written',
        // Past the 17-byte header of the encrypted file: the zip itself is being written.
        async () => packageFiles(world).find((f) => f.bytes > 256 * 1024),
        120_000,
        5,
      );
      const jobs = await activeJobs(world);
      await server.kill9();
      killedAt = performance.now();
      const after = packageFiles(world).find((f) => f.name === file.name)!;
      const row = await withClient(world.lawfulUrl, async (c) => {
        const { rows } = await c.query<{ state: string }>('select state from export_packages where request_id = $1', [
          access,
        ]);
        return rows[0]?.state;
      });
      facts.push(
        `kill -9 with ${jobs.length} request jobs active in pg-boss (${jobs.map((j) => j.name).join(', ')}); package file ${file.bytes.toLocaleString('en')} bytes when seen, ${after.bytes.toLocaleString('en')} at the kill, export row '${row}'`,
      );
      if (row !== 'building') facts.push('NOT MID-EXPORT: the package was finished before the kill');
      // The killed worker's platform backend is still waiting; once the lock goes, it finds its client gone.
      await blocker!.query('rollback');
      await until(
        'the killed erasure backend to go',
        () =>
          withClient(world.platformUrl, async (c) => {
            const { rows } = await c.query<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null`,
            );
            return rows[0]!.n === 0;
          }),
        30_000,
      );
      const left = await withClient(world.platformUrl, async (c) => countRows(c, erasee.id));
      facts.push(
        `after the kill: the erasee's platform rows ${left} of ${seeded} (the half-done transaction rolled back)`,
      );
      const r0 = performance.now();
      server = await serveProcess({ databaseUrl: world.lawfulUrl, dataDir: world.dataDir });
      restartedAt = performance.now();
      facts.push(`restart to ready ${seconds(restartedAt - r0)}`);
    }
    const { states, open } = await waitClosed(world, [erasure, access], 300_000);
    const closedAt = performance.now();
    facts.push(
      interrupt
        ? `both requests ${[...states.values()].join(' / ')} ${seconds(closedAt - restartedAt)} after the restart (${seconds(closedAt - killedAt)} after the kill)`
        : `both requests ${[...states.values()].join(' / ')} in ${seconds(closedAt - t0)}`,
    );
    const attempts = await withClient(world.lawfulUrl, async (c) => {
      const { rows } = await c.query<{ r: string; name: string; attempts: number }>(
        'select request_id as r, name, attempts from request_tasks where request_id = any($1) order by 1, 2',
        [[erasure, access]],
      );
      return rows.map((x) => `${x.r === erasure ? 'erasure' : 'access'}/${x.name.split(':')[0]} ${x.attempts}`);
    });
    facts.push(`task attempts: ${attempts.join(', ')}`);
    const snap = await snapshot(world, requests);
    const pkg = await packageOf(server.url, world, access);
    return { facts, open, snap, pkg, erasedLeft: await withClient(world.platformUrl, (c) => countRows(c, erasee.id)) };
  } finally {
    await blocker?.end().catch(() => {});
    await server.stop();
    await world.drop();
  }
};

const countRows = async (c: pg.Client, userId: number) => {
  const { rows } = await c.query<{ n: number }>(
    `select (select count(*) from users where id = $1) + (select count(*) from profiles where user_id = $1)
          + (select count(*) from portfolios where user_id = $1) + (select count(*) from email_events where user_id = $1)
          + (select count(*) from support_tickets where user_id = $1)
          + (select count(*) from call_records where user_id = $1) as n`,
    [userId],
  );
  return Number(rows[0]!.n);
};

/** (d) kill -9 of a worker mid-erasure and mid-export: on restart both complete as in an uninterrupted run. */
export const caseWorkerKill = async () => {
  const big = arg('events', 150_000);
  out(`(d) erasure + access request, uninterrupted (person with ${big.toLocaleString('en')} e-mail events)`);
  const base = await runD('d_base', false, big);
  for (const f of base.facts) out(`    ${f}`);
  out('(d) the same, worker killed mid-erasure and mid-export, then restarted');
  const crash = await runD('d_kill', true, big);
  for (const f of crash.facts) out(`    ${f}`);
  const diff = [...differences(base.snap, crash.snap), ...differences(base.pkg, crash.pkg).map((d) => `package ${d}`)];
  out(
    `    compared: ${Object.keys(base.snap.platform).length} platform tables, ${Object.keys(base.snap.lawful).length} Lawful records, ${Object.keys(base.pkg.entries).length} package entries, ${base.snap.files} vs ${crash.snap.files} package files on disk`,
  );
  out(`    differences from the uninterrupted run: ${diff.length === 0 ? 'none' : diff.join(', ')}`);
  // Request timelines and task rows carry kinds, states and counts only (ids and instants normalised): safe to show.
  for (const d of diff.filter((x) => /^lawful\.\w+\.(events|tasks)$/.test(x))) {
    const [, label, what] = d.split('.');
    const pick = (s: typeof base.snap) => JSON.stringify(s.lawful[`${label}.${what}`]);
    out(`      ${d}\n        uninterrupted: ${pick(base.snap)}\n        interrupted:   ${pick(crash.snap)}`);
  }
  const ok =
    diff.length === 0 &&
    base.open.length === 0 &&
    crash.open.length === 0 &&
    crash.erasedLeft === 0 &&
    Object.keys(base.pkg.entries).length > 0 &&
    !crash.facts.some((f) => f.startsWith('NOT MID'));
  out(`    ${ok ? 'PASS' : 'FAIL'}`);
  return ok;
};

/** (e) two server processes, each with its workers, on one database: every job done once. */
export const caseTwoWorkers = async () => {
  const n = arg('jobs', 200);
  const world = await prepareWorld('e', { people: n + 1 });
  const servers = [
    await serveProcess({ databaseUrl: world.lawfulUrl, dataDir: world.dataDir }),
    await serveProcess({ databaseUrl: world.lawfulUrl, dataDir: world.dataDir }),
  ];
  try {
    const cpu0 = servers.map((s) => cpuSeconds(s.proc.pid!));
    const t0 = performance.now();
    const kinds: Record<string, 'erasure' | 'access'> = {};
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < n) {
          const i = next++;
          const type = i % 2 === 0 ? 'erasure' : 'access';
          const via = servers[Math.floor(i / 2) % 2]!; // both kinds through both processes
          kinds[await submitRequest(via.url, world.admin, type, world.people[i + 1]!.email)] = type;
        }
      }),
    );
    const ids = Object.keys(kinds);
    const intake = performance.now() - t0;
    const { states, open } = await waitClosed(world, ids, arg('minutes', 10) * 60_000);
    const total = performance.now() - t0;
    const cpu = servers.map((s, i) => cpuSeconds(s.proc.pid!) - cpu0[i]!);
    out(
      `(e) two lawful serve processes (API + workers) on one database: ${n} requests (${n / 2} erasure, ${n / 2} access) through both`,
    );
    out(
      `    intake ${seconds(intake)}; all closed in ${seconds(total)} (${(n / (total / 1000)).toFixed(1)} requests/s); open after the deadline: ${open.length}`,
    );
    out(`    CPU used by each process meanwhile: ${cpu.map((c) => `${c.toFixed(1)} s`).join(' and ')}`);
    const check = await withClient(world.lawfulUrl, async (c) => {
      const one = async (text: string, params: unknown[] = []) =>
        (await c.query<{ n: number }>(text, params)).rows[0]!.n;
      const t = world.tenantId;
      return {
        notCompleted: [...states.values()].filter((s) => s !== 'completed').length,
        tasks: await one('select count(*)::int as n from request_tasks where tenant_id = $1', [t]),
        tasksNotDone: await one(
          "select count(*)::int as n from request_tasks where tenant_id = $1 and state <> 'done'",
          [t],
        ),
        // A task settled twice would leave two 'task' events naming it.
        tasksSettledTwice: await one(
          `select count(*)::int as n from (select details->>'taskId' from request_events
            where tenant_id = $1 and kind = 'task' group by 1 having count(*) > 1) x`,
          [t],
        ),
        tasksNeverSettled: await one(
          `select count(*)::int as n from request_tasks k where tenant_id = $1 and not exists
            (select 1 from request_events e where e.tenant_id = k.tenant_id and e.kind = 'task'
              and e.details->>'taskId' = k.id)`,
          [t],
        ),
        fanoutTwice: await one(
          `select count(*)::int as n from (select request_id from request_events where tenant_id = $1
            and kind = 'fanout' group by 1 having count(*) <> 1) x`,
          [t],
        ),
        completedTwice: await one(
          `select count(*)::int as n from (select request_id from request_events where tenant_id = $1
            and to_state = 'completed' group by 1 having count(*) <> 1) x`,
          [t],
        ),
        // A platform erasure run twice audits twice (the second deleting nothing).
        erasuresRunTwice: await one(
          `select count(*)::int as n from (select target from ${AUDIT} where tenant_id = $1
            and action = 'datamap.erase' group by 1 having count(*) > 1) x`,
          [t],
        ),
        erasuresAudited: await one(
          `select count(distinct target)::int as n from ${AUDIT} where tenant_id = $1 and action = 'datamap.erase'`,
          [t],
        ),
        erasureLog: await one('select count(*)::int as n from erasure_log where tenant_id = $1', [t]),
        // A package built twice audits export.ready twice.
        packagesBuiltTwice: await one(
          `select count(*)::int as n from (select target from ${AUDIT} where tenant_id = $1
            and action = 'export.ready' group by 1 having count(*) > 1) x`,
          [t],
        ),
        packagesReady: await one(
          "select count(*)::int as n from export_packages where tenant_id = $1 and state = 'ready'",
          [t],
        ),
        messages: await one('select count(*)::int as n from request_messages where tenant_id = $1', [t]),
        // E-mails per request, by type: a notification sent twice shows as a request with more than its kind.
        mailsPerType: (
          await c.query<{ type: string; lo: number; hi: number }>(
            `select type, min(n)::int as lo, max(n)::int as hi from (
               select r.types[1] as type, (select count(*) from request_messages m
                 where m.tenant_id = r.tenant_id and m.request_id = r.id) as n
                 from requests r where r.tenant_id = $1) x group by 1 order by 1`,
            [t],
          )
        ).rows,
        jobsRetried: await one(
          "select count(*)::int as n from pgboss.job where name like 'request.%' and retry_count > 0",
        ),
        jobsNotCompleted: await one(
          "select count(*)::int as n from pgboss.job where name like 'request.%' and state <> 'completed'",
        ),
        jobs: await one("select count(*)::int as n from pgboss.job where name like 'request.%'"),
      };
    });
    const files = packageFiles(world).length;
    const half = n / 2;
    out(
      `    requests completed ${n - check.notCompleted}/${n}; tasks ${check.tasks} (${check.tasksNotDone} not done), settled twice ${check.tasksSettledTwice}, never settled ${check.tasksNeverSettled}`,
    );
    out(
      `    fan-outs not exactly once ${check.fanoutTwice}; completions not exactly once ${check.completedTwice}; e-mails ${check.messages} (per request: ${check.mailsPerType.map((m) => `${m.type} ${m.lo === m.hi ? m.lo : `${m.lo}-${m.hi}`}`).join(', ')})`,
    );
    out(
      `    platform erasures audited ${check.erasuresAudited}/${half}, run twice ${check.erasuresRunTwice}; erasure log ${check.erasureLog}/${half}`,
    );
    out(
      `    packages ready ${check.packagesReady}/${half}, built twice ${check.packagesBuiltTwice}, files on disk ${files}/${half}`,
    );
    out(
      `    pg-boss: ${check.jobs} request jobs, ${check.jobsNotCompleted} not completed, ${check.jobsRetried} retried (the Lawful task of an erasure waits for the platform one by retrying)`,
    );
    const ok =
      open.length === 0 &&
      check.notCompleted === 0 &&
      check.tasksNotDone === 0 &&
      check.tasksSettledTwice === 0 &&
      check.tasksNeverSettled === 0 &&
      check.fanoutTwice === 0 &&
      check.completedTwice === 0 &&
      check.erasuresRunTwice === 0 &&
      check.erasuresAudited === half &&
      check.erasureLog === half &&
      check.packagesBuiltTwice === 0 &&
      check.packagesReady === half &&
      files === half &&
      check.mailsPerType.every((m) => m.lo === m.hi) &&
      cpu.every((x) => x > 1);
    out(`    ${ok ? 'PASS' : 'FAIL'}`);
    return ok;
  } finally {
    for (const s of servers) await s.stop();
    await world.drop();
  }
};
