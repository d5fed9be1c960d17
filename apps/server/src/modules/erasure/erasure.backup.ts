import { execFile } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Config } from '../../config.ts';
import { type Database, openPglite, openPostgres, PGLITE_CONF, wrapPglite } from '../../db/client.ts';
import { erasureLog } from '../../db/schema/index.ts';
import { lockDataDir, pgliteDir } from '../../lib/data-dir.ts';
import { deleteTenantRows } from '../tenants/tenants.offboard.ts';
import {
  type ErasureLogEntry,
  erasureLogFile,
  isTenantDeletion,
  type LogLine,
  replayErasure,
} from './erasure.service.ts';

const run = promisify(execFile);

/** The erasure log file beside the database: a restore reads it, whatever the backup holds. */
export const erasureLogPath = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'erasure-log.jsonl');

type PgliteHolder = { $client?: PGlite };

/**
 * Writes a consistent copy of Lawful's database to `out`: `pg_dump --format=custom` for a PostgreSQL server, or, for
 * the embedded database, PGlite's own data-folder dump taken by the process that holds it (the running server when
 * the command is forwarded, else the CLI under the folder lock). Secrets (master key, signing key) are NOT included:
 * keep them apart, so a stolen backup stays ciphertext.
 */
export const backupDatabase = async (
  rt: { config: Pick<Config, 'databaseUrl'>; db: Database },
  out: string,
): Promise<{ kind: 'pg_dump' | 'pglite'; bytes: number }> => {
  if (rt.db.kind === 'postgres') {
    if (!rt.config.databaseUrl) throw new Error('no DATABASE_URL to dump');
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${out}`, rt.config.databaseUrl], {
      maxBuffer: 1 << 24,
    });
    return { kind: 'pg_dump', bytes: statSync(out).size };
  }
  const client = (rt.db.system as unknown as PgliteHolder).$client;
  if (!client) throw new Error('the embedded database does not expose its client');
  const blob = await client.dumpDataDir('gzip');
  const bytes = Buffer.from(await blob.arrayBuffer());
  writeFileSync(out, bytes, { mode: 0o600 });
  return { kind: 'pglite', bytes: bytes.length };
};

const entriesOf = async (db: Database): Promise<ErasureLogEntry[]> =>
  (await db.system.select().from(erasureLog)).map((r) => ({
    tenantId: r.tenantId,
    subjectId: r.subjectId,
    requestId: r.requestId,
    erasedAt: r.erasedAt.toISOString(),
  }));

const keyOf = (e: LogLine) => (isTenantDeletion(e) ? `${e.tenantId}:*` : `${e.tenantId}:${e.subjectId}`);

/** Every erasure known now: the log file, plus the log table of the database about to be replaced (if readable). */
const knownErasures = async (config: Config, current: () => Promise<Database | null>) => {
  const byKey = new Map<string, LogLine>();
  for (const e of erasureLogFile(erasureLogPath(config)).read()) byKey.set(keyOf(e), e);
  const db = await current().catch(() => null);
  if (db) {
    try {
      for (const e of await entriesOf(db).catch(() => [])) byKey.set(`${e.tenantId}:${e.subjectId}`, e);
    } finally {
      await db.close();
    }
  }
  return [...byKey.values()];
};

/**
 * Applies every logged erasure to a freshly restored database (owner, one transaction): deleted tenants are deleted
 * again, erased subjects shredded again.
 */
const replay = async (db: Database, entries: LogLine[]) => {
  let shredded = 0;
  await db.system.transaction(async (tx) => {
    for (const e of entries) {
      if (isTenantDeletion(e)) {
        if ((await deleteTenantRows(db.rawOf(tx), e.tenantId)).tenants) shredded++;
      } else if ((await replayErasure(tx, e)).keyShredded) shredded++;
    }
  });
  return shredded;
};

/** Drops and recreates the database of `url` from the server's maintenance database (ends other sessions). */
const recreateDatabase = async (url: string) => {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name))
    throw new Error('the database name in DATABASE_URL is not a plain identifier');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  } finally {
    await c.end();
  }
};

export type RestoreResult = {
  kind: 'pg_restore' | 'pglite';
  /** Erasures known (log file + the replaced database). */
  erasures: number;
  /** Subjects the backup still held a key for, shredded again before serving (check 48). */
  reshredded: number;
  /** Embedded mode: where the replaced database was moved (delete it once you are satisfied). */
  previous?: string;
};

/**
 * Replaces Lawful's database with a backup, then, before anything serves from it, replays the erasure log so a backup
 * taken before someone's erasure never brings them back (check 48). Refuses while a server holds the embedded folder.
 * `replay: false` exists for the test that proves the replay is what removes them.
 */
export const restoreDatabase = async (
  config: Config,
  file: string,
  opts: { replay?: boolean } = {},
): Promise<RestoreResult> => {
  if (!existsSync(file)) throw new Error(`no such backup file: ${file}`);
  const doReplay = opts.replay ?? true;
  if (config.databaseUrl) {
    const url = config.databaseUrl;
    const entries = await knownErasures(config, () => openPostgres(url, { max: 2 }));
    // pg_restore --clean cannot drop pg-boss's partitioned tables, so the database itself is recreated, empty.
    await recreateDatabase(url);
    await run('pg_restore', ['--no-owner', '--single-transaction', `--dbname=${url}`, file], { maxBuffer: 1 << 24 });
    const db = await openPostgres(url, { max: 2 });
    try {
      await db.migrate();
      const reshredded = doReplay ? await replay(db, entries) : 0;
      return { kind: 'pg_restore', erasures: entries.length, reshredded };
    } finally {
      await db.close();
    }
  }
  const release = await lockDataDir(config.dataDir);
  try {
    const dir = pgliteDir(config.dataDir);
    const entries = await knownErasures(config, async () => (existsSync(dir) ? openPglite(dir) : null));
    let previous: string | undefined;
    if (existsSync(dir)) {
      previous = `${dir}.before-restore-${Date.now()}`;
      renameSync(dir, previous);
    }
    const blob = new Blob([readFileSync(file)]);
    const client = await PGlite.create({ dataDir: dir, loadDataDir: blob, postgresqlconf: PGLITE_CONF });
    const db = wrapPglite(client);
    try {
      await db.migrate();
      const reshredded = doReplay ? await replay(db, entries) : 0;
      return { kind: 'pglite', erasures: entries.length, reshredded, previous };
    } finally {
      await db.close();
    }
  } finally {
    await release();
  }
};
