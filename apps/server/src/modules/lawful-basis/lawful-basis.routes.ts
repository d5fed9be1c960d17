import { OpenAPIHono, z } from '@hono/zod-openapi';
import { BasisQuery, BasisRecord, BasisState, PurposeKey, SetBasesBatch, SetBasis, SubjectId } from '@lawful/contract';
import { bodyLimit } from 'hono/body-limit';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { guarded, json, jsonBody, READER, STAFF } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import type { LawfulBasisService } from './lawful-basis.service.ts';

export const lawfulBasisRoutes = (bases: LawfulBasisService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.use(
    '/v1/bases:batch',
    bodyLimit({
      maxSize: BATCH_BODY_LIMIT,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `a batch body is at most ${BATCH_BODY_LIMIT} bytes`);
      },
    }),
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/bases',
      tags: ['Lawful basis'],
      summary: 'Set the lawful basis of a subject for a purpose (replaces the one in force; history is kept)',
      request: jsonBody(SetBasis),
      responses: { 201: json(BasisRecord, 'The basis now in force') },
    }),
    async (c) => c.json(await bases.set(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 201),
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/bases:batch',
      tags: ['Lawful basis'],
      summary: 'Set up to 10,000 bases at once: all or none; errors name rows.<index>.<field>',
      request: jsonBody(SetBasesBatch),
      responses: {
        200: json(z.object({ count: z.number().int(), items: z.array(BasisRecord) }), 'Every row, in order'),
        422: json(
          z.object({
            error: z.object({
              code: z.string(),
              issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
            }),
          }),
          'Rows rejected; nothing written',
        ),
      },
    }),
    async (c) => {
      const items = await bases.setMany(c.var.principal.tenantId, c.req.valid('json').rows, actorOf(c.var.principal));
      return c.json({ count: items.length, items }, 200);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/bases',
      tags: ['Lawful basis'],
      summary: 'The basis in force for a subject and purpose, now or as of a past instant',
      request: { query: BasisQuery },
      responses: { 200: json(BasisState, 'The basis in force, or null') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(
        await bases.stateAt(c.var.principal.tenantId, q.subject, q.purpose, q.asOf ? new Date(q.asOf) : undefined),
        200,
      );
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/bases/history',
      tags: ['Lawful basis'],
      summary: 'Every basis ever set for a subject and purpose, oldest first',
      request: { query: z.object({ subject: SubjectId, purpose: PurposeKey }).strict() },
      responses: { 200: json(z.object({ items: z.array(BasisRecord) }), 'The history') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ items: await bases.history(c.var.principal.tenantId, q.subject, q.purpose) }, 200);
    },
  );
  return app;
};

/** Routes whose bodies the app-wide limit must not cap: they set their own. */
export const bulkBodyPaths = new Set(['/v1/bases:batch', '/v1/audiences:filter']);
/** 10,000 rows of about 400 bytes, with room to spare. */
export const BATCH_BODY_LIMIT = 16 * 1024 * 1024;
