import { OpenAPIHono } from '@hono/zod-openapi';
import { Tenant, TenantSettings } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { ADMIN, guarded, json, jsonBody, READER } from '../../http/route.ts';
import type { TenantsService } from './tenants.service.ts';

export const tenantsRoutes = (tenants: TenantsService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/tenant',
      tags: ['Tenant'],
      summary: 'The tenant the key belongs to',
      responses: { 200: json(Tenant, 'The tenant') },
    }),
    async (c) => c.json(await tenants.get(c.var.principal.tenantId), 200),
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'patch',
      path: '/v1/tenant',
      tags: ['Tenant'],
      summary: 'Change the tenant’s settings (time zone, locale, jurisdiction, Art. 8 age)',
      request: jsonBody(TenantSettings.partial().strict().openapi('TenantSettingsPatch')),
      responses: { 200: json(Tenant, 'The updated tenant') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await tenants.updateSettings(p.tenantId, c.req.valid('json'), actorOf(p)), 200);
    },
  );
  return app;
};
