import { OpenAPIHono, z } from '@hono/zod-openapi';
import { CreatePurpose, Purpose, PurposeKey, UpdatePurpose } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, json, jsonBody, OFFICER, READER } from '../../http/route.ts';
import type { PurposesService } from './purposes.service.ts';

const KeyParam = z.object({ purposeKey: PurposeKey.openapi({ param: { name: 'purposeKey', in: 'path' } }) });

export const purposesRoutes = (purposes: PurposesService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/purposes',
      tags: ['Purposes'],
      summary: 'The current version of every purpose',
      responses: { 200: json(z.object({ items: z.array(Purpose) }), 'The purposes') },
    }),
    async (c) => c.json({ items: await purposes.list(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/purposes',
      tags: ['Purposes'],
      summary: 'Define a processing purpose (version 1)',
      request: jsonBody(CreatePurpose),
      responses: { 201: json(Purpose, 'The purpose') },
    }),
    async (c) =>
      c.json(await purposes.create(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 201),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/purposes/{purposeKey}',
      tags: ['Purposes'],
      summary: 'The current version of a purpose',
      request: { params: KeyParam },
      responses: { 200: json(Purpose, 'The purpose') },
    }),
    async (c) => c.json(await purposes.get(c.var.principal.tenantId, c.req.valid('param').purposeKey), 200),
  );
  app.openapi(
    guarded(
      OFFICER,
      {
        method: 'put',
        path: '/v1/purposes/{purposeKey}',
        tags: ['Purposes'],
        summary: 'Change a purpose: adds a new version, earlier ones stay readable',
        request: { params: KeyParam, ...jsonBody(UpdatePurpose) },
        responses: { 200: json(Purpose, 'The new version') },
      },
      { owned: (t, p) => purposes.exists(t, p.purposeKey ?? '') },
    ),
    async (c) =>
      c.json(
        await purposes.update(
          c.var.principal.tenantId,
          c.req.valid('param').purposeKey,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/purposes/{purposeKey}/versions',
      tags: ['Purposes'],
      summary: 'Every version of a purpose, oldest first',
      request: { params: KeyParam },
      responses: { 200: json(z.object({ items: z.array(Purpose) }), 'The versions') },
    }),
    async (c) =>
      c.json({ items: await purposes.versions(c.var.principal.tenantId, c.req.valid('param').purposeKey) }, 200),
  );
  return app;
};
