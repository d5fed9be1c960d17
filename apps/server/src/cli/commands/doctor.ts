import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Database } from '../../db/client.ts';
import { migrationsFolder } from '../../db/client.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

/** How many migrations the code ships and how many the database has applied. */
export const migrationStatus = async (db: Database) => {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  let applied = 0;
  try {
    const r = await db.raw.query<{ n: string | number }>('select count(*) as n from drizzle.__drizzle_migrations');
    applied = Number(r.rows[0]?.n ?? 0);
  } catch {
    applied = 0;
  }
  return { shipped: journal.entries.length, applied };
};

type Check = { name: string; ok: boolean; detail: string; fix?: string };

export const registerDoctorCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('doctor')
    .description('Check the database, migrations, keys and audit chains; say what is wrong and how to fix it')
    .action(async () => {
      const checks: Check[] = [];
      const rt = await ctx.runtime().catch((e: Error) => {
        throw new CliError(`cannot open the database: ${e.message}`, EXIT.environment);
      });
      checks.push({
        name: 'database',
        ok: true,
        detail:
          rt.db.kind === 'pglite' ? `embedded PostgreSQL in ${rt.config.dataDir}` : 'PostgreSQL server (DATABASE_URL)',
      });
      try {
        await rt.db.ping();
      } catch (e) {
        checks.push({
          name: 'database reachable',
          ok: false,
          detail: (e as Error).message,
          fix: 'check DATABASE_URL and that the server runs',
        });
      }
      const m = await migrationStatus(rt.db);
      checks.push({
        name: 'migrations',
        ok: m.applied >= m.shipped,
        detail: `${m.applied} of ${m.shipped} applied`,
        fix: 'run: lawful migrate',
      });
      const rls = await rt.db.raw.query<{ n: string | number }>(
        "select count(*) as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity",
      );
      const unprotected = Number(rls.rows[0]?.n ?? 0);
      checks.push({
        name: 'row-level security',
        ok: unprotected === 0,
        detail: unprotected === 0 ? 'every table is tenant-isolated' : `${unprotected} table(s) without RLS`,
        fix: 'a migration is missing ENABLE ROW LEVEL SECURITY; report this as a bug',
      });
      checks.push({
        name: 'master key',
        ok: true,
        detail: rt.config.masterKey
          ? 'from LAWFUL_MASTER_KEY'
          : `generated, in ${join(rt.config.dataDir, 'master.key')}`,
      });
      const tenants = await rt.services.tenants.list();
      for (const t of tenants) {
        try {
          await rt.db.tenant(t.id, (tx) => rt.services.vault.blindIndex(tx, t.id, 'email', 'doctor@example.invalid'));
        } catch (e) {
          checks.push({
            name: `keys of ${t.slug}`,
            ok: false,
            detail: (e as Error).message,
            fix: 'LAWFUL_MASTER_KEY must include the key that wrapped this tenant (see docs/security.md)',
          });
          continue;
        }
        const v = await rt.db.tenant(t.id, (tx) => rt.services.audit.verify(tx, t.id));
        checks.push({
          name: `audit chain of ${t.slug}`,
          ok: v.ok,
          detail: v.ok ? `${v.entries} entries verified` : `entry ${v.firstBad?.seq} is ${v.firstBad?.reason}`,
          fix: 'the audit log was altered outside Lawful: restore from backup and investigate (docs/security.md)',
        });
      }
      if (tenants.length === 0) {
        checks.push({ name: 'tenants', ok: true, detail: 'none yet — create one with: lawful tenant create "<name>"' });
      }
      print(
        ctx,
        checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.name}: ${c.detail}${c.ok || !c.fix ? '' : `\n    fix: ${c.fix}`}`),
        { ok: checks.every((c) => c.ok), checks },
      );
      if (!checks.every((c) => c.ok)) throw new CliError('doctor found problems (see ✖ above)', EXIT.failed);
    });
};
