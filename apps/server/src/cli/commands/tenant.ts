import { CreateTenant } from '@lawful/contract';
import type { Command } from 'commander';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT, table } from '../io.ts';
import { registerTenantLifecycleCommands } from './tenant-lifecycle.ts';

export const registerTenantCommands = (program: Command, ctx: CommandContext) => {
  const tenant = program
    .command('tenant')
    .description('Create, list, export, import and delete tenants (the organisations Lawful serves)');
  tenant
    .command('create')
    .description('Create a tenant and print its first admin API key (shown once)')
    .argument('<name>', 'the organisation’s name')
    .option('--slug <slug>', 'a short unique handle (default: from the name)')
    .option('--timezone <tz>', 'IANA time zone for deadlines', 'UTC')
    .action(async (name: string, opts: { slug?: string; timezone: string }) => {
      const parsed = CreateTenant.safeParse({ name, slug: opts.slug, settings: { timezone: opts.timezone } });
      if (!parsed.success) {
        const i = parsed.error.issues[0]!;
        throw new CliError(`${i.path.join('.') || 'name'}: ${i.message}`, EXIT.usage);
      }
      const rt = await ctx.runtime();
      const { tenant: t, adminKey } = await rt.services.tenants.create(parsed.data, 'cli');
      print(
        ctx,
        [
          `Created tenant ${t.name} (${t.id}, slug ${t.slug}).`,
          '',
          'Its first admin API key — store it now, it is not shown again:',
          `  ${adminKey.secret}`,
          '',
          `Try it: curl -H "Authorization: Bearer ${adminKey.prefix}…" ${rt.config.publicUrl ?? 'http://127.0.0.1:3000'}/v1/tenant`,
        ],
        { tenant: t, adminKey },
      );
    });
  tenant
    .command('list')
    .description('List tenants')
    .action(async () => {
      const rt = await ctx.runtime();
      const all = await rt.services.tenants.list();
      print(ctx, table(all.map((t) => ({ id: t.id, slug: t.slug, name: t.name, created: t.createdAt }))), {
        items: all,
      });
    });
  registerTenantLifecycleCommands(tenant, ctx);
};
