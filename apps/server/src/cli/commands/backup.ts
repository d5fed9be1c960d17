import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { DataDirLocked } from '../../lib/data-dir.ts';
import { backupDatabase, restoreDatabase } from '../../modules/erasure/erasure.backup.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';
import type { GlobalOptions } from '../program.ts';

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');

export const registerBackupCommands = (program: Command, ctx: CommandContext) => {
  program
    .command('backup')
    .description(
      'Write a consistent copy of Lawful’s database (pg_dump, or the embedded folder); secrets are not included',
    )
    .option('--out <file>', 'where to write it (default lawful-backup-<time>.dump in the current folder)')
    .action(async (opts: { out?: string }) => {
      const rt = await ctx.runtime();
      const out = resolve(ctx.cwd, opts.out ?? `lawful-backup-${stamp(rt.clock.now())}.dump`);
      const r = await backupDatabase(rt, out).catch((e: Error) => {
        throw new CliError(`backup failed: ${e.message.split('\n')[0]}`, EXIT.environment);
      });
      print(
        ctx,
        [
          `Wrote ${out} (${r.kind}, ${r.bytes.toLocaleString('en')} bytes).`,
          'It holds no master key: keep the key apart (secret store), so the copy stays ciphertext without it.',
          'Restore with: lawful restore FILE (replays the erasure log first, so erased people stay erased).',
        ],
        { file: out, ...r },
      );
    });

  program
    .command('restore')
    .description('Replace Lawful’s database with a backup, then replay the erasure log before anything serves from it')
    .argument('<file>', 'a file written by lawful backup')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      if (ctx.inServer)
        throw new CliError('stop the Lawful server first: a restore must not happen under it', EXIT.environment);
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const config = loadConfig(process.env, { data: g.data, databaseUrl: g.databaseUrl });
      const path = resolve(ctx.cwd, file);
      const r = await restoreDatabase(config, path).catch((e: Error) => {
        if (e instanceof DataDirLocked)
          throw new CliError(`${e.message}: stop the Lawful server that holds it, then restore`, EXIT.environment);
        throw new CliError(`restore failed: ${e.message.split('\n')[0]}`, EXIT.environment);
      });
      print(
        ctx,
        [
          `Restored ${path} (${r.kind}).`,
          `Erasure log replayed: ${r.erasures} erased subject(s) known, ${r.reshredded} of them were live again in the backup and are erased again.`,
          ...(r.previous
            ? [`The replaced database was moved to ${r.previous}; delete it once you are satisfied.`]
            : []),
        ],
        r,
      );
    });
};
