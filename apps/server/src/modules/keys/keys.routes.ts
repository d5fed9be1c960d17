import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiKey, CreateApiKey, CreatedApiKey } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { ADMIN, guarded, IdParam, json, jsonBody } from '../../http/route.ts';
import type { KeysService } from './keys.service.ts';

const KeyParam = IdParam('keyId', 'key');

export const keysRoutes = (keys: KeysService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(ADMIN, {
      method: 'get',
      path: '/v1/keys',
      tags: ['Keys'],
      summary: 'List the tenant’s API keys (never their secrets)',
      responses: { 200: json(z.object({ items: z.array(ApiKey) }), 'The keys') },
    }),
    async (c) => c.json({ items: await keys.list(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'post',
      path: '/v1/keys',
      tags: ['Keys'],
      summary: 'Create an API key; the secret is shown once',
      request: jsonBody(CreateApiKey),
      responses: { 201: json(CreatedApiKey, 'The new key, with its secret') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await keys.create(p.tenantId, c.req.valid('json'), actorOf(p)), 201);
    },
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'get',
      path: '/v1/keys/{keyId}',
      tags: ['Keys'],
      summary: 'One API key',
      request: { params: KeyParam },
      responses: { 200: json(ApiKey, 'The key') },
    }),
    async (c) => c.json(await keys.get(c.var.principal.tenantId, c.req.valid('param').keyId), 200),
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'delete',
      path: '/v1/keys/{keyId}',
      tags: ['Keys'],
      summary: 'Revoke an API key at once',
      request: { params: KeyParam },
      responses: { 200: json(ApiKey, 'The revoked key') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await keys.revoke(p.tenantId, c.req.valid('param').keyId, actorOf(p)), 200);
    },
  );
  return app;
};
