/** Where a command writes. The terminal in the CLI; a buffer when the server runs a forwarded command. */
export type Io = { out(line: string): void; err(line: string): void };

export const consoleIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export const bufferIo = () => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } satisfies Io,
    stdout: () => (out.length ? `${out.join('\n')}\n` : ''),
    stderr: () => (err.length ? `${err.join('\n')}\n` : ''),
  };
};

/** Exit codes: 0 done, 1 the command ran and found a problem, 2 usage, 3 environment (database, lock, server). */
export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export const table = (rows: Record<string, string>[]): string[] => {
  if (rows.length === 0) return ['(none)'];
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))];
};
