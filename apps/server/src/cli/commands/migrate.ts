import type { Command } from 'commander';
import { type CommandContext, print } from '../context.ts';
import { migrationStatus } from './doctor.ts';

export const registerMigrateCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('migrate')
    .description('Apply pending database migrations (also done on every start); safe to run twice')
    .action(async () => {
      const rt = await ctx.runtime();
      await rt.db.migrate();
      const s = await migrationStatus(rt.db);
      print(ctx, `Database is up to date: ${s.applied} of ${s.shipped} migrations applied.`, s);
    });
};
