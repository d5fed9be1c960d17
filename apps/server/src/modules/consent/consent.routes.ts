import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ConsentRecord, ConsentResult, ConsentStateItem, RecordConsent } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { clientIp } from '../../http/middleware.ts';
import { BROWSER, guarded, IdParam, json, jsonBody, READER } from '../../http/route.ts';
import type { ConsentService } from './consent.service.ts';

const SubjectParam = IdParam('subjectId', 'sub');

export const consentRoutes = (deps: {
  db: Database;
  consent: ConsentService;
  subjectExists: (tenantId: string, subjectId: string) => Promise<void>;
}) => {
  const { db, consent } = deps;
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(BROWSER, {
      method: 'post',
      path: '/v1/consents',
      tags: ['Consent'],
      summary: 'Record one decision per purpose, with proof (acknowledged only after commit)',
      description:
        'Refused: an unpublished notice, a hash that is not the published text, bundled decisions, pre-ticked or implied consent, an unknown purpose, a purpose not based on consent, a minor without a guardian. Send `Idempotency-Key` (or `idempotencyKey`) to retry safely.',
      request: {
        headers: z.object({ 'idempotency-key': z.string().min(8).max(200).optional() }),
        ...jsonBody(RecordConsent),
      },
      responses: { 201: json(ConsentResult, 'The records and, for grants, a signed receipt') },
    }),
    async (c) => {
      const p = c.var.principal;
      const result = await consent.record(p.tenantId, c.req.valid('json'), {
        actor: actorOf(p),
        ip: clientIp(c),
        userAgent: c.req.header('user-agent'),
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      return c.json(result, 201);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/subjects/{subjectId}/consents',
      tags: ['Consent'],
      summary: 'A subject’s consent state per purpose (now, or as of a past instant) and every record',
      request: {
        params: SubjectParam,
        query: z.object({ asOf: z.string().datetime({ offset: true }).optional() }).strict(),
      },
      responses: {
        200: json(z.object({ state: z.array(ConsentStateItem), records: z.array(ConsentRecord) }), 'State and history'),
      },
    }),
    async (c) => {
      const t = c.var.principal.tenantId;
      const { subjectId } = c.req.valid('param');
      const { asOf } = c.req.valid('query');
      await deps.subjectExists(t, subjectId);
      const out = await db.tenant(t, async (tx) => ({
        state: asOf ? await consent.stateAsOf(tx, t, subjectId, new Date(asOf)) : await consent.state(tx, t, subjectId),
        records: await consent.history(tx, t, subjectId),
      }));
      return c.json(out, 200);
    },
  );
  return app;
};

/** Public: the tenant's receipt-verification keys. Receipts can be checked offline with these alone. */
export const jwksRoutes = (consent: ConsentService, tenantExists: (id: string) => Promise<boolean>) => {
  const app = new OpenAPIHono<AppEnv>();
  app.get('/.well-known/lawful/:tenantId/jwks.json', async (c) => {
    const id = c.req.param('tenantId');
    if (!/^tnt_[0-9A-HJKMNP-TV-Z]{26}$/.test(id) || !(await tenantExists(id))) return c.json({ keys: [] }, 404);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json(await consent.jwks(id), 200);
  });
  return app;
};
