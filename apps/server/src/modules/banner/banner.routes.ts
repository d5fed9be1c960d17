import { OpenAPIHono, z } from '@hono/zod-openapi';
import { BannerConsentRecord } from '@lawful/contract';
import type { Context } from 'hono';
import { bannerScriptHeaders } from '../../../../../packages/banner/src/serve.ts';
import type { AppEnv } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { validationError } from '../../http/errors.ts';
import { clientIp, type RateLimits } from '../../http/middleware.ts';
import { guarded, IdParam, json, jsonBody, OFFICER, READER } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import type { BannerConsent } from './banner.consent.ts';
import { Site, SiteDefinition, SiteSnippet } from './banner.schemas.ts';
import type { BannerScripts } from './banner.scripts.ts';
import type { SitesService } from './sites.service.ts';

export const BANNER_CONSENT_PATH = '/v1/consent/banner';

/**
 * Paths that take no API key header: the script (public, it inlines the site's publishable key) and the consent
 * endpoint, which authenticates the site's key itself (header, or body for sendBeacon on this path only).
 */
export const isPublicBannerPath = (path: string) => path.startsWith('/v1/banner/') || path === BANNER_CONSENT_PATH;

const SiteParam = IdParam('siteId', 'sit');
const SITE_JS = /^(sit_[0-9A-HJKMNP-TV-Z]{26})\.js$/;

const bearer = (h: string | undefined) => h?.match(/^Bearer\s+(\S+)$/i)?.[1];

