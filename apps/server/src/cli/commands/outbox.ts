import type { Command } from 'commander';
import { notFound } from '../../lib/errors.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT, table } from '../io.ts';

/** `lawful outbox list|show`: the e-mails kept instead of sent when no SMTP server is configured (embedded mode). */
export const registerOutboxCommands = (program: Command, ctx: CommandContext) => {
  const outbox = program.command('outbox').description('E-mails waiting in the outbox (no SMTP_URL configured)');
  outbox
    .command('list')
    .description('Newest first: id, kind, date, recipient, subject line')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .option('--limit <n>', 'how many', '50')
    .action(async (opts: { tenant: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new CliError('--limit must be 1 to 1000', EXIT.usage);
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const entries = await rt.services.preferencesMail.list(t.id, limit);
      print(
        ctx,
        table(entries.map((e) => ({ id: e.id, kind: e.kind, created: e.createdAt, to: e.to, subject: e.subject }))),
        entries.map(({ html: _html, ...e }) => e),
      );
    });
  outbox
    .command('show')
    .description('One e-mail in full (text part; --json for everything)')
    .argument('<id>', 'the message id (msg_…)')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .action(async (id: string, opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const e = await rt.services.preferencesMail.show(t.id, id);
      if (!e) throw notFound('outbox message');
      print(
        ctx,
        [
          `From: ${e.from}`,
          `To: ${e.to}`,
          `Subject: ${e.subject}`,
          ...Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`),
          `Date: ${e.createdAt}`,
          '',
          e.text,
        ],
        e,
      );
    });
};
