import { OpenAPIHono, z } from '@hono/zod-openapi';
import {
  AudienceQuery,
  Decision,
  DecisionBatch,
  DecisionBatchResult,
  DecisionQuery,
  DecisionRequest,
  type Identity,
} from '@lawful/contract';
import type { AppEnv } from '../../http/context.ts';
import { guarded, json, jsonBody, READER, STAFF } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import { identityChunks } from './decisions.ndjson.ts';
import { AUDIENCE_CHUNK, type DecisionsService } from './decisions.service.ts';

const NDJSON = 'application/x-ndjson';

export const decisionsRoutes = (decisions: DecisionsService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/decisions',
      tags: ['Decisions'],
      summary: 'May this subject’s data be used for this purpose now?',
      request: { query: DecisionQuery },
      responses: { 200: json(Decision, 'The decision, with the basis and why') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await decisions.decide(c.var.principal.tenantId, q.subject, q.purpose, q.activity), 200);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'post',
      path: '/v1/decisions',
      tags: ['Decisions'],
      summary: 'The decision for a subject id or an identity (identifiers go in the body, never the URL)',
      request: jsonBody(DecisionRequest),
      responses: { 200: json(Decision, 'The decision') },
    }),
    async (c) => c.json(await decisions.decideRef(c.var.principal.tenantId, c.req.valid('json')), 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'post',
      path: '/v1/decisions:batch',
      tags: ['Decisions'],
      summary: 'Up to 1,000 decisions in one call, in order',
      request: jsonBody(DecisionBatch),
      responses: { 200: json(DecisionBatchResult, 'The decisions') },
    }),
    async (c) =>
      c.json({ items: await decisions.decideMany(c.var.principal.tenantId, c.req.valid('json').items) }, 200),
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/audiences:filter',
      tags: ['Decisions'],
      summary: 'Stream identifiers in (NDJSON), stream back the ones the purpose may be used for',
      description:
        'Body: one `{"kind":"email","value":"…"}` per line, up to 10 million. Answer: the allowed lines, same form, in input order. A bad line in the first 10,000 is a 400 naming it; later, the stream ends with an `{"error":{…}}` line.',
      request: {
        query: AudienceQuery,
        body: { content: { [NDJSON]: { schema: z.string() } }, required: true },
      },
      responses: {
        200: { description: 'The allowed identities, NDJSON', content: { [NDJSON]: { schema: z.string() } } },
      },
    }),
    async (c) => {
      const { purpose } = c.req.valid('query');
      const type = c.req.header('content-type') ?? '';
      if (!type.startsWith(NDJSON) && !type.startsWith('application/jsonl')) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', `send the identifiers as ${NDJSON}`, { field: 'content-type' });
      }
      // A streamed body cannot be validated up front: each line is checked as it arrives (decisions.ndjson.ts).
      const body = c.req.raw.body;
      if (!body) throw new AppError('VALIDATION_FAILED', 'the body is empty', { field: '(body)' });
      const results = decisions.filterAudience(
        c.var.principal.tenantId,
        purpose,
        identityChunks(body as unknown as AsyncIterable<Uint8Array>, AUDIENCE_CHUNK),
      );
      // Pull the first chunk before answering, so an unknown purpose or an early bad line is a proper 4xx.
      const first = await results.next();
      const encoder = new TextEncoder();
      const encode = (ids: Identity[]) =>
        encoder.encode(ids.map((i) => `${JSON.stringify({ kind: i.kind, value: i.value })}\n`).join(''));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (!first.done) controller.enqueue(encode(first.value));
          if (first.done) controller.close();
        },
        async pull(controller) {
          if (first.done) return;
          try {
            const next = await results.next();
            if (next.done) controller.close();
            else controller.enqueue(encode(next.value));
          } catch (e) {
            const err =
              e instanceof AppError
                ? { code: e.code, message: e.message, field: e.field }
                : { code: 'INTERNAL', message: 'internal error' };
            controller.enqueue(encoder.encode(`${JSON.stringify({ error: err })}\n`));
            controller.close();
          }
        },
        async cancel() {
          await results.return(undefined);
        },
      });
      // zod-openapi types any application/*json* media type other than JSON itself as `never`; the stream is a Response.
      return new Response(stream, {
        status: 200,
        headers: { 'content-type': NDJSON, 'cache-control': 'no-store' },
      }) as never;
    },
  );
  return app;
};
