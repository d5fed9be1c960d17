import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { TenantSettings } from '@lawful/contract';
import { Redis } from 'ioredis';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { type Database, inTx, openPglite, openPostgres, type Queryable, type Tx } from './db/client.ts';
import { createRateLimits } from './http/middleware.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { newMasterKey, parseMasterKeys, randomToken } from './lib/crypto.ts';
import {
  clearServerInfo,
  folderSecrets,
  lockDataDir,
  pgliteDir,
  type Secrets,
  writeServerInfo,
} from './lib/data-dir.ts';
import { createJobs, type Jobs } from './lib/jobs.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { createAuditRepo } from './modules/audit/audit.repo.ts';
import { createAuditSealer } from './modules/audit/audit.sealer.ts';
import { createAuditLog } from './modules/audit/audit.service.ts';
import { createSigner, newSigningKeyPem } from './modules/audit/audit.signer.ts';
import { createBanner } from './modules/banner/banner.module.ts';
import { createBreachesModule, registerBreachWorkers } from './modules/breaches/breaches.module.ts';
import { createConsentRepo } from './modules/consent/consent.repo.ts';
import { CONSENT_PURGE_JOB, createConsentRetention } from './modules/consent/consent.retention.ts';
import { createConsentService } from './modules/consent/consent.service.ts';
import { createExportDelivery, EXPORT_PURGE_JOB } from './modules/datamap/datamap.exports.ts';
import { createDataMapRepo } from './modules/datamap/datamap.repo.ts';
import { createRetentionPurge, DATAMAP_RETENTION_JOB } from './modules/datamap/datamap.retention-job.ts';
import { createDataMapRunner } from './modules/datamap/datamap.runner.ts';
import { createDataMapStore } from './modules/datamap/datamap.store.ts';
import { createDataMapTransfer } from './modules/datamap/datamap.transfer.ts';
import { createDecisionsRepo } from './modules/decisions/decisions.repo.ts';
import { createDecisionsService } from './modules/decisions/decisions.service.ts';
import { createMailer } from './modules/email/email.mailer.ts';
import { createErasureService, erasureLogFile } from './modules/erasure/erasure.service.ts';
import { createKeysRepo } from './modules/keys/keys.repo.ts';
import { createKeysService } from './modules/keys/keys.service.ts';
import type { ConsentLookup } from './modules/lawful-basis/consent-lookup.ts';
import { createLawfulBasisRepo } from './modules/lawful-basis/lawful-basis.repo.ts';
import { createLawfulBasisService } from './modules/lawful-basis/lawful-basis.service.ts';
import { createNoticesRepo } from './modules/notices/notices.repo.ts';
import { createNoticesService } from './modules/notices/notices.service.ts';
import { createObjectionsRepo } from './modules/objections/objections.repo.ts';
import { createObjectionsService } from './modules/objections/objections.service.ts';
import { loadOpenDsrSigning } from './modules/opendsr/opendsr.service.ts';
import type { CommandRunner } from './modules/operator/operator.routes.ts';
import { createOverviewRepo } from './modules/overview/overview.repo.ts';
import { createOverviewService } from './modules/overview/overview.service.ts';
import { createLinks } from './modules/preferences/preferences.links.ts';
import { CONFIRMATION_JOB, createPreferencesMail } from './modules/preferences/preferences.mail.ts';
import { createPreferencesRepo } from './modules/preferences/preferences.repo.ts';
import { createPreferencesService } from './modules/preferences/preferences.service.ts';
import { createPurposesRepo } from './modules/purposes/purposes.repo.ts';
import { createPurposesService } from './modules/purposes/purposes.service.ts';
import { createSealing, REQUEST_JOBS } from './modules/requests/requests.core.ts';
import { createRequestsModule, registerRequestWorkers } from './modules/requests/requests.module.ts';
import { createRequestOutbox } from './modules/requests/requests.notify.ts';
import { createRequestsRepo } from './modules/requests/requests.repo.ts';
import { createRopaRepo } from './modules/ropa/ropa.repo.ts';
import { createRopaService } from './modules/ropa/ropa.service.ts';
import { createSubjectsRepo } from './modules/subjects/subjects.repo.ts';
import { createSubjectsService } from './modules/subjects/subjects.service.ts';
import { createSubprocessorsRepo } from './modules/subprocessors/subprocessors.repo.ts';
import { createSubprocessorsService } from './modules/subprocessors/subprocessors.service.ts';
import { createTenantLifecycle } from './modules/tenants/tenants.lifecycle.ts';
import { createTenantsRepo } from './modules/tenants/tenants.repo.ts';
import { createTenantsService } from './modules/tenants/tenants.service.ts';
import { createUsersRepo } from './modules/users/users.repo.ts';
import { createUsersService } from './modules/users/users.service.ts';
import { createVaultRepo } from './modules/vault/vault.repo.ts';
import { createVault } from './modules/vault/vault.service.ts';
import { WEBHOOK_DELIVERY_JOB } from './modules/webhooks/webhooks.delivery.ts';
import { createWebhooksRepo } from './modules/webhooks/webhooks.repo.ts';
import { createWebhooksService } from './modules/webhooks/webhooks.service.ts';

