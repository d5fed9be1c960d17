import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { build } from 'vite';
import { loadConfig } from '../../server/src/config.ts';
import { openPglite } from '../../server/src/db/client.ts';
import { createLogger } from '../../server/src/lib/logger.ts';
import { buildApp, openRuntime, registerWorkers } from '../../server/src/main.ts';

const ADMIN = fileURLToPath(new URL('..', import.meta.url));
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * Builds the console from its sources, then runs the real server on its own embedded database on 127.0.0.1.
 * `env` adds settings; `workers` runs the background jobs (webhook deliveries) as `lawful serve` does.
 */
export const startConsoleServer = async (opts: { env?: Record<string, string>; workers?: boolean } = {}) => {
  // The bundle people get: vitest sets NODE_ENV=test, which would otherwise pull in React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: ADMIN, configFile: join(ADMIN, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lawful-admin-e2e-'));
  const config = loadConfig(
    { LAWFUL_MASTER_KEY: TEST_MASTER_KEY, LAWFUL_RATE_LIMIT: '100000', LOG_LEVEL: 'warn', ...opts.env },
    { data: dir },
  );
  const db = await openPglite(join(dir, 'pglite'));
  const rt = await openRuntime(config, { db, logger: createLogger({ level: 'warn' }), worker: opts.workers ?? false });
  if (opts.workers) await registerWorkers(rt);
  const app = buildApp(rt);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    rt,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
export type ConsoleServer = Awaited<ReturnType<typeof startConsoleServer>>;
