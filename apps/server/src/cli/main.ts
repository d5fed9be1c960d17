import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { DataDirLocked, readServerInfo } from '../lib/data-dir.ts';
import { createLogger } from '../lib/logger.ts';
import type { Runtime } from '../main.ts';
import type { CommandContext } from './context.ts';
import { bufferIo, CliError, consoleIo, EXIT, type Io } from './io.ts';
import { buildProgram, type GlobalOptions, runProgram } from './program.ts';

/** Inside the server: run a forwarded command against the server's own runtime. */
export const serverCommandRunner = (rt: Runtime) => async (argv: string[], cwd: string) => {
  const buf = bufferIo();
  let json = false;
  const ctx: CommandContext = { io: buf.io, json: () => json, runtime: async () => rt, cwd, inServer: true };
  const program = buildProgram(ctx);
  program.hook('preAction', (cmd) => {
    json = Boolean(cmd.optsWithGlobals<GlobalOptions>().json);
  });
  const exitCode = await runProgram(program, argv, buf.io);
  return { stdout: buf.stdout(), stderr: buf.stderr(), exitCode };
};

/** The embedded database is held by a running server: send it the command and print what it says. */
const forward = async (dataDir: string, argv: string[], io: Io): Promise<number> => {
  const info = readServerInfo(dataDir);
  const { readFileSync } = await import('node:fs');
  const token = readFileSync(resolve(dataDir, 'operator.token'), 'utf8').trim();
  if (!info) {
    throw new CliError(
      `the data folder ${dataDir} is locked by another Lawful process that is not serving HTTP; stop it, or wait 10 s if it just died`,
      EXIT.environment,
    );
  }
  let res: Response;
  try {
    res = await fetch(`${info.url}/v1/operator/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ argv, cwd: process.cwd() }),
    });
  } catch {
    throw new CliError(
      `the data folder is locked by a Lawful server (pid ${info.pid}) at ${info.url} that does not answer; if it died, wait 10 s and retry`,
      EXIT.environment,
    );
  }
  if (!res.ok) throw new CliError(`the running server refused the command (HTTP ${res.status})`, EXIT.environment);
  const r = (await res.json()) as { stdout: string; stderr: string; exitCode: number };
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  io.err(`(ran through the Lawful server at ${info.url}, which holds the embedded database)`);
  return r.exitCode;
};

/** Commands print their results; what the runtime logs (warnings) goes to stderr as plain lines. */
const cliLogger = (level: string) =>
  createLogger({
    level: level === 'info' ? 'warn' : level,
    destination: {
      write: (s: string) => {
        const o = JSON.parse(s) as { msg?: string };
        process.stderr.write(`lawful: ${o.msg ?? s}\n`);
      },
    },
  });

const serveCommand = (
  program: Command,
  getRt: (opts: GlobalOptions & { serve?: boolean; port?: number }) => Promise<Runtime>,
  io: Io,
) => {
  program
    .command('serve')
    .description('Start the Lawful server (HTTP API, pages, banner script, background jobs)')
    .option('--port <port>', 'port to listen on (env PORT, default 3000)')
    .action(async (opts: { port?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const port = opts.port !== undefined ? Number(opts.port) : undefined;
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        throw new CliError('--port must be a whole number from 0 to 65535', EXIT.usage);
      }
      const rt = await getRt({ ...g, serve: true, ...(port !== undefined ? { port } : {}) } as GlobalOptions);
      const { startServer } = await import('../main.ts');
      const server = await startServer(rt, serverCommandRunner(rt));
      io.out(`Lawful is running at ${server.url}`);
      io.out(`  API reference: ${server.url}/docs   OpenAPI: ${server.url}/openapi.json`);
      io.out(
        `  Database: ${rt.db.kind === 'pglite' ? `embedded, in ${rt.config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
      );
      io.out('  Stop with Ctrl+C.');
      await new Promise<void>((done) => {
        const stop = async () => {
          await server.close();
          await rt.close();
          done();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
};

export const cli = async (argv: string[], io: Io = consoleIo): Promise<number> => {
  let rt: Runtime | null = null;
  let json = false;
  let locked: DataDirLocked | null = null;
  const open = async (g: GlobalOptions & { port?: number; serve?: boolean }) => {
    if (rt) return rt;
    const config = loadConfig(process.env, { data: g.data, databaseUrl: g.databaseUrl, port: g.port });
    try {
      // Loaded on first use, so --help and usage errors answer at once.
      const { openRuntime } = await import('../main.ts');
      rt = await openRuntime(config, {
        logger: g.serve ? undefined : cliLogger(config.logLevel),
        worker: Boolean(g.serve),
      });
    } catch (e) {
      if (e instanceof DataDirLocked) locked = e;
      throw e;
    }
    return rt;
  };
  let globals: GlobalOptions = {};
  const ctx: CommandContext = {
    io,
    json: () => json,
    runtime: () => open(globals),
    cwd: process.cwd(),
    inServer: false,
  };
  const program = buildProgram(ctx, (p) => serveCommand(p, open, io));
  program.hook('preAction', (cmd) => {
    globals = cmd.optsWithGlobals<GlobalOptions>();
    json = Boolean(globals.json);
  });
  let code = await runProgram(program, argv, {
    out: io.out,
    // A locked folder is not an error yet: the command is forwarded below.
    err: (l) => (locked ? undefined : io.err(l)),
  });
  if (locked && argv[0] !== 'serve') {
    const dir = (locked as DataDirLocked).dir;
    try {
      code = await forward(dir, argv, io);
    } catch (e) {
      io.err(`lawful: ${(e as Error).message}`);
      code = e instanceof CliError ? e.exitCode : EXIT.environment;
    }
  } else if (locked) {
    io.err(`lawful: ${(locked as DataDirLocked).message}; only one server can use an embedded data folder`);
    code = EXIT.environment;
  }
  if (rt && argv[0] !== 'serve') await (rt as Runtime).close();
  return code;
};

if (process.argv[1] && /lawful(\.mjs)?$|cli[/\\]main\.ts$/.test(process.argv[1])) {
  const code = await cli(process.argv.slice(2));
  process.exitCode = code;
}