/** The only place that wires things: config → database → services → HTTP. */

export const resolveSecrets = (config: Config): Secrets => {
  const folder = folderSecrets(config.dataDir, {
    masterKey: newMasterKey,
    signingKeyPem: newSigningKeyPem,
    operatorToken: () => randomToken(32),
  });
  return {
    masterKey: config.masterKey ?? folder.masterKey,
    signingKeyPem: config.signingKey ?? folder.signingKeyPem,
    operatorToken: folder.operatorToken,
    generated: folder.generated.filter(
      (g) => !(g === 'master key' && config.masterKey) && !(g === 'signing key' && config.signingKey),
    ),
  };
};

export const openDatabase = async (config: Config): Promise<Database> =>
  config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite(pgliteDir(config.dataDir));

export const buildServices = (deps: {
  db: Database;
  secrets: Secrets;
  clock: Clock;
  jobs: Jobs;
  logger: Logger;
  config: Config;
}) => {
  const { db, secrets, clock } = deps;
  const vault = createVault({ master: parseMasterKeys(secrets.masterKey), repo: createVaultRepo(), clock });
  const auditSealer = createAuditSealer({ db, logger: deps.logger, seal: (tx, t) => audit.seal(tx, t) });
  const audit = createAuditLog({
    repo: createAuditRepo(),
    clock,
    signer: createSigner(secrets.signingKeyPem),
    onAppend: auditSealer.mark,
  });
  const keys = createKeysService({ db, repo: createKeysRepo(), audit, clock });
  const tenants = createTenantsService({ db, repo: createTenantsRepo(), vault, keys, audit, clock });
  const purposes = createPurposesService({ db, repo: createPurposesRepo(), audit, clock });
  const subjects = createSubjectsService({ db, repo: createSubjectsRepo(), vault, audit, clock });
  const tenantsRepo = createTenantsRepo();
  const noticesRepo = createNoticesRepo();
  const notices = createNoticesService({ db, repo: noticesRepo, purposes, audit, clock });
  const consent = createConsentService({
    db,
    repo: createConsentRepo(),
    notices,
    noticesRepo,
    purposes,
    subjects,
    vault,
    audit,
    clock,
    tenantSettings: (q, tenantId) =>
      inTx(q, `tenant-settings:${tenantId}`, async () => (await tenantsRepo.get(q, tenantId))!.settings),
    // Double opt-in: the confirmation e-mail is enqueued with the pending grant, so both commit or neither does.
    pendingConfirmation: async (tx, tenantId, p) => {
      await deps.jobs.send(CONFIRMATION_JOB, { ...p, tenantId }, { tx: tx as Tx });
    },
    // Recipients learn of grants and withdrawals through webhooks, in the same transaction (Art. 7(3), 19).
    changed: async (tx, tenantId, ch) => {
      if (ch.decision === 'refuse' || ch.pending) return;
      // An effective grant is the lawful basis of its purpose unless another basis is already in force (check 1).
      if (ch.decision === 'grant') {
        const current = await basisRepo.current(tx, tenantId, ch.subjectId, ch.purposeKey);
        if (!current || current.basis === 'consent') {
          await bases.setIn(
            tx,
            tenantId,
            {
              subject: { subjectId: ch.subjectId },
              purpose: ch.purposeKey,
              basis: 'consent',
              evidence: { consentRecordId: ch.recordId },
              source: `consent:${ch.method}`,
            },
            'consent',
          );
        }
      }
      const purpose = await purposes.current(tx, tenantId, ch.purposeKey);
      await webhooks.emit(tx as Tx, tenantId, {
        type: ch.decision === 'grant' ? 'consent.granted' : 'consent.withdrawn',
        data: {
          subjectId: ch.subjectId,
          purposeId: purpose.id,
          purposeKey: ch.purposeKey,
          consentId: ch.recordId,
          at: clock.now().toISOString(),
        },
      });
    },
  });
  const consentLookup: ConsentLookup = { isLive: consent.isLive, liveAmong: consent.liveAmong };
  const basisRepo = createLawfulBasisRepo();
  const bases = createLawfulBasisService({
    db,
    repo: basisRepo,
    purposes,
    subjects,
    consent: consentLookup,
    audit,
    clock,
  });
  const objections = createObjectionsService({
    db,
    repo: createObjectionsRepo(),
    bases: basisRepo,
    purposes,
    subjects,
    audit,
    clock,
  });
  const decisions = createDecisionsService({
    db,
    repo: createDecisionsRepo(),
    subjects,
    vault,
    consent: consentLookup,
    clock,
  });
  const users = createUsersService({ db, repo: createUsersRepo(), vault, audit, tenants, clock });
  const overview = createOverviewService({ db, repo: createOverviewRepo(), clock });
  const ropa = createRopaService({
    db,
    repo: createRopaRepo(),
    purposes,
    tenants,
    audit,
    clock,
    // Check 53: the install's sub-processors appear in every tenant's record (declared below; read lazily).
    subprocessors: () => subprocessors.lists(),
  });
  // The people-facing pages: preference centre, one-click unsubscribe, double opt-in; outbox without SMTP.
  const preferencesRepo = createPreferencesRepo();
  const tenantOf = async (q: Queryable, tenantId: string) => {
    const t = (await tenantsRepo.get(q, tenantId))!;
    return { name: t.name, settings: TenantSettings.parse(t.settings) };
  };
  const links = createLinks({
    repo: preferencesRepo,
    vault,
    clock,
    publicUrl: deps.config.publicUrl ?? `http://127.0.0.1:${deps.config.port}`,
  });
  const preferences = createPreferencesService({
    db,
    repo: preferencesRepo,
    links,
    consent,
    objections,
    purposes,
    tenant: tenantOf,
    audit,
    clock,
  });
  const preferencesMail = createPreferencesMail({
    db,
    repo: preferencesRepo,
    links,
    subjects,
    vault,
    tenant: tenantOf,
    pendingNames: preferences.pendingNames,
    clock,
    logger: deps.logger,
    options: { from: deps.config.mailFrom, smtpUrl: deps.config.smtpUrl },
  });
  const consentRetention = createConsentRetention({
    db,
    tenants: async () =>
      (await tenantsRepo.list(db.system)).map((t) => ({ id: t.id, settings: TenantSettings.parse(t.settings) })),
    audit,
    clock,
  });
  const webhooks = createWebhooksService({
    db,
    repo: createWebhooksRepo(),
    vault,
    audit,
    jobs: deps.jobs,
    clock,
    logger: deps.logger,
    options: deps.config.webhooks,
  });
  // Requests: mail by SMTP when configured, else the request_messages outbox (sealed under the tenant key).
  const publicUrl = deps.config.publicUrl ?? `http://127.0.0.1:${deps.config.port}`;
  const domain = new URL(publicUrl).hostname;
  // The data map: versioned map, sealed connections, access packages, erasure; it runs the requests' system tasks.
  const dataMapRepo = createDataMapRepo();
  const dataMapStore = createDataMapStore({ db, repo: dataMapRepo, vault, audit, clock });
  const exportDelivery = createExportDelivery({
    db,
    repo: dataMapRepo,
    vault,
    audit,
    clock,
    logger: deps.logger,
    dir: deps.config.exports.dir,
    days: deps.config.exports.days,
    publicUrl,
  });
  const erasure = createErasureService({
    db,
    vault,
    audit,
    clock,
    objections: createObjectionsRepo(),
    webhooks,
    exports: exportDelivery,
    logFile: erasureLogFile(join(deps.config.dataDir, 'erasure-log.jsonl')),
  });
  const dataMap = createDataMapRunner({
    db,
    store: dataMapStore,
    repo: dataMapRepo,
    requestsRepo: createRequestsRepo(),
    sealing: createSealing(vault),
    exports: exportDelivery,
    erasure,
    vault,
    audit,
    webhooks,
    clock,
    logger: deps.logger,
  });
  // Art. 20(2): a portability request may name a receiving controller; the webhooks' URL rules, signer and settings.
  const transfer = createDataMapTransfer({
    db,
    requestsRepo: createRequestsRepo(),
    sealing: createSealing(vault),
    exports: exportDelivery,
    vault,
    audit,
    webhooks,
    jobs: deps.jobs,
    clock,
    logger: deps.logger,
    allowInsecureHosts: deps.config.webhooks.allowInsecureHosts,
    retryDelaysSeconds: deps.config.webhooks.retryDelaysSeconds,
  });
  let opendsrSigning: ReturnType<typeof loadOpenDsrSigning> | null = null;
  const requestsModule = createRequestsModule({
    db,
    vault,
    audit,
    subjects,
    webhooks,
    jobs: deps.jobs,
    clock,
    logger: deps.logger,
    mailer: deps.config.smtpUrl
      ? createMailer({ from: deps.config.mailFrom, smtpUrl: deps.config.smtpUrl })
      : createMailer({
          from: deps.config.mailFrom,
          outbox: createRequestOutbox({ db, repo: createRequestsRepo(), vault, clock }),
        }),
    // One system task per mapped system plus Lawful's own records; no data map, no system tasks.
    runner: dataMap.runner,
    checkTransferUrl: transfer.checkUrl,
    tenantInfo: async (q, tenantId) => (await tenantsRepo.get(q, tenantId))!,
    tenantBySlug: async (slug) => (await tenantsRepo.bySlug(db.system, slug)) ?? null,
    publicUrl,
    opendsr: {
      signing: () => {
        opendsrSigning ??= loadOpenDsrSigning({
          keyFile: deps.config.opendsr.keyFile,
          certFile: deps.config.opendsr.certFile,
          dataDir: deps.config.dataDir,
          domain,
          clock,
          logger: deps.logger,
        });
        return opendsrSigning;
      },
      domain,
      allowLoopbackCallbacks: deps.config.opendsr.allowLoopbackCallbacks,
    },
  });
  const banner = createBanner({ db, keys, vault, purposes, notices: noticesRepo, consent, audit, clock });
  const ropaRepo = createRopaRepo();
  const activeTenants = async () => (await tenantsRepo.list(db.system)).filter((t) => t.status === 'active');
  // Check 52: the breach register; Art. 34 notices and processor-side reports go by SMTP, else the e-mail outbox.
  const breachesModule = createBreachesModule({
    db,
    audit,
    webhooks,
    clock,
    subjects,
    vault,
    logger: deps.logger,
    tenantInfo: async (q, tenantId) => {
      const t = (await tenantsRepo.get(q, tenantId))!;
      return { name: t.name, slug: t.slug, settings: TenantSettings.parse(t.settings) };
    },
    controllerOf: async (q, tenantId) => (await ropaRepo.get(q, tenantId))?.record ?? null,
    mail: { from: deps.config.mailFrom, smtpUrl: deps.config.smtpUrl },
    tenantIds: async () => (await activeTenants()).map((t) => t.id),
  });
  const subprocessors = createSubprocessorsService({
    db,
    repo: createSubprocessorsRepo(),
    audit,
    webhooks,
    clock,
    tenants: activeTenants,
    tenantBySlug: async (slug) => {
      const t = await tenantsRepo.bySlug(db.system, slug);
      return t && t.status === 'active' ? t : null;
    },
  });
  return {
    vault,
    audit,
    auditSealer,
    keys,
    banner,
    tenants,
    webhooks,
    purposes,
    subjects,
    bases,
    objections,
    decisions,
    ropa,
    notices,
    consent,
    users,
    overview,
    preferences,
    preferencesMail,
    consentRetention,
    requestsModule,
    dataMap: {
      store: dataMapStore,
      runner: dataMap,
      exports: exportDelivery,
      erasure,
      retention: createRetentionPurge({ db, store: dataMapStore, audit, logger: deps.logger }),
      transfer,
    },
    breachesModule,
    subprocessors,
    tenantLifecycle: createTenantLifecycle({
      db,
      vault,
      audit,
      signer: createSigner(secrets.signingKeyPem),
      clock,
      exportDir: deps.config.exports.dir,
      erasureLog: erasureLogFile(join(deps.config.dataDir, 'erasure-log.jsonl')),
    }),
  };
};
export type Services = ReturnType<typeof buildServices>;

