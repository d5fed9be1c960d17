import { OpenAPIHono, z } from '@hono/zod-openapi';
import { TransferKey } from '@lawful/contract';
import type { AppEnv } from '../../http/context.ts';
import { guarded, json, OFFICER } from '../../http/route.ts';
import type { DataMapTransfer } from './datamap.transfer.ts';

/**
 * The key a receiving controller verifies direct transfers with (Art. 20(2)). Staff look it up for the receiver's
 * origin and hand it over out of band: the receiver cannot fetch it itself, because it is a shared secret.
 */
export const transferRoutes = (deps: { transfer: Pick<DataMapTransfer, 'key'> }) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/exports/transfer-key',
      tags: ['Exports'],
      summary: "The signing secret of direct transfers to one receiving origin (give it to that receiver's staff)",
      request: {
        query: z
          .object({
            origin: z
              .string()
              .trim()
              .min(1)
              .max(2000)
              .openapi({ example: 'https://import.receiver.example', description: 'Scheme, host and port' }),
          })
          .strict(),
      },
      responses: { 200: json(TransferKey, 'The secret (whsec_…) and how to use it') },
    }),
    async (c) => c.json(await deps.transfer.key(c.var.principal.tenantId, c.req.valid('query').origin), 200),
  );
  return app;
};
