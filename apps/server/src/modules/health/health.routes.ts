import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/context.ts';
import { json } from '../../http/route.ts';

const Health = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()) })
  .openapi('Health');

/** Liveness says the process answers; readiness says it can serve (database reachable, migrations applied). */
export const healthRoutes = (deps: { ready: () => Promise<Record<string, string>> }) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['Health'],
      summary: 'Liveness',
      responses: { 200: json(Health, 'The process is alive') },
    }),
    (c) => c.json({ status: 'ok' as const, checks: {} }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['Health'],
      summary: 'Readiness: database reachable and migrated',
      responses: { 200: json(Health, 'Ready'), 503: json(Health, 'Not ready') },
    }),
    async (c) => {
      const checks = await deps.ready();
      const ok = Object.values(checks).every((v) => v === 'ok');
      if (!ok) c.header('Retry-After', '2');
      return ok
        ? c.json({ status: 'ok' as const, checks }, 200)
        : c.json({ status: 'unavailable' as const, checks }, 503);
    },
  );
  return app;
};
