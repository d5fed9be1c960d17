/**
 * Erasure of one person with 10,000 rows across the demo platform's tables, on the machine's PostgreSQL:
 * Lawful's data-map-driven erasure (eraseSubject) against hand-written DELETE/UPDATE statements doing the same
 * thing, in the same run, rounds interleaved, medians reported. Verification (the residue scan) is timed apart.
 *   node --import tsx bench/erasure/run.ts          # ROUNDS=5 by default (env)
 *   PROFILE=1 node --import tsx bench/erasure/run.ts   # also: every statement of one erasure, with its time
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createConnector } from '../../apps/server/src/modules/connectors/connector.factory.ts';
import { eraseSubject } from '../../apps/server/src/modules/datamap/datamap.erase.ts';
import { loadDataMap } from '../../apps/server/src/modules/datamap/datamap.model.ts';
import { verifyErasure } from '../../apps/server/src/modules/datamap/datamap.verify.ts';
import { seedPlatform } from '../../apps/server/src/modules/demo/demo.platform.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';
import { fmt, printTable } from '../lib.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
// One person's rows: 1 user + 1 profile + 40 portfolios with 20 submissions each + 7,000 events + 600 calls + 1,558 tickets = 10,000.
const SHAPE = { portfolios: 40, submissions: 20, events: 7_000, calls: 600, tickets: 1_558 };
const TOTAL = 2 + SHAPE.portfolios * (1 + SHAPE.submissions) + SHAPE.events + SHAPE.calls + SHAPE.tickets;

const map = loadDataMap(
  readFileSync(new URL('../../apps/server/src/modules/demo/demo.datamap.yaml', import.meta.url), 'utf8'),
);
const db = await createPostgresDatabase('lawful_bench_erasure');
const client = new pg.Client({ connectionString: db.url });
await client.connect();
const connector = createConnector({ engine: 'postgres', url: db.url });
const key = Buffer.alloc(32, 9);

/** The platform with 300 other people, plus the person (id 1) with exactly TOTAL rows. */
const reset = async () => {
  const { people } = await seedPlatform(client, { users: 300 });
  // Person 1 gets the big history: drop their seeded activity and add SHAPE's.
  await client.query(
    'delete from form_submissions where portfolio_id in (select id from portfolios where user_id = 1)',
  );
  for (const t of ['portfolios', 'email_events', 'call_records', 'support_tickets'])
    await client.query(`delete from ${t} where user_id = 1`);
  const big = 10_000_000;
  await client.query(
    `insert into portfolios (id, user_id, title, slug, description, published_at)
     select ${big} + g, 1, 'Work ' || g, 'big-' || g, 'A portfolio', now() from generate_series(1, $1) g`,
    [SHAPE.portfolios],
  );
  await client.query(
    `insert into form_submissions (id, portfolio_id, sender_name, sender_email, message, received_at)
     select ${big} + g, ${big} + 1 + (g % $2), 'Visitor ' || g, 'v' || g || '@visitors.example', 'Hello', now()
     from generate_series(1, $1) g`,
    [SHAPE.portfolios * SHAPE.submissions, SHAPE.portfolios],
  );
  await client.query(
    `insert into email_events (id, user_id, campaign, kind, url, ip_address, at)
     select ${big} + g, 1, 'newsletter-' || (g % 12), case when g % 3 = 0 then 'click' else 'open' end, null, '192.0.2.1', now()
     from generate_series(1, $1) g`,
    [SHAPE.events],
  );
  await client.query(
    `insert into call_records (id, user_id, phone_number, direction, duration_seconds, notes, started_at)
     select ${big} + g, 1, $2, 'inbound', 60, 'call ' || g, now() from generate_series(1, $1) g`,
    [SHAPE.calls, people[0]!.phone],
  );
  await client.query(
    `insert into support_tickets (id, user_id, subject, body, status, created_at)
     select ${big} + g, 1, 'Ticket ' || g, 'Please help', 'open', now() from generate_series(1, $1) g`,
    [SHAPE.tickets],
  );
  const n = await client.query(
    `select (select count(*) from users where id = 1) + (select count(*) from profiles where user_id = 1)
      + (select count(*) from portfolios where user_id = 1) + (select count(*) from form_submissions where portfolio_id in (select id from portfolios where user_id = 1))
      + (select count(*) from email_events where user_id = 1) + (select count(*) from call_records where user_id = 1)
      + (select count(*) from support_tickets where user_id = 1) as n`,
  );
  if (Number(n.rows[0].n) !== TOTAL) throw new Error(`expected ${TOTAL} rows for the person, found ${n.rows[0].n}`);
  await client.query('analyze');
  return people[0]!;
};

