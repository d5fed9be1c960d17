import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres/session';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** What both a whole database and a transaction can do: run queries. Repos take this. */
export type Queryable = Db | Tx;

/** Plain SQL with $n parameters on the same connection: for pg-boss and hand-tuned queries. */
export type RawExecutor = {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
};

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export type Database = {
  kind: 'pglite' | 'postgres';
  /** Access as the owner: migrations, key lookup before the tenant is known, jobs. RLS does not bind it. */
  system: Db;
  /** A transaction as the RLS-bound app role with the tenant set: every tenant query goes through here. */
  tenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The raw connection under a drizzle transaction, to enqueue jobs in the same transaction. */
  rawOf(tx: Tx): RawExecutor;
  raw: RawExecutor & { exec(text: string): Promise<void> };
  migrate(): Promise<void>;
  /**
   * LISTEN on a channel: every process sharing the database hears a NOTIFY once its transaction commits. `onGap` is
   * called with false when the channel is lost and with true when it is back: notifications in between were missed.
   */
  listen(channel: string, handler: (payload: string) => void, onGap?: (up: boolean) => void): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

const enterTenant = (tenantId: string) =>
  sql`select set_config('lawful.tenant_id', ${tenantId}, true), set_config('role', 'lawful_app', true)`;

// drizzle keeps the driver connection of a transaction in `session.client`; both drivers' clients speak query(text, params).
const clientOf = (tx: Tx): RawExecutor => (tx as unknown as { session: { client: RawExecutor } }).session.client;

const TENANT_ID = /^tnt_[0-9A-HJKMNP-TV-Z]{26}$/;

const MIGRATION_LOCK = 7_274_301; // any constant; pg_advisory_lock keys are per database

export const openPostgres = async (url: string, opts: { max?: number } = {}): Promise<Database> => {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 20, connectionTimeoutMillis: 5000 });
  // A dropped connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // pg-pool listens for errors only on idle clients: a connection lost while checked out (between two statements of
  // a transaction) was an unhandled 'error' that killed the server (found by bench/faults.ts b). The statement in
  // flight, or the next, fails instead (a 503), and pg-pool discards the client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzleNodePg({ client: pool, schema }) as unknown as Db;
  const listeners = new Map<string, ((payload: string) => void)[]>();
  const gapHandlers: ((up: boolean) => void)[] = [];
  let listener: pg.Client | null = null;
  let closed = false;
  let retrying = false;
  // Notifications sent while the channel was down are lost for good: whoever caches on them must forget everything.
  const gap = (up: boolean) => {
    for (const h of gapHandlers) h(up);
  };
  // One connection carries every LISTEN; if it drops, it comes back and listens again — retrying every second for as
  // long as the database is away (a single retry left the process deaf after any outage over a second, found by
  // bench/faults.ts c: a key revoked elsewhere stayed usable here until its cache entry expired).
  const retry = () => {
    if (closed || retrying) return;
    retrying = true;
    setTimeout(() => {
      retrying = false;
      connectListener().then(() => gap(true), retry);
    }, 1000).unref();
  };
  const connectListener = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      for (const h of listeners.get(n.channel) ?? []) h(n.payload ?? '');
    });
    c.on('error', () => {
      if (listener === c) {
        listener = null;
        gap(false);
      }
      void c.end().catch(() => {});
      retry();
    });
    try {
      await c.connect();
      for (const ch of listeners.keys()) await c.query(`LISTEN ${ch}`);
    } catch (e) {
      void c.end().catch(() => {});
      throw e;
    }
    listener = c;
  };
  // The pool's drizzle session: its dialect, relational schema and options serve our own transactions below.
  const base = (db as unknown as { session: { dialect: never; schema: never; options: never } }).session;
  return {
    kind: 'postgres',
    /**
     * Like drizzle's transaction, but BEGIN and entering the tenant go in one round trip (a simple-protocol
     * multi-statement; the tenant id is checked against its strict format before it is written into the SQL).
     */
    async tenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
      if (!TENANT_ID.test(tenantId)) throw new Error('not a tenant id');
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query(
          `begin; select set_config('lawful.tenant_id', '${tenantId}', true), set_config('role', 'lawful_app', true)`,
        );
        const session = new NodePgSession(client, base.dialect, base.schema, base.options);
        const tx = new NodePgTransaction(base.dialect, session, base.schema) as unknown as Tx;
        const result = await fn(tx);
        await client.query('commit');
        return result;
      } catch (e) {
        await client.query('rollback').catch(() => {
          broken = true;
        });
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async listen(channel, handler, onGap) {
      if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      const first = !listeners.has(channel);
      listeners.set(channel, [...(listeners.get(channel) ?? []), handler]);
      if (onGap) gapHandlers.push(onGap);
      if (!listener) await connectListener();
      else if (first) await listener.query(`LISTEN ${channel}`);
    },
    system: db,
    rawOf: clientOf,
    raw: {
      query: async <R>(text: string, params?: unknown[]) =>
        (await pool.query(text, params)) as unknown as { rows: R[] },
      exec: async (text) => {
        await pool.query(text);
      },
    },
    async migrate() {
      // Two processes starting together must not both migrate: hold an advisory lock on one connection.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
        await client.end();
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await pool.end();
    },
  };
};

