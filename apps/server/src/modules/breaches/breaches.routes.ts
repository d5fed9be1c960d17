import { OpenAPIHono, z } from '@hono/zod-openapi';
import {
  AffectedPeople,
  Breach,
  BreachList,
  BreachNotification,
  BreachNotificationFormat,
  BreachRegisterFormat,
  BreachTransition,
  CreateBreach,
  SubjectNoticeResult,
  UpdateBreach,
} from '@lawful/contract';
import type { MiddlewareHandler } from 'hono';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, IdParam, json, jsonBody, OFFICER, READER } from '../../http/route.ts';
import { notFound } from '../../lib/errors.ts';
import type { BreachesModule } from './breaches.module.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Params = IdParam('breachId', 'brc');
const tags = ['Breaches'];

export const breachesRoutes = (m: BreachesModule) => {
  const { breaches, notifier } = m;
  const app = new OpenAPIHono<AppEnv>();
  // A path naming no breach of this tenant is 404 whatever the body says: checked before the body is validated.
  const mustExist: MiddlewareHandler<AppEnv> = async (c, next) => {
    const id = c.req.param('breachId');
    // A malformed id is not looked up (a NUL byte would reach SQL): the param validator answers 400 naming it.
    const wellFormed = id !== undefined && Params.shape.breachId.safeParse(id).success;
    if (
      c.req.method !== 'GET' &&
      c.var.principal &&
      wellFormed &&
      !(await breaches.exists(c.var.principal.tenantId, id))
    ) {
      throw notFound('breach');
    }
    await next();
  };
  app.use('/v1/breaches/:breachId', mustExist);
  app.use('/v1/breaches/:breachId/*', mustExist);
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/breaches',
      tags,
      summary: 'The breach register (Art. 33(5)) as JSON, or for audits as CSV or XLSX',
      request: { query: z.object({ format: BreachRegisterFormat.default('json') }) },
      responses: {
        200: {
          description: 'The register',
          content: {
            'application/json': { schema: BreachList },
            'text/csv': { schema: z.string() },
            [XLSX]: { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
      },
    }),
    async (c) => {
      const { format } = c.req.valid('query');
      const tenantId = c.var.principal.tenantId;
      if (format === 'json') return c.json({ items: await breaches.list(tenantId) }, 200);
      const body = await m.register(tenantId, format, actorOf(c.var.principal));
      if (typeof body === 'string') {
        return c.body(body, 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="breach-register.csv"',
        });
      }
      return c.body(new Uint8Array(body), 200, {
        'content-type': XLSX,
        'content-disposition': 'attachment; filename="breach-register.xlsx"',
      });
    },
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/breaches',
      tags,
      summary: 'Record a personal data breach; the authority deadline is awareAt + 72 h',
      request: jsonBody(CreateBreach),
      responses: { 201: json(Breach, 'The breach') },
    }),
    async (c) =>
      c.json(await breaches.create(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 201),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/breaches/{breachId}',
      tags,
      summary: 'One breach with its countdown',
      request: { params: Params },
      responses: { 200: json(Breach, 'The breach') },
    }),
    async (c) => c.json(await breaches.get(c.var.principal.tenantId, c.req.valid('param').breachId), 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'patch',
      path: '/v1/breaches/{breachId}',
      tags,
      summary: 'Correct or complete the description (not the awareness moment)',
      request: { params: Params, ...jsonBody(UpdateBreach) },
      responses: { 200: json(Breach, 'The breach') },
    }),
    async (c) =>
      c.json(
        await breaches.update(
          c.var.principal.tenantId,
          c.req.valid('param').breachId,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/breaches/{breachId}/transitions',
      tags,
      summary: 'Assess, record the authority notification (with delayReason when late), or close',
      request: { params: Params, ...jsonBody(BreachTransition) },
      responses: { 200: json(Breach, 'The breach') },
    }),
    async (c) =>
      c.json(
        await breaches.transition(
          c.var.principal.tenantId,
          c.req.valid('param').breachId,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/breaches/{breachId}/affected',
      tags,
      summary: 'Who is affected, computed from consent, lawful bases and requests (pseudonymous ids)',
      request: { params: Params },
      responses: { 200: json(AffectedPeople, 'The people affected') },
    }),
    async (c) =>
      c.json(
        await breaches.affected(c.var.principal.tenantId, c.req.valid('param').breachId, actorOf(c.var.principal)),
        200,
      ),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/breaches/{breachId}/notify-subjects',
      tags,
      summary: 'Send the Art. 34 notice to every affected person not yet told (high risk only)',
      request: { params: Params },
      responses: { 200: json(SubjectNoticeResult, 'What was sent') },
    }),
    async (c) =>
      c.json(
        await notifier.notifySubjects(
          c.var.principal.tenantId,
          c.req.valid('param').breachId,
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/breaches/{breachId}/notifications',
      tags,
      summary: 'Who was told when (subject ids and message ids only)',
      request: { params: Params },
      responses: { 200: json(z.object({ items: z.array(BreachNotification) }), 'The record') },
    }),
    async (c) =>
      c.json({ items: await breaches.notifications(c.var.principal.tenantId, c.req.valid('param').breachId) }, 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/breaches/{breachId}/notification',
      tags,
      summary: 'The notification draft for the supervisory authority (Art. 33(3)(a)–(d)) as JSON or HTML',
      request: { params: Params, query: z.object({ format: BreachNotificationFormat.default('json') }) },
      responses: {
        200: {
          description: 'The draft',
          content: {
            'application/json': { schema: z.record(z.string(), z.unknown()) },
            'text/html': { schema: z.string() },
          },
        },
      },
    }),
    async (c) => {
      const { format } = c.req.valid('query');
      const r = await m.notificationDraft(
        c.var.principal.tenantId,
        c.req.valid('param').breachId,
        format,
        actorOf(c.var.principal),
      );
      if (typeof r.body === 'string') {
        // Self-contained page: inline styles only, nothing loaded from elsewhere.
        return c.body(r.body, 200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        });
      }
      return c.json(r.body, 200);
    },
  );
  return app;
};
