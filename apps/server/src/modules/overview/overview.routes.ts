import { OpenAPIHono } from '@hono/zod-openapi';
import { BannerOverview, ConsentOverview, OverviewQuery, OverviewWeeksQuery, RequestsOverview } from '@lawful/contract';
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
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/overview/requests',
      tags: ['Overview'],
      summary: 'Open requests by deadline (overdue, due this week, later) and requests received and closed per week',
      request: { query: OverviewWeeksQuery },
      responses: { 200: json(RequestsOverview, 'Deadlines and the weekly flow') },
    }),
    async (c) => c.json(await overview.requests(c.var.principal.tenantId, c.req.valid('query')), 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/overview/banner',
      tags: ['Overview'],
      summary: 'Cookie-banner choices per week by the control used (accept all, reject all, custom, GPC …)',
      request: { query: OverviewWeeksQuery },
      responses: { 200: json(BannerOverview, 'Banner outcomes per week') },
    }),
    async (c) => c.json(await overview.banner(c.var.principal.tenantId, c.req.valid('query')), 200),
  );
  return app;
};
