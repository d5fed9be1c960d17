import { OpenAPIHono } from '@hono/zod-openapi';
import { ExportTenantBody, Tenant, TenantSettings } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { ADMIN, guarded, json, jsonBody, READER } from '../../http/route.ts';
import type { TenantLifecycle } from './tenants.lifecycle.ts';
import { ARCHIVE_RESPONSE, archiveResponse } from './tenants.operator.routes.ts';
import type { TenantsService } from './tenants.service.ts';

export const tenantsRoutes = (tenants: TenantsService, lifecycle?: Pick<TenantLifecycle, 'exportTenant'>) => {
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
  if (lifecycle) {
    app.openapi(
      guarded(ADMIN, {
        method: 'post',
        path: '/v1/tenant/export',
        tags: ['Tenant'],
        summary: 'Everything Lawful holds for this tenant, as a re-importable archive (Art. 28(3)(g))',
        description:
          'A zip: manifest (format version, tables, row counts, SHA-256 of each part), one NDJSON part per table, and the tenant keys sealed under the passphrase. See docs/tenants.md.',
        request: jsonBody(ExportTenantBody),
        responses: { 200: ARCHIVE_RESPONSE },
      }),
      async (c) => {
        const p = c.var.principal;
        const r = await lifecycle.exportTenant(p.tenantId, c.req.valid('json').passphrase, actorOf(p));
        return archiveResponse(c, r);
      },
    );
  }
  return app;
};
