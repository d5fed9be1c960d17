import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { clientIp } from '../../http/middleware.ts';
import { json, jsonBody } from '../../http/route.ts';
import { safeEqual } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';

export type CommandResult = { stdout: string; stderr: string; exitCode: number };
export type CommandRunner = (argv: string[], cwd: string) => Promise<CommandResult>;

const Command = z
  .object({ argv: z.array(z.string().max(4096)).min(1).max(64), cwd: z.string().max(4096) })
  .strict()
  .openapi('OperatorCommand');
const Result = z
  .object({ stdout: z.string(), stderr: z.string(), exitCode: z.number().int() })
  .openapi('OperatorResult');

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'local']);

/** Operator authority: a loopback caller holding the operator token from the data folder. */
export const requireOperator = (c: Context, token: string) => {
  if (!LOOPBACK.has(clientIp(c))) throw new AppError('FORBIDDEN', 'operator commands are accepted from loopback only');
  const m = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i);
  if (!m?.[1] || !safeEqual(m[1], token)) throw new AppError('UNAUTHENTICATED', 'operator token required');
};

/**
 * The embedded database admits one process. When a server holds it, the `lawful` CLI on the same machine sends its
 * command here and prints the result. Authority is the operator token in the data folder (mode 0600), and only
 * loopback callers are heard.
 */
export const operatorRoutes = (deps: { token: string; run: CommandRunner }) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/operator/commands',
      tags: ['Operator'],
      summary: 'Run a lawful CLI command inside the running server (loopback, operator token)',
      request: jsonBody(Command),
      responses: { 200: json(Result, 'What the command printed and its exit code') },
    }),
    async (c) => {
      requireOperator(c, deps.token);
      const { argv, cwd } = c.req.valid('json');
      return c.json(await deps.run(argv, cwd), 200);
    },
  );
  return app;
};
