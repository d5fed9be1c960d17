import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError } from '../../lib/errors.ts';
import { columnForField, parseBasesCsv } from '../../modules/lawful-basis/basis-import.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

const MAX_ERRORS_SHOWN = 50;

export const registerImportCommands = (program: Command, ctx: CommandContext) => {
  const imp = program.command('import').description('Bulk imports');
  imp
    .command('bases')
    .description(
      'Import lawful bases from CSV (columns: subject_id or identity_kind+identity_value, purpose, basis, consent_record_id, contract_reference, legal_reference, lia_reference, notice_version_id, source). All rows or none.',
    )
    .argument('<file>', 'the CSV file')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .action(async (file: string, opts: { tenant: string }) => {
      const path = resolve(ctx.cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new CliError(`cannot read ${path}`, EXIT.usage);
      }
      const { rows, errors } = parseBasesCsv(text, `csv:${basename(path)}`);
      const report = (errs: { line: number; column: string; message: string }[]) => {
        for (const e of errs.slice(0, MAX_ERRORS_SHOWN)) ctx.io.err(`line ${e.line}, ${e.column}: ${e.message}`);
        if (errs.length > MAX_ERRORS_SHOWN) ctx.io.err(`… and ${errs.length - MAX_ERRORS_SHOWN} more`);
        return new CliError(`${errs.length} error(s) in ${basename(path)}; nothing imported`, EXIT.failed);
      };
      if (errors.length > 0) throw report(errors);
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const bar =
        !ctx.inServer && process.stderr.isTTY && !ctx.json()
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'importing {bar} {value}/{total} rows' },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(rows.length, 0);
      try {
        await rt.services.bases.setMany(
          t.id,
          rows.map((r) => r.input),
          'cli',
          (done) => {
            if (done % 500 === 0 || done === rows.length) bar?.update(done);
          },
        );
      } catch (e) {
        bar?.stop();
        if (e instanceof AppError && e.issues) {
          // rows.<index>.<field> → the CSV line and column.
          throw report(
            e.issues.map((i) => {
              const m = /^rows\.(\d+)\.(.*)$/.exec(i.field);
              const row = m ? rows[Number(m[1])] : undefined;
              return { line: row?.line ?? 0, column: m ? columnForField(m[2]!) : i.field, message: i.message };
            }),
          );
        }
        throw e;
      }
      bar?.stop();
      print(ctx, `Imported ${rows.length} lawful bases into ${t.slug}.`, { imported: rows.length, tenant: t.id });
    });
};
