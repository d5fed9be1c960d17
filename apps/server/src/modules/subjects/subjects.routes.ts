import { OpenAPIHono } from '@hono/zod-openapi';
import {
  CreateSubject,
  FindSubject,
  LookupSubject,
  RevealSubject,
  Subject,
  SubjectList,
  SubjectListQuery,
  SubjectProfile,
  SubjectSummary,
} from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, IdParam, json, jsonBody, READER, STAFF } from '../../http/route.ts';
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
    guarded(
      STAFF,
      {
        method: 'post',
        path: '/v1/subjects:lookup',
        tags: ['Subjects'],
        summary: 'Find the subject holding an identifier (in the body: identifiers never go into URLs)',
        request: jsonBody(LookupSubject),
        responses: { 200: json(Subject, 'The subject') },
      },
      { keysOnly: true },
    ),
    async (c) =>
      c.json(
        await subjects.lookup(c.var.principal.tenantId, c.req.valid('json').identity, actorOf(c.var.principal)),
        200,
      ),
  );
  app.openapi(
    guarded(
      STAFF,
      {
        method: 'get',
        path: '/v1/subjects/{subjectId}',
        tags: ['Subjects'],
        summary: 'A subject and its identifiers (an audited read)',
        request: { params: IdParam('subjectId', 'sub') },
        responses: { 200: json(Subject, 'The subject') },
      },
      { keysOnly: true },
    ),
    async (c) =>
      c.json(
        await subjects.get(c.var.principal.tenantId, c.req.valid('param').subjectId, actorOf(c.var.principal)),
        200,
      ),
  );
  const people = subjects.people;
  const owned = (tenantId: string, p: Record<string, string>) => people.owned(tenantId, p.subjectId ?? '');
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/subjects',
      tags: ['Subjects'],
      summary: 'People, newest first: pseudonymous ids and masked identifiers only',
      request: { query: SubjectListQuery },
      responses: { 200: json(SubjectList, 'A page of subjects') },
    }),
    async (c) => c.json(await people.list(c.var.principal.tenantId, c.req.valid('query')), 200),
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/subjects:find',
      tags: ['Subjects'],
      summary: 'Find the person holding an identifier, for a stated reason (audited; masked answer)',
      description:
        'The audit entry keeps the reason, the identifier kind and the subject id found, never the identifier.',
      request: jsonBody(FindSubject),
      responses: { 200: json(SubjectSummary, 'The subject, identifiers masked') },
    }),
    async (c) => {
      const { identity, reason } = c.req.valid('json');
      const p = c.var.principal;
      return c.json(await people.find(p.tenantId, identity, reason, actorOf(p)), 200);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/subjects/{subjectId}/profile',
      tags: ['Subjects'],
      summary: 'The person page: masked identifiers, suppression, objections and restrictions',
      request: { params: IdParam('subjectId', 'sub') },
      responses: { 200: json(SubjectProfile, 'The profile') },
    }),
    async (c) => c.json(await people.profile(c.var.principal.tenantId, c.req.valid('param').subjectId), 200),
  );
  app.openapi(
    guarded(
      STAFF,
      {
        method: 'post',
        path: '/v1/subjects/{subjectId}/reveal',
        tags: ['Subjects'],
        summary: 'A person’s identifiers in full, for a stated reason (audited with the reason)',
        request: { params: IdParam('subjectId', 'sub'), ...jsonBody(RevealSubject) },
        responses: { 200: json(Subject, 'The subject and its identifiers') },
      },
      { owned },
    ),
    async (c) => {
      const p = c.var.principal;
      const { subjectId } = c.req.valid('param');
      return c.json(await people.reveal(p.tenantId, subjectId, c.req.valid('json').reason, actorOf(p)), 200);
    },
  );
  return app;
};
