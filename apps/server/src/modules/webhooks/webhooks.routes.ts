import { OpenAPIHono, z } from '@hono/zod-openapi';
import {
  CreateWebhook,
  UpdateWebhook,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookEventData,
  WebhookEventType,
  WebhookWithSecret,
} from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { ADMIN, guarded, IdParam, json, jsonBody, OFFICER } from '../../http/route.ts';
import type { WebhooksService } from './webhooks.service.ts';

const WebhookParam = IdParam('webhookId', 'whk');
const DeliveryParam = IdParam('deliveryId', 'dlv');
const tags = ['Webhooks'];

export const webhooksRoutes = (webhooks: WebhooksService) => {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/webhooks',
      tags,
      summary: 'List webhook endpoints (never their secrets)',
      responses: { 200: json(z.object({ items: z.array(Webhook) }), 'The endpoints') },
    }),
    async (c) => c.json({ items: await webhooks.list(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'post',
      path: '/v1/webhooks',
      tags,
      summary: 'Register an endpoint; its signing secret is shown once',
      request: jsonBody(CreateWebhook),
      responses: { 201: json(WebhookWithSecret, 'The endpoint, with its secret') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await webhooks.create(p.tenantId, c.req.valid('json'), actorOf(p)), 201);
    },
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/webhooks/{webhookId}',
      tags,
      summary: 'One endpoint',
      request: { params: WebhookParam },
      responses: { 200: json(Webhook, 'The endpoint') },
    }),
    async (c) => c.json(await webhooks.get(c.var.principal.tenantId, c.req.valid('param').webhookId), 200),
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'patch',
      path: '/v1/webhooks/{webhookId}',
      tags,
      summary: 'Change an endpoint’s URL, description, event types or enabled flag',
      request: { params: WebhookParam, ...jsonBody(UpdateWebhook) },
      responses: { 200: json(Webhook, 'The endpoint') },
    }),
    async (c) => {
      const p = c.var.principal;
      const id = c.req.valid('param').webhookId;
      return c.json(await webhooks.update(p.tenantId, id, c.req.valid('json'), actorOf(p)), 200);
    },
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'delete',
      path: '/v1/webhooks/{webhookId}',
      tags,
      summary: 'Delete an endpoint: pending deliveries stop, the delivery log is kept',
      request: { params: WebhookParam },
      responses: { 204: { description: 'Deleted' } },
    }),
    async (c) => {
      const p = c.var.principal;
      await webhooks.remove(p.tenantId, c.req.valid('param').webhookId, actorOf(p));
      return c.body(null, 204);
    },
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'post',
      path: '/v1/webhooks/{webhookId}/rotate-secret',
      tags,
      summary: 'Replace the signing secret; the old one stops working at once',
      request: { params: WebhookParam },
      responses: { 200: json(WebhookWithSecret, 'The endpoint, with its new secret') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await webhooks.rotateSecret(p.tenantId, c.req.valid('param').webhookId, actorOf(p)), 200);
    },
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/webhooks/{webhookId}/deliveries',
      tags,
      summary: 'The delivery log of an endpoint, newest first, with every attempt',
      request: { params: WebhookParam, query: WebhookDeliveryQuery },
      responses: { 200: json(WebhookDeliveryList, 'Deliveries') },
    }),
    async (c) => {
      const t = c.var.principal.tenantId;
      return c.json(await webhooks.deliveries(t, c.req.valid('param').webhookId, c.req.valid('query')), 200);
    },
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/webhooks/deliveries/{deliveryId}/replay',
      tags,
      summary: 'Send a finished delivery again, with the same webhook-id so the receiver can dedupe',
      request: { params: DeliveryParam },
      responses: { 202: json(WebhookDelivery, 'The delivery, queued again') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await webhooks.replay(p.tenantId, c.req.valid('param').deliveryId, actorOf(p)), 202);
    },
  );

  // The event catalogue, as OpenAPI 3.1 webhooks: what Lawful POSTs to an endpoint.
  for (const type of WebhookEventType.options) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      tags,
      summary: `${type} event`,
      request: {
        headers: z.object({
          'webhook-id': z.string(),
          'webhook-timestamp': z.string(),
          'webhook-signature': z.string(),
        }),
        body: {
          content: {
            'application/json': {
              schema: z.object({ type: z.literal(type), timestamp: z.string(), data: WebhookEventData[type] }),
            },
          },
        },
      },
      responses: { 200: { description: 'Any 2xx acknowledges the delivery' } },
    });
  }
  return app;
};
