import { OpenAPIHono } from '@hono/zod-openapi';
import { CreateSubject, LookupSubject, Subject } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, IdParam, json, jsonBody, STAFF } from '../../http/route.ts';
import type { SubjectsService } from './subjects.service.ts';

export const subjectsRoutes = (subjects: SubjectsService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/subjects',
      tags: ['Subjects'],
      summary: 'Resolve the subject these identifiers name, creating it when none does',
      request: jsonBody(CreateSubject),
      responses: { 200: json(Subject, 'An existing subject'), 201: json(Subject, 'A new subject') },
    }),
    async (c) => {
      const r = await subjects.create(
        c.var.principal.tenantId,
        c.req.valid('json').identities,
        actorOf(c.var.principal),
      );
      return r.created ? c.json(r.subject, 201) : c.json(r.subject, 200);
    },
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/subjects:lookup',
      tags: ['Subjects'],
      summary: 'Find the subject holding an identifier (in the body: identifiers never go into URLs)',
      request: jsonBody(LookupSubject),
      responses: { 200: json(Subject, 'The subject') },
    }),
    async (c) =>
      c.json(
        await subjects.lookup(c.var.principal.tenantId, c.req.valid('json').identity, actorOf(c.var.principal)),
        200,
      ),
  );
  app.openapi(
    guarded(STAFF, {
      method: 'get',
      path: '/v1/subjects/{subjectId}',
      tags: ['Subjects'],
      summary: 'A subject and its identifiers (an audited read)',
      request: { params: IdParam('subjectId', 'sub') },
      responses: { 200: json(Subject, 'The subject') },
    }),
    async (c) =>
      c.json(
        await subjects.get(c.var.principal.tenantId, c.req.valid('param').subjectId, actorOf(c.var.principal)),
        200,
      ),
  );
  return app;
};
