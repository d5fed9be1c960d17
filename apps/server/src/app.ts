import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Redis } from 'ioredis';
import type { Database } from './db/client.ts';
import type { AppEnv } from './http/context.ts';
import { errorResponse, onError, validationError } from './http/errors.ts';
import { authenticate, type RateLimits, rateLimit, requestId, requestLog } from './http/middleware.ts';
import { repairNullableRefs } from './http/openapi-doc.ts';
import { rejectUnstorableText } from './http/text-guard.ts';
import { AppError } from './lib/errors.ts';
import type { Logger } from './lib/logger.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import type { AuditLog } from './modules/audit/audit.service.ts';
import type { Banner } from './modules/banner/banner.module.ts';
import { bannerRoutes, isPublicBannerPath } from './modules/banner/banner.routes.ts';
import type { BreachesModule } from './modules/breaches/breaches.module.ts';
import { breachesRoutes } from './modules/breaches/breaches.routes.ts';
import { consentRoutes, jwksRoutes } from './modules/consent/consent.routes.ts';
import type { ConsentService } from './modules/consent/consent.service.ts';
import { consoleRoutes } from './modules/console/console.routes.ts';
import type { ExportDelivery } from './modules/datamap/datamap.exports.ts';
import type { RetentionPurge } from './modules/datamap/datamap.retention-job.ts';
import { dataMapRoutes, exportDownloadPath } from './modules/datamap/datamap.routes.ts';
import type { DataMapRunner } from './modules/datamap/datamap.runner.ts';
import type { DataMapStore } from './modules/datamap/datamap.store.ts';
import { transferRoutes } from './modules/datamap/datamap.transfer.routes.ts';
import type { DataMapTransfer } from './modules/datamap/datamap.transfer.ts';
import { decisionsRoutes } from './modules/decisions/decisions.routes.ts';
import type { DecisionsService } from './modules/decisions/decisions.service.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { keysRoutes } from './modules/keys/keys.routes.ts';
import type { KeysService } from './modules/keys/keys.service.ts';
import { bulkBodyPaths, lawfulBasisRoutes } from './modules/lawful-basis/lawful-basis.routes.ts';
import type { LawfulBasisService } from './modules/lawful-basis/lawful-basis.service.ts';
import { noticesRoutes } from './modules/notices/notices.routes.ts';
import type { NoticesService } from './modules/notices/notices.service.ts';
import { objectionsRoutes } from './modules/objections/objections.routes.ts';
import type { ObjectionsService } from './modules/objections/objections.service.ts';
import { opendsrRoutes } from './modules/opendsr/opendsr.routes.ts';
import { type CommandRunner, operatorRoutes } from './modules/operator/operator.routes.ts';
import { overviewRoutes } from './modules/overview/overview.routes.ts';
import type { OverviewService } from './modules/overview/overview.service.ts';
import { preferencesRoutes } from './modules/preferences/preferences.routes.tsx';
import type { PreferencesService } from './modules/preferences/preferences.service.ts';
import { purposesRoutes } from './modules/purposes/purposes.routes.ts';
import type { PurposesService } from './modules/purposes/purposes.service.ts';
import type { RequestsModule } from './modules/requests/requests.module.ts';
import { requestsPortal } from './modules/requests/requests.portal.tsx';
import { requestsRoutes, taskCallbackPath } from './modules/requests/requests.routes.ts';
import { ropaRoutes } from './modules/ropa/ropa.routes.ts';
import type { RopaService } from './modules/ropa/ropa.service.ts';
import { subjectsRoutes } from './modules/subjects/subjects.routes.ts';
import type { SubjectsService } from './modules/subjects/subjects.service.ts';
import { subprocessorsRoutes } from './modules/subprocessors/subprocessors.routes.ts';
import type { SubprocessorsService } from './modules/subprocessors/subprocessors.service.ts';
import type { TenantLifecycle } from './modules/tenants/tenants.lifecycle.ts';
import { TENANT_IMPORT_PATH, tenantOperatorRoutes } from './modules/tenants/tenants.operator.routes.ts';
import { tenantsRoutes } from './modules/tenants/tenants.routes.ts';
import type { TenantsService } from './modules/tenants/tenants.service.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import type { UsersService } from './modules/users/users.service.ts';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.ts';
import type { WebhooksService } from './modules/webhooks/webhooks.service.ts';
import { VERSION } from './version.ts';