/** Settings that keep an embedded PostgreSQL small: the defaults are sized for a dedicated server. */
export const PGLITE_CONF = ['shared_buffers=16MB', 'work_mem=4MB', 'max_connections=8'];

export const openPglite = async (dataDir: string | undefined): Promise<Database> => {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir, postgresqlconf: PGLITE_CONF });
  return wrapPglite(client);
};

export const wrapPglite = (client: PGlite): Database => {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    system: db,
    tenant: (tenantId, fn) =>
      db.transaction(async (tx) => {
        await tx.execute(enterTenant(tenantId));
        return fn(tx);
      }),
    rawOf: clientOf,
    raw: {
      query: async <R>(text: string, params?: unknown[]) => {
        // PGlite's extended protocol takes one statement; parameterless scripts go through exec.
        if (!params || params.length === 0) {
          const results = await client.exec(text);
          return { rows: (results.at(-1)?.rows ?? []) as R[] };
        }
        return client.query<R>(text, params);
      },
      exec: async (text) => {
        await client.exec(text);
      },
    },
    migrate: () => migratePglite(drizzlePglite({ client }), { migrationsFolder }),
    async listen(channel, handler) {
      await client.listen(channel, handler);
    },
    async ping() {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
};

const memos = new WeakMap<Queryable, Map<string, Promise<unknown>>>();

/**
 * Remembers what `load` returns for the rest of one transaction: the steps of one write (a consent, its lawful basis,
 * its receipt) read the same tenant settings, purpose or subject key several times. Only for values the transaction
 * itself does not change, or whose writer calls `forgetInTx`. Outside a transaction (the pool) nothing is remembered.
 */
export const inTx = <T>(q: Queryable, key: string, load: () => Promise<T>): Promise<T> => {
  if (!('rollback' in q)) return load();
  let m = memos.get(q);
  if (!m) {
    m = new Map();
    memos.set(q, m);
  }
  const hit = m.get(key) as Promise<T> | undefined;
  if (hit) return hit;
  const p = load();
  m.set(key, p);
  p.catch(() => m.delete(key));
  return p;
};

export const forgetInTx = (q: Queryable, key: string) => {
  memos.get(q)?.delete(key);
};

/**
 * `Promise.all(items.map(fn))` for steps that query inside one transaction: a transaction is one connection, which
 * runs one statement at a time, so they go one after another (node-postgres deprecates queueing a query on a busy
 * client, and it gained nothing).
 */
export const oneByOne = async <T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
};