export type Runtime = {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Database;
  secrets: Secrets;
  services: Services;
  jobs: Jobs;
  close(): Promise<void>;
};

/**
 * Opens the database (taking the data folder's lock in embedded mode), applies migrations and builds services.
 * Throws DataDirLocked when another process holds the embedded database.
 */
export const openRuntime = async (
  config: Config,
  opts: { logger?: Logger; clock?: Clock; db?: Database; worker?: boolean } = {},
): Promise<Runtime> => {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  const release = !opts.db && !config.databaseUrl ? await lockDataDir(config.dataDir) : null;
  try {
    const secrets = resolveSecrets(config);
    for (const g of secrets.generated.filter((x) => x !== 'operator token')) {
      logger.warn(
        `generated a new ${g} in the data folder ${config.dataDir}; in production set it from a secret store`,
      );
    }
    const db = opts.db ?? (await openDatabase(config));
    await db.migrate();
    const jobs = createJobs({ db, logger, worker: opts.worker ?? false });
    jobs.declare('audit.checkpoint', CONFIRMATION_JOB, CONSENT_PURGE_JOB, EXPORT_PURGE_JOB, DATAMAP_RETENTION_JOB);
    const services = buildServices({ db, secrets, clock, jobs, logger, config });
    services.auditSealer.start();
    await jobs.start();
    return {
      config,
      logger,
      clock,
      db,
      secrets,
      services,
      jobs,
      async close() {
        await jobs.stop();
        await services.auditSealer.stop();
        await db.close();
        await release?.();
      },
    };
  } catch (e) {
    await release?.();
    throw e;
  }
};

