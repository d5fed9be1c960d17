import { OpenAPIHono, z } from '@hono/zod-openapi';
import { CreateNotice, NoticeDraft, NoticeVersion } from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { BROWSER, guarded, IdParam, json, jsonBody, OFFICER, READER } from '../../http/route.ts';
import type { NoticesService } from './notices.service.ts';

const KeyParam = z.object({
  noticeKey: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a notice key')
    .openapi({ param: { name: 'noticeKey', in: 'path' }, example: 'marketing-consent' }),
});
const VersionParam = IdParam('noticeVersionId', 'ntv');
const List = z.object({ items: z.array(NoticeVersion) });

export const noticesRoutes = (notices: NoticesService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/notices',
      tags: ['Notices'],
      summary: 'Create a notice with its first draft version',
      request: jsonBody(CreateNotice),
      responses: { 201: json(NoticeVersion, 'The draft') },
    }),
    async (c) =>
      c.json(await notices.create(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 201),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/notices',
      tags: ['Notices'],
      summary: 'Notices, each with its latest version',
      responses: { 200: json(List, 'Notices') },
    }),
    async (c) => c.json({ items: await notices.list(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/notices/{noticeKey}/versions',
      tags: ['Notices'],
      summary: 'Every version of a notice, newest first (published ones are kept forever)',
      request: { params: KeyParam },
      responses: { 200: json(List, 'Versions') },
    }),
    async (c) =>
      c.json({ items: await notices.versions(c.var.principal.tenantId, c.req.valid('param').noticeKey) }, 200),
  );
  const noticeOwned = (t: string, p: Record<string, string>) => notices.exists(t, p.noticeKey ?? '');
  const versionOwned = (t: string, p: Record<string, string>) => notices.versionExists(t, p.noticeVersionId ?? '');
  app.openapi(
    guarded(
      OFFICER,
      {
        method: 'post',
        path: '/v1/notices/{noticeKey}/versions',
        tags: ['Notices'],
        summary: 'Add a draft version',
        request: { params: KeyParam, ...jsonBody(NoticeDraft) },
        responses: { 201: json(NoticeVersion, 'The draft') },
      },
      { owned: noticeOwned },
    ),
    async (c) =>
      c.json(
        await notices.addVersion(
          c.var.principal.tenantId,
          c.req.valid('param').noticeKey,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        201,
      ),
  );
  app.openapi(
    guarded([...READER, ...BROWSER.filter((r) => !READER.includes(r))], {
      method: 'get',
      path: '/v1/notice-versions/{noticeVersionId}',
      tags: ['Notices'],
      summary: 'One notice version, with the exact rendered text and hash once published',
      request: { params: VersionParam },
      responses: { 200: json(NoticeVersion, 'The version') },
    }),
    async (c) => c.json(await notices.get(c.var.principal.tenantId, c.req.valid('param').noticeVersionId), 200),
  );
  app.openapi(
    guarded(
      OFFICER,
      {
        method: 'put',
        path: '/v1/notice-versions/{noticeVersionId}',
        tags: ['Notices'],
        summary: 'Edit a draft (a published version never changes)',
        request: { params: VersionParam, ...jsonBody(NoticeDraft) },
        responses: { 200: json(NoticeVersion, 'The draft'), 409: json(z.object({}), 'Already published') },
      },
      { owned: versionOwned },
    ),
    async (c) =>
      c.json(
        await notices.updateDraft(
          c.var.principal.tenantId,
          c.req.valid('param').noticeVersionId,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/notice-versions/{noticeVersionId}/publish',
      tags: ['Notices'],
      summary: 'Publish: render, hash and freeze (refused unless it names controller, purposes, data, withdrawal …)',
      request: { params: VersionParam },
      responses: { 200: json(NoticeVersion, 'The published version'), 422: json(z.object({}), 'Not publishable') },
    }),
    async (c) =>
      c.json(
        await notices.publish(c.var.principal.tenantId, c.req.valid('param').noticeVersionId, actorOf(c.var.principal)),
        200,
      ),
  );
  return app;
};