/** What a developer would write by hand for the same outcome (calls kept with the number replaced and notes cleared). */
const handWritten = async (email: string) => {
  const t0 = performance.now();
  await client.query('begin');
  const u = await client.query('select id from users where lower(email) = $1', [email]);
  const id = u.rows[0].id;
  await client.query(
    "update call_records set user_id = null, notes = null, phone_number = 'psd_' || md5(phone_number) where user_id = $1",
    [id],
  );
  await client.query('delete from support_tickets where user_id = $1', [id]);
  await client.query('delete from email_events where user_id = $1', [id]);
  await client.query(
    'delete from form_submissions where portfolio_id in (select id from portfolios where user_id = $1)',
    [id],
  );
  await client.query('delete from portfolios where user_id = $1', [id]);
  await client.query('delete from profiles where user_id = $1', [id]);
  await client.query('delete from users where id = $1', [id]);
  await client.query('commit');
  return performance.now() - t0;
};

const lawful = async (email: string) => {
  const t0 = performance.now();
  const r = await eraseSubject(map, [{ kind: 'email', value: email }], {
    connectorFor: () => connector,
    pseudonymKey: key,
  });
  const ms = performance.now() - t0;
  if (!r.complete) throw new Error(JSON.stringify(r.systems));
  const t1 = performance.now();
  const v = await verifyErasure(map, [{ kind: 'email', value: email }], { connectorFor: () => connector });
  if (!v.clean) throw new Error(`residue: ${JSON.stringify(v.residue)}`);
  return { ms, verifyMs: performance.now() - t1 };
};

/**
 * Times every statement sent through node-postgres while `fn` runs (the connector's pool uses the same Client
 * class), in the order they were sent: where an erasure's time goes, statement by statement.
 */
const profile = async (fn: () => Promise<unknown>) => {
  const log: { sql: string; ms: number }[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text ?? '?');
    const entry = { sql: text.replace(/\s+/g, ' ').trim().slice(0, 110), ms: 0 };
    log.push(entry);
    const t0 = performance.now();
    const cb = args.findIndex((a) => typeof a === 'function');
    if (cb >= 0) {
      const inner = args[cb] as (...r: unknown[]) => void;
      args[cb] = (...r: unknown[]) => {
        entry.ms = performance.now() - t0;
        inner(...r);
      };
      return original.apply(this, args);
    }
    const out = original.apply(this, args) as Promise<unknown>;
    return out.finally(() => {
      entry.ms = performance.now() - t0;
    });
  };
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  const total = performance.now() - t0;
  for (const e of log) process.stdout.write(`${e.ms.toFixed(2).padStart(7)} ms  ${e.sql}\n`);
  const sum = log.reduce((a, e) => a + e.ms, 0);
  process.stdout.write(
    `${log.length} statements, ${sum.toFixed(1)} ms in statements, ${total.toFixed(1)} ms in all\n\n`,
  );
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const ours: number[] = [];
const verify: number[] = [];
try {
  if (process.env.PROFILE) {
    // One warm-up erasure first, so the profile shows a steady state (pool connected, statements planned).
    await lawful((await reset()).email);
    const p = await reset();
    await profile(() =>
      eraseSubject(map, [{ kind: 'email', value: p.email }], { connectorFor: () => connector, pseudonymKey: key }),
    );
  }
  for (let i = 0; i < ROUNDS; i++) {
    const p1 = await reset();
    base.push(await handWritten(p1.email));
    const p2 = await reset();
    const r = await lawful(p2.email);
    ours.push(r.ms);
    verify.push(r.verifyMs);
  }
  printTable([
    { run: 'hand-written DELETE/UPDATE', 'median ms': fmt(median(base)), rows: fmt(TOTAL) },
    { run: 'Lawful eraseSubject', 'median ms': fmt(median(ours)), rows: fmt(TOTAL) },
    { run: 'Lawful verifyErasure (extra)', 'median ms': fmt(median(verify)), rows: '-' },
  ]);
  process.stdout.write(
    `ratio erase / hand-written: ${fmt(median(ours) / median(base), 2)} (target ≤ 2); rounds ${ROUNDS}; rows per person ${fmt(TOTAL)}\n`,
  );
} finally {
  await connector.close();
  await client.end();
  await db.drop();
}