export type AppDeps = {
  logger: Logger;
  db: Database;
  bodyLimit: number;
  rateLimits: RateLimits;
  bannerRateLimits?: RateLimits;
  /** Redis for the limits pages build themselves (the request portal), so replicas share their counts. */
  rateLimitStore?: Redis;
  publicUrl?: string;
  banner: Banner;
  audit: AuditLog;
  keys: KeysService;
  tenants: TenantsService;
  purposes: PurposesService;
  subjects: SubjectsService;
  bases: LawfulBasisService;
  objections: ObjectionsService;
  decisions: DecisionsService;
  ropa: RopaService;
  webhooks: WebhooksService;
  notices: NoticesService;
  consent: ConsentService;
  users: UsersService;
  overview: OverviewService;
  /** Sign-in attempts per address (tighter than rateLimits). */
  signInLimits: RateLimits;
  /** Where the built admin console lives (apps/admin/dist); served at /admin/ when present. */
  adminDist?: string;
  preferences: PreferencesService;
  requestsModule?: RequestsModule;
  dataMap?: {
    store: DataMapStore;
    runner: DataMapRunner;
    exports: ExportDelivery;
    retention: RetentionPurge;
    transfer?: DataMapTransfer;
  };
  breachesModule?: BreachesModule;
  subprocessors?: SubprocessorsService;
  tenantLifecycle?: TenantLifecycle;
  ready: () => Promise<Record<string, string>>;
  operator?: { token: string; run: CommandRunner };
};

export { VERSION };

const scalarBundle = createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js');

