import type { Runtime } from '../main.ts';
import type { Io } from './io.ts';

/** What every command gets: where to write, whether to print JSON, and the runtime (opened on first use). */
export type CommandContext = {
  io: Io;
  json: () => boolean;
  runtime: () => Promise<Runtime>;
  /** Where relative paths given on the command line are resolved (the caller's folder, also when forwarded). */
  cwd: string;
  /** true inside the server (a forwarded command): `serve` makes no sense there. */
  inServer: boolean;
};

export const print = (ctx: CommandContext, human: string[] | string, data: unknown) => {
  if (ctx.json()) ctx.io.out(JSON.stringify(data, null, 2));
  else for (const l of Array.isArray(human) ? human : [human]) ctx.io.out(l);
};
