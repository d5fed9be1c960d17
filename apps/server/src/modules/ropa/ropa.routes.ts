import { OpenAPIHono, z } from '@hono/zod-openapi';
import { RopaController } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, json, jsonBody, OFFICER } from '../../http/route.ts';
import type { RopaService } from './ropa.service.ts';

const RopaQuery = z
  .object({
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
    view: z.enum(['controller', 'processor']).default('controller').openapi({ description: 'Art. 30(1) or 30(2)' }),
  })
  .strict();

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const ropaRoutes = (ropa: RopaService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/ropa/controller',
      tags: ['Records of processing'],
      summary: 'The controller identity, DPO and security measures heading the Art. 30 record',
      responses: { 200: json(RopaController, 'The controller record') },
    }),
    async (c) => c.json(await ropa.getController(c.var.principal.tenantId), 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'put',
      path: '/v1/ropa/controller',
      tags: ['Records of processing'],
      summary: 'Set the controller identity, DPO, security measures and Art. 30(2) processor activities',
      request: jsonBody(RopaController),
      responses: { 200: json(RopaController, 'The controller record') },
    }),
    async (c) =>
      c.json(await ropa.putController(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/ropa',
      tags: ['Records of processing'],
      summary: 'The Art. 30(1) record of processing activities (or the 30(2) processor view) as JSON, CSV or XLSX',
      request: { query: RopaQuery },
      responses: {
        200: {
          description: 'The record',
          content: {
            'application/json': { schema: z.record(z.string(), z.unknown()) },
            'text/csv': { schema: z.string() },
            [XLSX]: { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = await ropa.export(c.var.principal.tenantId, q, actorOf(c.var.principal));
      const name = `ropa-${q.view}`;
      if (r.format === 'csv') {
        return c.body(r.body, 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${name}.csv"`,
        });
      }
      if (r.format === 'xlsx') {
        return c.body(new Uint8Array(r.body), 200, {
          'content-type': XLSX,
          'content-disposition': `attachment; filename="${name}.xlsx"`,
        });
      }
      return c.json(r.body, 200);
    },
  );
  return app;
};
