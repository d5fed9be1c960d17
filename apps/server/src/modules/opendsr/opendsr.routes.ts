import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { toAppError } from '../../http/errors.ts';
import type { RateLimits } from '../../http/middleware.ts';
import { clientIp } from '../../http/middleware.ts';
import { STAFF } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { KeysService } from '../keys/keys.service.ts';
import type { OpenDsrHeaderVersion } from './opendsr.crypto.ts';
import { API_VERSION, type OpenDsrService } from './opendsr.service.ts';

/**
 * OpenDSR 2.0 processor endpoints (and the OpenGDPR v1 path). Authenticated with the tenant's API key (STAFF roles);
 * every response is signed over its exact bytes; errors take the spec's shape `{ error: { code, message, errors } }`.
 */

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const Submission = z
  .object({
    regulation: z.enum(['gdpr', 'ccpa']).default('gdpr'),
    subject_request_id: z.string().regex(uuidV4, 'must be a lowercase UUID v4'),
    subject_request_type: z.enum(['access', 'portability', 'erasure']),
    submitted_time: z.string().datetime({ offset: true }),
    subject_identities: z
      .array(
        z.object({
          identity_type: z.string().min(1).max(64),
          identity_value: z.string().min(1).max(320),
          identity_format: z.enum(['raw', 'sha1', 'md5', 'sha256']).default('raw'),
        }),
      )
      .min(1)
      .max(20),
    api_version: z.string().max(10).optional(),
    status_callback_urls: z.array(z.string().max(2048)).max(10).default([]),
    extensions: z.record(z.string(), z.unknown()).optional(),
    property_id: z.string().max(200).optional(),
  })
  .passthrough();

const reasons: Record<string, string> = {
  400: 'invalidRequest',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  413: 'payloadTooLarge',
  422: 'invalidRequest',
  429: 'rateLimited',
};

export const opendsrRoutes = (deps: {
  opendsr: OpenDsrService;
  keys: Pick<KeysService, 'authenticate'>;
  rateLimits: RateLimits;
  certificatePem: () => string;
  publicUrl: string;
  logger: Logger;
}) => {
  const { opendsr } = deps;
  const app = new Hono();

  const send = (c: Context, status: number, body: object, versions: readonly OpenDsrHeaderVersion[]) => {
    const { text, headers } = opendsr.signed(body, versions);
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    c.header('Content-Type', 'application/json');
    return c.body(text, status as 200);
  };

  const fail = (c: Context, e: unknown, versions: readonly OpenDsrHeaderVersion[]) => {
    const err = toAppError(e);
    // The caller gets the OpenDSR error shape; the cause of a 5xx goes to the log, like every other route's.
    if (err.status >= 500) deps.logger.error({ err: e, route: c.req.routePath }, 'OpenDSR request failed');
    const errors = (err.issues ?? (err.field ? [{ field: err.field, message: err.message }] : [])).map((i) => ({
      domain: 'OpenDSR',
      reason: reasons[err.status] ?? 'internalError',
      message: `${i.field}: ${i.message}`,
    }));
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return send(c, err.status, { error: { code: err.status, message: err.message, errors } }, versions);
  };

  const tenantOf = async (c: Context) => {
    await deps.rateLimits.check(`ip:${clientIp(c)}`);
    const secret = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!secret) throw new AppError('UNAUTHENTICATED', 'an API key is required: send Authorization: Bearer <key>');
    const p = await deps.keys.authenticate(secret);
    if (!p) throw new AppError('UNAUTHENTICATED', 'the API key is invalid or revoked');
    if (!STAFF.includes(p.role))
      throw new AppError('FORBIDDEN', `this action needs one of the roles: ${STAFF.join(', ')}`);
    return p;
  };

  const body = async (c: Context) => {
    const text = await c.req.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the body is not valid JSON', { field: '(body)' });
    }
    const parsed = Submission.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      throw new AppError('VALIDATION_FAILED', `${issues[0]!.field}: ${issues[0]!.message}`, {
        field: issues[0]!.field,
        issues,
      });
    }
    return parsed.data;
  };

  const mount = (base: string, versions: readonly OpenDsrHeaderVersion[]) => {
    app.post(base, async (c) => {
      try {
        const p = await tenantOf(c);
        return send(c, 201, await opendsr.submit(p.tenantId, await body(c), p.keyId), versions);
      } catch (e) {
        return fail(c, e, versions);
      }
    });
    app.get(`${base}/:id`, async (c) => {
      try {
        const p = await tenantOf(c);
        const id = c.req.param('id');
        if (!uuidV4.test(id)) throw new AppError('NOT_FOUND', 'request not found');
        return send(c, 200, await opendsr.status(p.tenantId, id), versions);
      } catch (e) {
        return fail(c, e, versions);
      }
    });
    app.delete(`${base}/:id`, async (c) => {
      try {
        const p = await tenantOf(c);
        const id = c.req.param('id');
        if (!uuidV4.test(id)) throw new AppError('NOT_FOUND', 'request not found');
        return send(c, 202, await opendsr.cancel(p.tenantId, id, p.keyId), versions);
      } catch (e) {
        return fail(c, e, versions);
      }
    });
  };
  mount('/opendsr/v1/requests', ['v2', 'v1']);
  mount('/opendsr/v1/opengdpr_requests', ['v1']);

  app.get('/opendsr/v1/discovery', (c) =>
    send(
      c,
      200,
      {
        api_version: API_VERSION,
        supported_api_versions: ['1.0', API_VERSION],
        supported_regulations: ['gdpr', 'ccpa'],
        supported_subject_request_types: ['access', 'portability', 'erasure'],
        supported_identities: [
          { identity_type: 'email', identity_format: 'raw' },
          { identity_type: 'phone_number', identity_format: 'raw' },
          { identity_type: 'controller_customer_id', identity_format: 'raw' },
          { identity_type: 'android_advertising_id', identity_format: 'raw' },
          { identity_type: 'ios_advertising_id', identity_format: 'raw' },
          { identity_type: 'email', identity_format: 'sha256' },
        ],
        supported_status_callbacks: true,
        processor_certificate: `${deps.publicUrl}/opendsr/v1/certificate.pem`,
      },
      ['v2', 'v1'],
    ),
  );
  app.get('/opendsr/v1/certificate.pem', (c) => {
    c.header('Content-Type', 'application/x-pem-file');
    return c.body(deps.certificatePem());
  });
  return app;
};
