import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RopaFormat, RopaView } from '../../modules/ropa/ropa.service.ts';
import type { CommandContext } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

export const registerRopaCommands = (program: Command, ctx: CommandContext) => {
  const ropa = program.command('ropa').description('The Art. 30 record of processing activities');
  ropa
    .command('export')
    .description('Write the record as JSON, CSV or XLSX (to stdout, or to --out)')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .option('--format <format>', 'json, csv or xlsx', 'json')
    .option('--view <view>', 'controller (Art. 30(1)) or processor (Art. 30(2))', 'controller')
    .option('--out <file>', 'write to this file')
    .action(async (opts: { tenant: string; format: string; view: string; out?: string }) => {
      if (!['json', 'csv', 'xlsx'].includes(opts.format))
        throw new CliError('--format must be json, csv or xlsx', EXIT.usage);
      if (!['controller', 'processor'].includes(opts.view))
        throw new CliError('--view must be controller or processor', EXIT.usage);
      if (opts.format === 'xlsx' && !opts.out) throw new CliError('xlsx is binary: give --out FILE', EXIT.usage);
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const r = await rt.services.ropa.export(
        t.id,
        { format: opts.format as RopaFormat, view: opts.view as RopaView },
        'cli',
      );
      const body = r.format === 'json' ? `${JSON.stringify(r.body, null, 2)}\n` : r.body;
      if (opts.out) {
        const path = resolve(ctx.cwd, opts.out);
        writeFileSync(path, body);
        ctx.io.err(`wrote ${path}`);
      } else ctx.io.out(String(body).trimEnd());
    });
};
