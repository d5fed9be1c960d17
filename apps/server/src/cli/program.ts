import { Command, CommanderError, Option } from 'commander';
import { AppError } from '../lib/errors.ts';
import { VERSION } from '../version.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerBannerCommands } from './commands/banner.ts';
import { registerBreachCommands } from './commands/breach.ts';
import { registerConsentCommands } from './commands/consent-import.ts';
import { registerDataMapCommands } from './commands/datamap.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerImportCommands } from './commands/import.ts';
import { registerKeyCommands } from './commands/key.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerOutboxCommands } from './commands/outbox.ts';
import { registerRequestCommands } from './commands/requests.ts';
import { registerRopaCommands } from './commands/ropa.ts';
import { registerTenantCommands } from './commands/tenant.ts';
import { registerUserCommands } from './commands/user.ts';
import type { CommandContext } from './context.ts';
import { CliError, EXIT, type Io } from './io.ts';

export type GlobalOptions = { data?: string; databaseUrl?: string; json?: boolean };

/** The command tree, shared by the terminal CLI and by the server when a command is forwarded to it. */
export const buildProgram = (ctx: CommandContext, extra?: (p: Command) => void) => {
  const program = new Command('lawful')
    .description('Lawful — a self-hostable GDPR engine: lawful basis, consent, cookie banner, data-subject requests')
    .version(VERSION)
    .addOption(new Option('--data <dir>', 'data folder for the embedded database and secrets').env('LAWFUL_DATA_DIR'))
    .addOption(
      new Option('--database-url <url>', 'a PostgreSQL server instead of the embedded one').env('DATABASE_URL'),
    )
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) });
  extra?.(program);
  registerMigrateCommand(program, ctx);
  registerTenantCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerDoctorCommand(program, ctx);
  registerRopaCommands(program, ctx);
  registerBreachCommands(program, ctx);
  registerRequestCommands(program, ctx);
  registerImportCommands(program, ctx);
  registerConsentCommands(program, ctx);
  registerOutboxCommands(program, ctx);
  registerBannerCommands(program, ctx);
  registerDataMapCommands(program, ctx);
  registerBackupCommands(program, ctx);
  registerDemoCommand(program, ctx);
  for (const c of program.commands) c.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
};

/** Runs argv (without `node lawful`) and turns every failure into a message and an exit code. */
export const runProgram = async (program: Command, argv: string[], io: Io): Promise<number> => {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.err(`lawful: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof AppError) {
      io.err(`lawful: ${e.message}`);
      return e.status >= 500 ? EXIT.environment : EXIT.failed;
    }
    io.err(`lawful: ${(e as Error).message}`);
    return EXIT.environment;
  }
};
