import type * as C from '@lawful/contract';
import type { z } from 'zod';

type Out<S extends z.ZodType> = z.infer<S>;
type In<S extends z.ZodType> = z.input<S>;

/** The request function `createLawfulClient` builds (auth, CSRF and errors included). */
export type Caller = <T>(
  method: string,
  path: string,
  o?: { query?: Record<string, string | number | boolean | undefined>; body?: unknown; as?: 'json' | 'blob' | 'none' },
) => Promise<T>;

const e = encodeURIComponent;

/**
 * What a privacy team configures: notices, banner sites, the data map and webhooks. Kept apart from client.ts so that
 * each area stays a screenful; `createLawfulClient` spreads these into the client.
 * @example
 * const { items } = await lawful.notices.list();
 * await lawful.notices.publish(items[0].id);
 */
export const configApi = (call: Caller) => ({
  notices: {
    /** Every notice, each with its latest version. */
    list: () => call<{ items: Out<typeof C.NoticeVersion>[] }>('GET', '/v1/notices'),
    create: (input: In<typeof C.CreateNotice>) =>
      call<Out<typeof C.NoticeVersion>>('POST', '/v1/notices', { body: input }),
    /** Newest first. */
    versions: (key: string) => call<{ items: Out<typeof C.NoticeVersion>[] }>('GET', `/v1/notices/${e(key)}/versions`),
    addVersion: (key: string, draft: In<typeof C.NoticeDraft>) =>
      call<Out<typeof C.NoticeVersion>>('POST', `/v1/notices/${e(key)}/versions`, { body: draft }),
    get: (versionId: string) => call<Out<typeof C.NoticeVersion>>('GET', `/v1/notice-versions/${e(versionId)}`),
    updateDraft: (versionId: string, draft: In<typeof C.NoticeDraft>) =>
      call<Out<typeof C.NoticeVersion>>('PUT', `/v1/notice-versions/${e(versionId)}`, { body: draft }),
    /** Renders, hashes and freezes; a 422 names what the notice lacks (the controller, a purpose …). */
    publish: (versionId: string) =>
      call<Out<typeof C.NoticeVersion>>('POST', `/v1/notice-versions/${e(versionId)}/publish`),
  },
  sites: {
    list: () => call<{ items: Out<typeof C.Site>[] }>('GET', '/v1/sites'),
    get: (id: string) => call<Out<typeof C.Site>>('GET', `/v1/sites/${e(id)}`),
    create: (input: In<typeof C.SiteDefinition>) => call<Out<typeof C.Site>>('POST', '/v1/sites', { body: input }),
    /** A new version of the site; a changed service list asks visitors again. */
    update: (id: string, input: In<typeof C.SiteDefinition>) =>
      call<Out<typeof C.Site>>('PUT', `/v1/sites/${e(id)}`, { body: input }),
    remove: (id: string) => call<void>('DELETE', `/v1/sites/${e(id)}`, { as: 'none' }),
    /** The tag to paste, and its SRI-pinned alternative. */
    snippet: (id: string) => call<Out<typeof C.SiteSnippet>>('GET', `/v1/sites/${e(id)}/snippet`),
  },
  datamap: {
    /** The current map, or `null` when none is stored yet. */
    current: async () => {
      try {
        return await call<Out<typeof C.StoredDataMap>>('GET', '/v1/datamap');
      } catch (x) {
        if ((x as { status?: number }).status === 404) return null;
        throw x;
      }
    },
    get: (version: number) => call<Out<typeof C.StoredDataMap>>('GET', '/v1/datamap', { query: { version } }),
    versions: () => call<Out<typeof C.DataMapVersionList>>('GET', '/v1/datamap/versions'),
    put: (map: In<typeof C.DataMap>) => call<Out<typeof C.StoredDataMap>>('PUT', '/v1/datamap', { body: map }),
    connections: () => call<{ data: Out<typeof C.DataMapConnection>[] }>('GET', '/v1/datamap/connections'),
    setConnection: (name: string, input: In<typeof C.DataMapConnectionInput>) =>
      call<Out<typeof C.DataMapConnection>>('PUT', `/v1/datamap/connections/${e(name)}`, { body: input }),
    check: () => call<Out<typeof C.DataMapCheckResult>>('POST', '/v1/datamap/check'),
    discover: (input: In<typeof C.DataMapDiscover>) =>
      call<Out<typeof C.DataMapDiscovery>>('POST', '/v1/datamap/discover', { body: input }),
  },
  webhooks: {
    list: () => call<{ items: Out<typeof C.Webhook>[] }>('GET', '/v1/webhooks'),
    /** The signing secret is in this answer only. */
    create: (input: In<typeof C.CreateWebhook>) =>
      call<Out<typeof C.WebhookWithSecret>>('POST', '/v1/webhooks', { body: input }),
    update: (id: string, input: In<typeof C.UpdateWebhook>) =>
      call<Out<typeof C.Webhook>>('PATCH', `/v1/webhooks/${e(id)}`, { body: input }),
    remove: (id: string) => call<void>('DELETE', `/v1/webhooks/${e(id)}`, { as: 'none' }),
    rotateSecret: (id: string) => call<Out<typeof C.WebhookWithSecret>>('POST', `/v1/webhooks/${e(id)}/rotate-secret`),
    deliveries: (id: string, q: Partial<Out<typeof C.WebhookDeliveryQuery>> = {}) =>
      call<Out<typeof C.WebhookDeliveryList>>('GET', `/v1/webhooks/${e(id)}/deliveries`, { query: q }),
    /** Sends a finished delivery again (same webhook-id, so the receiver can dedupe). */
    replay: (deliveryId: string) =>
      call<Out<typeof C.WebhookDelivery>>('POST', `/v1/webhooks/deliveries/${e(deliveryId)}/replay`),
  },
});
