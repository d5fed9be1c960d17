import { OpenAPIHono } from '@hono/zod-openapi';
import { Objection, ObjectionInput, ResolveObjection, Restriction, RestrictionInput } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, IdParam, json, jsonBody, OFFICER, READER, STAFF } from '../../http/route.ts';
import type { ObjectionsService } from './objections.service.ts';

const ObjectionParam = IdParam('objectionId', 'obj');
const RestrictionParam = IdParam('restrictionId', 'rst');

export const objectionsRoutes = (objections: ObjectionsService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/objections',
      tags: ['Objections'],
      summary: 'Record an Art. 21 objection: absolute for direct marketing, halting (e)/(f) processing until resolved',
      request: jsonBody(ObjectionInput),
      responses: { 201: json(Objection, 'The objection') },
    }),
    async (c) =>
      c.json(await objections.object(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 201),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/objections/{objectionId}',
      tags: ['Objections'],
      summary: 'One objection',
      request: { params: ObjectionParam },
      responses: { 200: json(Objection, 'The objection') },
    }),
    async (c) => c.json(await objections.get(c.var.principal.tenantId, c.req.valid('param').objectionId), 200),
  );
  app.openapi(
    guarded(
      OFFICER,
      {
        method: 'post',
        path: '/v1/objections/{objectionId}/resolve',
        tags: ['Objections'],
        summary: 'Resolve a pending (e)/(f) objection: uphold it, or override it with recorded compelling grounds',
        request: { params: ObjectionParam, ...jsonBody(ResolveObjection) },
        responses: { 200: json(Objection, 'The resolved objection') },
      },
      { owned: (t, p) => objections.exists(t, p.objectionId ?? '') },
    ),
    async (c) =>
      c.json(
        await objections.resolve(
          c.var.principal.tenantId,
          c.req.valid('param').objectionId,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/restrictions',
      tags: ['Objections'],
      summary: 'Restrict processing (Art. 18): decisions then allow storage only',
      request: jsonBody(RestrictionInput),
      responses: { 201: json(Restriction, 'The restriction') },
    }),
    async (c) =>
      c.json(await objections.restrict(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 201),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/restrictions/{restrictionId}/lift',
      tags: ['Objections'],
      summary: 'Lift a restriction (tell the subject first: Art. 18(3))',
      request: { params: RestrictionParam },
      responses: { 200: json(Restriction, 'The lifted restriction') },
    }),
    async (c) =>
      c.json(
        await objections.lift(c.var.principal.tenantId, c.req.valid('param').restrictionId, actorOf(c.var.principal)),
        200,
      ),
  );
  return app;
};
