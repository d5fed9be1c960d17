import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  ArchivePassphrase,
  DeleteTenantBody,
  DeletionCertificate,
  DeletionCertificateVerification,
  ErrorBody,
  ExportTenantBody,
  TenantImportResult,
  VerifyDeletionCertificate,
} from '@lawful/contract';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../http/context.ts';
import { json, jsonBody } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import { requireOperator } from '../operator/operator.routes.ts';
import type { TenantLifecycle } from './tenants.lifecycle.ts';

export const ARCHIVE_RESPONSE = {
  description: 'The tenant archive (zip)',
  content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
};

export const archiveResponse = (c: Context, r: { bytes: Uint8Array; tenant: { slug: string } }) =>
  c.body(new Uint8Array(r.bytes), 200, {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="lawful-tenant-${r.tenant.slug}.zip"`,
    'cache-control': 'no-store',
  });

/** The import route takes the archive as the raw body, bigger than the JSON cap: app.ts lets it through to its own. */
export const TENANT_IMPORT_PATH = '/v1/operator/tenants/import';
const IMPORT_MAX_BYTES = 1024 * 1024 * 1024;

const errors = {
  400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorBody } } },
  401: { description: 'Missing or wrong operator token', content: { 'application/json': { schema: ErrorBody } } },
  403: { description: 'Not a loopback caller', content: { 'application/json': { schema: ErrorBody } } },
  404: { description: 'No such tenant', content: { 'application/json': { schema: ErrorBody } } },
} as const;

const TenantParam = z.object({
  tenant: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'tenant', in: 'path' }, description: 'tenant id or slug' }),
});

/**
 * Offboarding and restore are install-level acts, done by the operator of the install (a tenant's key cannot create a
 * tenant, and should not be the only thing between an organisation and its deletion): the same authority as the
 * operator command endpoint — a loopback caller with the operator token — checked before the body is read.
 */
export const tenantOperatorRoutes = (deps: { token: string; lifecycle: TenantLifecycle }) => {
  const { lifecycle } = deps;
  const operator: MiddlewareHandler<AppEnv> = async (c, next) => {
    requireOperator(c, deps.token);
    await next();
  };
  const route = <R extends Parameters<typeof createRoute>[0]>(r: R) =>
    createRoute({
      ...r,
      tags: ['Operator'],
      middleware: [operator] as const,
      responses: { ...errors, ...r.responses },
    });
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    route({
      method: 'post',
      path: '/v1/operator/tenants/{tenant}/export',
      summary: 'Export a tenant as a re-importable archive (Art. 28(3)(g))',
      request: { params: TenantParam, ...jsonBody(ExportTenantBody) },
      responses: { 200: ARCHIVE_RESPONSE },
    }),
    async (c) => {
      const id = await lifecycle.resolve(c.req.valid('param').tenant);
      return archiveResponse(c, await lifecycle.exportTenant(id, c.req.valid('json').passphrase, 'operator'));
    },
  );

  app.use(TENANT_IMPORT_PATH, async (c, next) => {
    requireOperator(c, deps.token);
    await next();
  });
  app.use(
    TENANT_IMPORT_PATH,
    bodyLimit({
      maxSize: IMPORT_MAX_BYTES,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `a tenant archive may be at most ${IMPORT_MAX_BYTES} bytes`);
      },
    }),
  );
  app.openapi(
    route({
      method: 'post',
      path: TENANT_IMPORT_PATH,
      summary: 'Restore a tenant archive into this install (all or nothing)',
      request: {
        headers: z.object({
          'x-lawful-archive-passphrase': ArchivePassphrase.openapi({
            param: { name: 'x-lawful-archive-passphrase', in: 'header' },
          }),
        }),
        query: z.object({ slug: z.string().max(63).optional() }).strict(),
        body: { content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } }, required: true },
      },
      responses: { 201: json(TenantImportResult, 'The restored tenant') },
    }),
    async (c) => {
      if (!/^application\/(zip|octet-stream)\b/.test(c.req.header('content-type') ?? '')) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the archive as application/zip');
      }
      // The body is the archive itself (binary), which no schema validates: readArchive checks every byte of it.
      const zip = new Uint8Array(await c.req.arrayBuffer());
      const passphrase = c.req.valid('header')['x-lawful-archive-passphrase'];
      const result = await lifecycle.importTenant(zip, {
        passphrase,
        slug: c.req.valid('query').slug,
        actor: 'operator',
      });
      return c.json(result, 201);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/v1/operator/tenants/{tenant}/delete',
      summary: 'Delete a tenant and every key it has; returns a signed deletion certificate',
      request: { params: TenantParam, ...jsonBody(DeleteTenantBody) },
      responses: { 200: json(DeletionCertificate, 'The signed certificate (Lawful keeps no copy)') },
    }),
    async (c) =>
      c.json(await lifecycle.deleteTenant(c.req.valid('param').tenant, c.req.valid('json').confirm, 'operator'), 200),
  );

  app.openapi(
    route({
      method: 'post',
      path: '/v1/operator/tenant-deletion-certificates/verify',
      summary: 'Check a tenant deletion certificate against this install’s signing key',
      request: jsonBody(VerifyDeletionCertificate),
      responses: { 200: json(DeletionCertificateVerification, 'Whether it verifies, and what it certifies') },
    }),
    async (c) => c.json(await lifecycle.verifyDeletion(c.req.valid('json').certificate), 200),
  );
  return app;
};
