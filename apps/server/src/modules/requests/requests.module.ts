import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Mailer } from '../email/email.mailer.ts';
import type { SigningMaterial } from '../opendsr/opendsr.crypto.ts';
import { type CallbackJob, createOpenDsrService } from '../opendsr/opendsr.service.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { type NotifyJob, REQUEST_JOBS, type SystemTaskRunner, type TenantInfo } from './requests.core.ts';
import { createRequestNotifier, createRequestNudger } from './requests.notify.ts';
import type { PortalLimits } from './requests.portal.tsx';
import { createRequestsRepo } from './requests.repo.ts';
import { createRequestsService } from './requests.service.ts';
import { createRequestTasks, type FanoutJob, type TaskJob } from './requests.tasks.ts';

/**
 * Builds the request engine (service, tasks, e-mails, reminders, OpenDSR) from its narrow dependencies.
 * main.ts calls it once; tests call it with their own `runner` or `mailer`.
 */
export const createRequestsModule = (deps: {
  db: Database;
  vault: Vault;
  audit: Pick<AuditLog, 'append'>;
  subjects: Pick<SubjectsService, 'resolveOrCreate'>;
  webhooks: Pick<WebhooksService, 'emit' | 'subscribers'>;
  jobs: Pick<Jobs, 'send' | 'declare'>;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  runner: SystemTaskRunner;
  /** Checks a direct-transfer destination (datamap.transfer.ts); without it, requests naming one are refused. */
  checkTransferUrl?: (url: string) => Promise<void>;
  tenantInfo: (q: Queryable, tenantId: string) => Promise<TenantInfo>;
  tenantBySlug: (slug: string) => Promise<{ id: string } | null>;
  publicUrl: string;
  opendsr: { signing: () => SigningMaterial; domain: string; allowLoopbackCallbacks: boolean };
  portalLimits?: PortalLimits;
}) => {
  const repo = createRequestsRepo();
  const requests = createRequestsService({ ...deps, repo });
  const { mover, sealing } = requests;
  const tasks = createRequestTasks({ ...deps, repo, mover, sealing });
  const notifier = createRequestNotifier({ ...deps, repo, mover, sealing });
  const nudge = createRequestNudger({ ...deps, repo, mover });
  const opendsr = createOpenDsrService({
    ...deps,
    repo,
    requests,
    signing: deps.opendsr.signing,
    domain: deps.opendsr.domain,
    allowLoopbackCallbacks: deps.opendsr.allowLoopbackCallbacks,
  });
  const portalLink = async (tenantId: string, token: string) => {
    const t = await deps.db.tenant(tenantId, (tx) => deps.tenantInfo(tx, tenantId));
    return `${deps.publicUrl}/r/${t.slug}/confirm?t=${token}`;
  };
  return { repo, requests, tasks, notifier, nudge, opendsr, portalLink, deps };
};
export type RequestsModule = ReturnType<typeof createRequestsModule>;

/** The request engine's workers, and the cron that reminds and escalates (every 15 minutes). */
export const registerRequestWorkers = async (jobs: Jobs, m: RequestsModule) => {
  await jobs.work<FanoutJob>(REQUEST_JOBS.fanout, m.tasks.fanout, { concurrency: 2 });
  await jobs.work<TaskJob>(REQUEST_JOBS.task, m.tasks.runTask, { concurrency: 4 });
  await jobs.work<NotifyJob>(REQUEST_JOBS.notify, m.notifier.handle, { concurrency: 2 });
  await jobs.work<CallbackJob>(REQUEST_JOBS.opendsrCallback, m.opendsr.deliver);
  await jobs.work(REQUEST_JOBS.nudge, async () => {
    await m.nudge();
  });
  await jobs.schedule(REQUEST_JOBS.nudge, '*/15 * * * *');
};
