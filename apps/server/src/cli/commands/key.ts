import { Role } from '@lawful/contract';
import type { Command } from 'commander';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT, table } from '../io.ts';

const tenantOption = '--tenant <id-or-slug>';

export const registerKeyCommands = (program: Command, ctx: CommandContext) => {
  const key = program.command('key').description('Create, list and revoke API keys of a tenant');
  key
    .command('create')
    .description('Create an API key (the secret is printed once)')
    .requiredOption(tenantOption, 'the tenant')
    .requiredOption('--role <role>', `one of ${Role.options.join(', ')}`)
    .option('--name <name>', 'what the key is for', 'cli key')
    .action(async (opts: { tenant: string; role: string; name: string }) => {
      const role = Role.safeParse(opts.role);
      if (!role.success) throw new CliError(`--role must be one of ${Role.options.join(', ')}`, EXIT.usage);
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const k = await rt.services.keys.create(t.id, { name: opts.name, role: role.data }, 'cli');
      print(
        ctx,
        [`Created ${k.role} key ${k.id} for ${t.slug}. Store it now, it is not shown again:`, `  ${k.secret}`],
        k,
      );
    });
  key
    .command('list')
    .description('List a tenant’s API keys (never their secrets)')
    .requiredOption(tenantOption, 'the tenant')
    .action(async (opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const keys = await rt.services.keys.list(t.id);
      print(
        ctx,
        table(
          keys.map((k) => ({
            id: k.id,
            prefix: k.prefix,
            role: k.role,
            name: k.name,
            status: k.revokedAt ? `revoked ${k.revokedAt}` : 'active',
          })),
        ),
        { items: keys },
      );
    });
  key
    .command('revoke')
    .description('Revoke an API key at once')
    .requiredOption(tenantOption, 'the tenant')
    .argument('<key-id>', 'the key id (key_…)')
    .action(async (keyId: string, opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const k = await rt.services.keys.revoke(t.id, keyId, 'cli');
      print(ctx, `Revoked ${k.id} (${k.prefix}…) of ${t.slug}. Requests with it now get 401.`, k);
    });
};