export const bannerRoutes = (deps: {
  sites: SitesService;
  scripts: BannerScripts;
  consent: BannerConsent;
  /** Per-IP limit on banner consent writes (check 58). */
  limits: RateLimits;
  publicUrl: string | undefined;
}) => {
  const app = new OpenAPIHono<AppEnv>();
  const base = (c: Context) => deps.publicUrl?.replace(/\/$/, '') ?? new URL(c.req.url).origin;

  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/sites',
      tags: ['Banner'],
      summary: 'Add a website that embeds the cookie banner (mints its publishable key)',
      request: jsonBody(SiteDefinition),
      responses: {
        201: json(Site, 'The site, version 1'),
        422: json(z.object({}), 'A purpose that does not rest on consent'),
      },
    }),
    async (c) =>
      c.json(await deps.sites.create(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 201),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/sites',
      tags: ['Banner'],
      summary: 'List sites',
      responses: { 200: json(z.object({ items: z.array(Site) }), 'The sites') },
    }),
    async (c) => c.json({ items: await deps.sites.list(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/sites/{siteId}',
      tags: ['Banner'],
      summary: 'A site’s current version',
      request: { params: SiteParam },
      responses: { 200: json(Site, 'The site') },
    }),
    async (c) => c.json(await deps.sites.get(c.var.principal.tenantId, c.req.valid('param').siteId), 200),
  );
  app.openapi(
    guarded(
      OFFICER,
      {
        method: 'put',
        path: '/v1/sites/{siteId}',
        tags: ['Banner'],
        summary: 'Replace a site’s definition (a new version; a changed service list re-prompts visitors)',
        request: { params: SiteParam, ...jsonBody(SiteDefinition) },
        responses: { 200: json(Site, 'The site, new version') },
      },
      {
        owned: (t, p) =>
          deps.sites.get(t, p.siteId ?? '').then(
            () => true,
            () => false,
          ),
      },
    ),
    async (c) =>
      c.json(
        await deps.sites.update(
          c.var.principal.tenantId,
          c.req.valid('param').siteId,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'delete',
      path: '/v1/sites/{siteId}',
      tags: ['Banner'],
      summary: 'Stop serving the banner for a site and revoke its key',
      request: { params: SiteParam },
      responses: { 204: { description: 'Deleted' } },
    }),
    async (c) => {
      await deps.sites.remove(c.var.principal.tenantId, c.req.valid('param').siteId, actorOf(c.var.principal));
      return c.body(null, 204);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/sites/{siteId}/snippet',
      tags: ['Banner'],
      summary: 'The embed tag, and the SRI-pinned alternative',
      request: { params: SiteParam },
      responses: { 200: json(SiteSnippet, 'Tags to paste first in <head>') },
    }),
    async (c) => {
      const { siteId } = c.req.valid('param');
      await deps.sites.get(c.var.principal.tenantId, siteId); // 404 for another tenant's site
      const s = await deps.scripts.latest(siteId, `${base(c)}${BANNER_CONSENT_PATH}`);
      const scriptUrl = `${base(c)}/v1/banner/${siteId}.js`;
      const pinnedUrl = `${base(c)}${s.pinnedPath}`;
      return c.json(
        {
          scriptUrl,
          tag: `<script src="${scriptUrl}"></script>`,
          pinned: {
            url: pinnedUrl,
            integrity: s.integrity,
            tag: `<script src="${pinnedUrl}" integrity="${s.integrity}" crossorigin="anonymous"></script>`,
          },
          bannerVersion: s.bannerVersion,
          noticeVersionId: s.noticeVersionId,
        },
        200,
      );
    },
  );

  // Public: scripts. Registered before the site pattern so `tcf.js` is not read as a site id.
  app.get('/v1/banner/tcf.js', (c) => c.body(deps.scripts.tcf(), 200, bannerScriptHeaders('pinned')));
  app.get('/v1/banner/:file', async (c) => {
    const m = SITE_JS.exec(c.req.param('file'));
    if (!m) throw new AppError('NOT_FOUND', 'no such banner script');
    const s = await deps.scripts.latest(m[1]!, `${base(c)}${BANNER_CONSENT_PATH}`);
    // One minute, so a site or notice change reaches every visitor within a minute.
    const headers = { ...bannerScriptHeaders('latest'), 'cache-control': 'public, max-age=60', etag: s.etag };
    if (c.req.header('if-none-match') === s.etag) return c.body(null, 304, headers);
    return c.body(s.body, 200, headers);
  });
  app.get('/v1/banner/:siteId/:version/:file', async (c) => {
    const { siteId, version, file } = c.req.param();
    const digest = file.replace(/\.js$/, '');
    const body = await deps.scripts.pinned(siteId, version, digest);
    return c.body(body, 200, { ...bannerScriptHeaders('pinned'), etag: `"${digest}"` });
  });

  // Public: what the banner posts to.
  const cors = (origin: string) => ({
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
    vary: 'Origin',
  });
  app.options(BANNER_CONSENT_PATH, async (c) => {
    const origin = c.req.header('origin');
    if (!origin || !(await deps.consent.originAllowed(origin))) {
      return c.body(null, 403, { vary: 'Origin' });
    }
    return c.body(null, 204, cors(origin));
  });
  app.post(BANNER_CONSENT_PATH, async (c) => {
    const ip = clientIp(c);
    await deps.limits.check(`banner:${ip}`);
    for (const p of new URL(c.req.url).searchParams.keys()) {
      throw new AppError(
        'UNAUTHENTICATED',
        'this endpoint takes no query parameters: keys are never accepted in URLs',
        {
          field: p,
        },
      );
    }
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && type !== 'text/plain')
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send application/json, or text/plain JSON (sendBeacon)');
    // Two content types (sendBeacon can only send text/plain without a preflight), so the body is parsed and validated
    // here with the contract schema rather than by the route declaration.
    const parsed = BannerConsentRecord.safeParse(JSON.parse(await c.req.text()));
    if (!parsed.success) throw validationError(parsed.error, 'json');
    const rec = parsed.data;
    const header = bearer(c.req.header('authorization'));
    const { ack, allowOrigin } = await deps.consent.record(rec, {
      secret: header ?? (type === 'text/plain' ? rec.publishableKey : undefined),
      origin: c.req.header('origin'),
      ip: ip === 'local' ? null : ip,
      userAgent: c.req.header('user-agent') ?? null,
      secGpc: c.req.header('sec-gpc') === '1',
    });
    if (allowOrigin) for (const [k, v] of Object.entries(cors(allowOrigin))) c.header(k, v);
    return c.json(ack, ack.duplicate ? 200 : 201);
  });
  return app;
};