export const createApp = (deps: AppDeps) => {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
      // Valid is not yet storable: a NUL or a lone surrogate passes zod and fails in PostgreSQL (found by fuzzing).
      rejectUnstorableText(result.data);
    },
  });

  app.use('*', requestId(), requestLog(deps.logger));
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"] },
      crossOriginResourcePolicy: 'same-origin',
      referrerPolicy: 'no-referrer',
      // A route may set its own (the banner script must be Cross-Origin-Resource-Policy: cross-origin).
      overwrite: false,
    }),
  );
  const limit = bodyLimit({
    maxSize: deps.bodyLimit,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', `the request body is larger than ${deps.bodyLimit} bytes`);
    },
  });
  // Bulk routes set their own cap (a 10,000-row batch; a streamed audience capped by lines).
  app.use('*', (c, next) =>
    bulkBodyPaths.has(c.req.path) || c.req.path === TENANT_IMPORT_PATH ? next() : limit(c, next),
  );
  app.onError(onError(deps.logger));
  app.notFound((c) => errorResponse(c, new AppError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`)));

  app.route('/', healthRoutes({ ready: deps.ready }));
  if (deps.operator) app.route('/', operatorRoutes(deps.operator));
  if (deps.operator && deps.tenantLifecycle)
    app.route('/', tenantOperatorRoutes({ token: deps.operator.token, lifecycle: deps.tenantLifecycle }));

  // Everything else under /v1 needs an API key; limits apply per address before and per key after authentication.
  const auth = authenticate(deps.keys, deps.users);
  const perIp = rateLimit(deps.rateLimits, 'ip');
  const perKey = rateLimit(deps.rateLimits, 'key');
  app.use('/v1/*', async (c, next) => {
    // A recipient reports its task with the task token from the webhook, not an API key.
    if (taskCallbackPath.test(c.req.path) && /^Bearer\s+lf_tt_/i.test(c.req.header('authorization') ?? '')) {
      await perIp(c, next);
      return;
    }
    // The session routes read their own cookie (signing in needs none) and carry their own limits.
    if (c.req.path.startsWith('/v1/operator/') || c.req.path === '/v1/session') {
      await next();
      return;
    }
    if (isPublicBannerPath(c.req.path)) {
      await perIp(c, next);
      return;
    }
    // An access package's download link carries its own secret token instead of an API key.
    if (exportDownloadPath.test(c.req.path)) {
      await perIp(c, next);
      return;
    }
    await perIp(c, async () => {
      await auth(c, async () => {
        await perKey(c, next);
      });
    });
  });

  app.route('/', tenantsRoutes(deps.tenants, deps.tenantLifecycle));
  app.route('/', keysRoutes(deps.keys));
  app.route('/', usersRoutes({ users: deps.users, signInLimits: deps.signInLimits, sessionHours: 12 }));
  app.route('/', overviewRoutes(deps.overview));
  app.route('/', consoleRoutes(deps.adminDist));
  app.route('/', auditRoutes({ db: deps.db, audit: deps.audit }));
  app.route('/', purposesRoutes(deps.purposes));
  app.route('/', subjectsRoutes(deps.subjects));
  app.route('/', lawfulBasisRoutes(deps.bases));
  app.route('/', objectionsRoutes(deps.objections));
  app.route('/', decisionsRoutes(deps.decisions));
  app.route('/', ropaRoutes(deps.ropa));
  if (deps.requestsModule) {
    const m = deps.requestsModule;
    app.route(
      '/',
      requestsRoutes({ requests: m.requests, tasks: m.tasks, notifier: m.notifier, portalLink: m.portalLink }),
    );
    app.route(
      '/',
      requestsPortal({
        ...m.deps,
        limits: m.deps.portalLimits,
        redis: deps.rateLimitStore,
        requests: m.requests,
        notifier: m.notifier,
      }),
    );
    app.route(
      '/',
      opendsrRoutes({
        opendsr: m.opendsr,
        keys: deps.keys,
        rateLimits: deps.rateLimits,
        certificatePem: () => m.deps.opendsr.signing().certificatePem,
        publicUrl: m.deps.publicUrl,
        logger: deps.logger,
      }),
    );
  }
  app.route('/', webhooksRoutes(deps.webhooks));
  if (deps.dataMap?.transfer) app.route('/', transferRoutes({ transfer: deps.dataMap.transfer }));
  if (deps.dataMap) app.route('/', dataMapRoutes(deps.dataMap));
  if (deps.breachesModule) app.route('/', breachesRoutes(deps.breachesModule));
  if (deps.subprocessors) app.route('/', subprocessorsRoutes(deps.subprocessors));
  app.route('/', noticesRoutes(deps.notices));
  app.route(
    '/',
    consentRoutes({
      db: deps.db,
      consent: deps.consent,
      subjectExists: async (t, id) => {
        await deps.db.tenant(t, (tx) =>
          deps.subjects.resolveRef(tx, t, { subjectId: id }, { create: false, field: 'subjectId' }),
        );
      },
    }),
  );
  app.route(
    '/',
    bannerRoutes({
      ...deps.banner,
      limits: deps.bannerRateLimits ?? deps.rateLimits,
      publicUrl: deps.publicUrl,
    }),
  );
  app.route(
    '/',
    jwksRoutes(deps.consent, (id) =>
      deps.tenants.resolve(id).then(
        () => true,
        () => false,
      ),
    ),
  );

  app.route(
    '/',
    preferencesRoutes({
      db: deps.db,
      preferences: deps.preferences,
      consent: deps.consent,
      subjectExists: deps.preferences.subjectExists,
      rateLimits: deps.rateLimits,
    }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'A Lawful API key: `Authorization: Bearer lf_sk_…`',
  });
  // zod-to-openapi writes nullable refs as allOf (ref AND null), which no validator accepts null for: repaired.
  app.use('/openapi.json', async (c, next) => {
    await next();
    if (c.res.ok) c.res = c.json(repairNullableRefs(await c.res.json()));
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Lawful API',
      version: VERSION,
      description:
        'Lawful basis, consent with proof, cookie banner, data-subject requests. Errors: `{ error: { code, message, field? } }`.',
    },
  });
  // The reference page loads its script from us, not from a CDN: a privacy tool should not leak visits to third parties.
  app.get('/docs/scalar.js', (c) => {
    c.header('Content-Type', 'application/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(Readable.toWeb(createReadStream(scalarBundle)) as ReadableStream);
  });
  app.use('/docs', async (c, next) => {
    await next();
    // Scalar's page runs inline scripts; relax the CSP on this page only.
    c.res.headers.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'",
    );
  });
  app.get('/docs', Scalar({ url: '/openapi.json', cdn: '/docs/scalar.js', pageTitle: 'Lawful API' }));
  return app;
};
export type App = ReturnType<typeof createApp>;
