import { OpenAPIHono } from '@hono/zod-openapi';
import { ConsentOverview, OverviewQuery } from '@lawful/contract';
import type { AppEnv } from '../../http/context.ts';
import { guarded, json, READER } from '../../http/route.ts';
import type { OverviewService } from './overview.service.ts';

export const overviewRoutes = (overview: OverviewService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/overview/consent',
      tags: ['Overview'],
      summary: 'Purposes, consent state per purpose and consent decisions per week (counts only)',
      request: { query: OverviewQuery },
      responses: { 200: json(ConsentOverview, 'The overview') },
    }),
    async (c) => c.json(await overview.consent(c.var.principal.tenantId, c.req.valid('query')), 200),
  );
  return app;
};