export const readiness = (db: Database) => async () => {
  try {
    await db.ping();
    return { database: 'ok' };
  } catch {
    return { database: 'unreachable' };
  }
};

export const buildApp = (rt: Runtime, run?: CommandRunner) => {
  const redis = rt.config.redisUrl
    ? new Redis(rt.config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 })
    : undefined;
  return createApp({
    logger: rt.logger,
    db: rt.db,
    bodyLimit: rt.config.bodyLimit,
    rateLimits: createRateLimits({ perMinute: rt.config.rateLimitPerMinute, redis }),
    signInLimits: createRateLimits({ perMinute: 10, keyPrefix: 'lawful_signin', redis }),
    bannerRateLimits: createRateLimits({
      perMinute: rt.config.bannerRateLimitPerMinute,
      keyPrefix: 'lawful_banner',
      redis,
    }),
    rateLimitStore: redis,
    publicUrl: rt.config.publicUrl,
    ready: readiness(rt.db),
    operator: run ? { token: rt.secrets.operatorToken, run } : undefined,
    ...rt.services,
  });
};

/** The background work every server process takes part in (pg-boss hands each job to one of them). */
export const registerWorkers = async (rt: Runtime) => {
  await rt.jobs.work('audit.checkpoint', async () => {
    for (const t of await rt.services.tenants.list()) {
      await rt.db.tenant(t.id, (tx) => rt.services.audit.checkpoint(tx, t.id));
    }
  });
  await rt.jobs.schedule('audit.checkpoint', '0 * * * *');
  await rt.jobs.work(WEBHOOK_DELIVERY_JOB, rt.services.webhooks.deliver, { concurrency: 4 });
  await rt.jobs.work(CONFIRMATION_JOB, rt.services.preferencesMail.sendConfirmation);
  // Check 10: consent proof past its retention is purged daily (as the owner; audited).
  await rt.jobs.work(CONSENT_PURGE_JOB, async () => {
    await rt.services.consentRetention.purge({ dryRun: false });
  });
  await rt.jobs.schedule(CONSENT_PURGE_JOB, '17 3 * * *');
  await registerRequestWorkers(rt.jobs, rt.services.requestsModule);
  // Access packages past their download window are deleted (file, sealed key, link), hourly.
  await rt.jobs.work(EXPORT_PURGE_JOB, async () => {
    await rt.services.dataMap.exports.purgeExpired();
  });
  await rt.jobs.schedule(EXPORT_PURGE_JOB, '23 * * * *');
  // Direct transfers to another controller (Art. 20(2)), one job per attempt.
  await rt.jobs.work(REQUEST_JOBS.transfer, rt.services.dataMap.transfer.deliver, { concurrency: 2 });
  // Art. 5(1)(e): connected systems lose what is past each collection's retention period, daily.
  await rt.jobs.work(DATAMAP_RETENTION_JOB, async () => {
    await rt.services.dataMap.retention.runAll();
  });
  await rt.jobs.schedule(DATAMAP_RETENTION_JOB, '41 2 * * *');
  await registerBreachWorkers(rt.jobs, rt.services.breachesModule);
};

/** Serves HTTP until closed. Writes the server's address into the data folder for the CLI. */
export const startServer = async (rt: Runtime, run?: CommandRunner) => {
  if (rt.config.worker) await registerWorkers(rt);
  const app = buildApp(rt, run);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: rt.config.port, hostname: rt.config.host }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : rt.config.port;
  const host = rt.config.host.includes(':') ? `[${rt.config.host}]` : rt.config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  if (!rt.config.databaseUrl) writeServerInfo(rt.config.dataDir, { url, pid: process.pid });
  return {
    url,
    app,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!rt.config.databaseUrl) clearServerInfo(rt.config.dataDir);
    },
  };
};
