import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { systemClock } from '../../lib/clock.ts';
import { createConnector } from '../../modules/connectors/connector.factory.ts';
import type { Engine } from '../../modules/connectors/connector.ts';
import { discoverDataMap } from '../../modules/datamap/datamap.discover.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

/** The engine a URL speaks, from its scheme; the URL itself is never printed (it carries credentials). */
export const engineOf = (url: string): Engine => {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new CliError('the database URL is not a valid URL (postgres://… or mysql://…)', EXIT.usage);
  }
  if (scheme === 'postgres:' || scheme === 'postgresql:') return 'postgres';
  if (scheme === 'mysql:' || scheme === 'mariadb:') return 'mysql';
  throw new CliError(`unsupported scheme ${scheme} (use postgres://… or mysql://…)`, EXIT.usage);
};

const issueLines = (issues: { severity: string; path: string; message: string; hint?: string }[]) =>
  issues.map(
    (i) => `  ${i.severity === 'error' ? 'ERROR  ' : 'warning'} ${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`,
  );

export const registerDataMapCommands = (program: Command, ctx: CommandContext) => {
  const dm = program
    .command('datamap')
    .description('Where personal data lives in your own databases: discover, check, store and connect');

  dm.command('discover')
    .description('Read a database’s schema and a few sample rows, and propose a data map to review (YAML)')
    .argument('<database-url>', 'postgres://… or mysql://… (read-only credentials are enough)')
    .option('--out <file>', 'write the proposal to this file instead of stdout')
    .option('--schema <schema>', 'PostgreSQL schema (default public)')
    .option('--system <id>', 'system id in the proposal', 'main')
    .option('--connection <name>', 'connection name in the proposal', 'main')
    .action(async (url: string, opts: { out?: string; schema?: string; system: string; connection: string }) => {
      const engine = engineOf(url);
      const connector = createConnector({ engine, url, schema: opts.schema });
      try {
        const d = await discoverDataMap(connector, {
          system: { id: opts.system, engine, connection: opts.connection },
          now: systemClock.now(),
        }).catch((e: unknown) => {
          throw new CliError(
            `could not read the database (${(e as { code?: string }).code ?? 'error'}): check the URL, that the server runs, and that the user may read the schema`,
            EXIT.environment,
          );
        });
        if (!d.map) throw new CliError(`no map could be proposed:\n${d.issues.join('\n')}`, EXIT.failed);
        const yaml = `# Proposed by lawful datamap discover: review every category and erasure strategy before use.\n${stringify(d.map)}`;
        if (opts.out) {
          const path = resolve(ctx.cwd, opts.out);
          writeFileSync(path, yaml);
          ctx.io.err(`wrote ${path}`);
        } else ctx.io.out(yaml.trimEnd());
        ctx.io.err(d.report);
        ctx.io.err(
          `${d.stats.tables} tables, ${d.stats.columns} columns, ${d.stats.sampledTables} sampled in ${d.stats.durationMs} ms.`,
        );
        ctx.io.err(
          `Next: review it, then  lawful datamap set ${opts.out ?? 'datamap.yaml'} --tenant <tenant>  and  lawful datamap connect ${opts.connection} <url> --tenant <tenant>`,
        );
      } finally {
        await connector.close();
      }
    });

  dm.command('set')
    .description('Store a data map (YAML or JSON) as the tenant’s new version; every problem is listed at once')
    .argument('<file>', 'the data map file')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .action(async (file: string, opts: { tenant: string }) => {
      const path = resolve(ctx.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new CliError(`cannot read ${path}`, EXIT.usage);
      }
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const r = await rt.services.dataMap.store.put(t.id, text, 'cli');
      const systems = r.map.systems.map(
        (s) => `${s.id} (${s.collections.length} collections, connection ${s.connection})`,
      );
      print(
        ctx,
        [
          r.created
            ? `Stored data map version ${r.version} for ${t.slug}.`
            : `Unchanged: identical to version ${r.version}.`,
          ...systems.map((s) => `  ${s}`),
          `Next: lawful datamap check --tenant ${t.slug}`,
        ],
        r,
      );
    });

  dm.command('connect')
    .description('Store (sealed) the URL of a connection the data map names; the URL is never shown again')
    .argument('<name>', 'the connection name used in the data map')
    .argument('<url>', 'postgres://… or mysql://…')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .option('--schema <schema>', 'PostgreSQL schema (default public)')
    .action(async (name: string, url: string, opts: { tenant: string; schema?: string }) => {
      const engine = engineOf(url);
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const c = await rt.services.dataMap.store.setConnection(t.id, name, { engine, url, schema: opts.schema }, 'cli');
      print(ctx, [`Connection ${c.name} (${c.engine}) stored, sealed under the tenant key.`], c);
    });

  dm.command('purge')
    .description(
      'Purge what is past its retention period in the connected systems (one tenant, or every tenant with a map)',
    )
    .option('--tenant <id-or-slug>', 'the tenant (default: all)')
    .option('--dry-run', 'count what would be purged; change nothing')
    .action(async (opts: { tenant?: string; dryRun?: boolean }) => {
      const rt = await ctx.runtime();
      const tenants = opts.tenant ? [await rt.services.tenants.resolve(opts.tenant)] : await rt.services.tenants.list();
      const results = [];
      for (const t of tenants) {
        if (!opts.tenant && !(await rt.services.dataMap.store.current(t.id))) continue;
        const r = await rt.services.dataMap.retention.run(t.id, { dryRun: !!opts.dryRun }, 'cli');
        results.push({ tenant: t.slug, ...r });
      }
      if (results.length === 0) throw new CliError('no tenant has a data map yet: lawful datamap set FILE --tenant T');
      const verb = opts.dryRun ? 'would be' : 'were';
      const lines = results.flatMap((r) => [
        `${r.tenant}: data map version ${r.version}${r.dryRun ? ' (dry run: nothing changed)' : ''}`,
        ...r.systems.flatMap((s) => [
          `  system ${s.system}: ${s.status}${s.error ? ` (${s.error})` : ''}`,
          ...s.collections.map(
            (c) =>
              `    ${c.collection}: ${c.deleted} ${verb} deleted, ${c.anonymised} ${verb} anonymised${c.cutoff ? ` (older than ${c.cutoff})` : ' (belonging to expired rows)'}`,
          ),
        ]),
      ]);
      print(ctx, lines, results);
      if (results.some((r) => !r.complete))
        throw new CliError('some systems could not be purged (listed above)', EXIT.failed);
    });

  dm.command('check')
    .description('Check the data map against the live databases (one tenant, or every tenant with a map)')
    .option('--tenant <id-or-slug>', 'the tenant (default: all)')
    .action(async (opts: { tenant?: string }) => {
      const rt = await ctx.runtime();
      const tenants = opts.tenant ? [await rt.services.tenants.resolve(opts.tenant)] : await rt.services.tenants.list();
      const results = [];
      for (const t of tenants) {
        if (!opts.tenant && !(await rt.services.dataMap.store.current(t.id))) continue;
        const r = await rt.services.dataMap.store.check(t.id, 'cli');
        results.push({ tenant: t.slug, ...r });
      }
      if (results.length === 0) throw new CliError('no tenant has a data map yet: lawful datamap set FILE --tenant T');
      const lines = results.flatMap((r) => [
        `${r.tenant}: data map version ${r.version} — ${r.ok ? 'OK' : 'PROBLEMS'}`,
        ...r.systems.map((s) => `  system ${s.system}: ${s.status}${s.error ? ` (${s.error})` : ''}`),
        ...issueLines(r.issues),
      ]);
      print(ctx, lines, results);
      if (results.some((r) => !r.ok)) throw new CliError('the data map has errors (listed above)', EXIT.failed);
    });
};
