import type { Command } from 'commander';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

export const registerAuditCommands = (program: Command, ctx: CommandContext) => {
  const audit = program.command('audit').description('The tamper-evident audit log');
  audit
    .command('verify')
    .description('Verify every tenant’s hash chain and signed checkpoints (or one tenant’s)')
    .option('--tenant <id-or-slug>', 'only this tenant')
    .action(async (opts: { tenant?: string }) => {
      const rt = await ctx.runtime();
      const tenants = opts.tenant ? [await rt.services.tenants.resolve(opts.tenant)] : await rt.services.tenants.list();
      const results = [];
      for (const t of tenants) {
        const r = await rt.db.tenant(t.id, (tx) => rt.services.audit.verify(tx, t.id));
        results.push({ tenant: t.id, slug: t.slug, ...r });
      }
      print(
        ctx,
        results.map((r) =>
          r.ok
            ? `ok   ${r.slug}: ${r.entries} entries, ${r.checkpoints} checkpoints, head ${r.head?.slice(0, 16)}…`
            : `FAIL ${r.slug}: entry ${r.firstBad?.seq} is ${r.firstBad?.reason} (after ${r.entries} good entries)`,
        ),
        { results },
      );
      if (results.some((r) => !r.ok))
        throw new CliError('the audit log of at least one tenant does not verify', EXIT.failed);
    });
  audit
    .command('checkpoint')
    .description('Sign the current head of each tenant’s chain now')
    .option('--tenant <id-or-slug>', 'only this tenant')
    .action(async (opts: { tenant?: string }) => {
      const rt = await ctx.runtime();
      const tenants = opts.tenant ? [await rt.services.tenants.resolve(opts.tenant)] : await rt.services.tenants.list();
      const made = [];
      for (const t of tenants) {
        const c = await rt.db.tenant(t.id, (tx) => rt.services.audit.checkpoint(tx, t.id));
        if (c) made.push(c);
      }
      print(
        ctx,
        made.map((c) => `signed ${c.tenantId} at seq ${c.seq}`),
        { checkpoints: made },
      );
    });
};
