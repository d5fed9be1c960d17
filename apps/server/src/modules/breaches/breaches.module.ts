import type { Queryable } from '../../db/client.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { authorityDraft, draftHtml, registerCsv, registerXlsx } from './breaches.export.ts';
import { createBreachMail } from './breaches.mail.ts';
import { createBreachNotifier } from './breaches.notify.ts';
import { createBreachesRepo } from './breaches.repo.ts';
import { type BreachDeps, createBreachesService } from './breaches.service.ts';

export const BREACH_REMINDER_JOB = 'breach.reminders';

/**
 * The breach register with its notifier and exports, wired once in main.ts.
 * @example const m = createBreachesModule({ db, audit, webhooks, subjects, vault, clock, logger, ... });
 */
export const createBreachesModule = (
  deps: Omit<BreachDeps, 'repo'> & {
    subjects: Pick<SubjectsService, 'get'>;
    vault: Pick<Vault, 'sealForTenant'>;
    logger: Logger;
    mail: { from: string; smtpUrl: string | undefined };
    tenantIds: () => Promise<string[]>;
  },
) => {
  const repo = createBreachesRepo();
  const breaches = createBreachesService({ ...deps, repo });
  const mail = createBreachMail({ db: deps.db, vault: deps.vault, clock: deps.clock, ...deps.mail });
  const notifier = createBreachNotifier({
    db: deps.db,
    repo,
    breaches,
    subjects: deps.subjects,
    audit: deps.audit,
    mail,
    clock: deps.clock,
    logger: deps.logger,
    tenantInfo: deps.tenantInfo,
    controllerEmail: async (q: Queryable, tenantId: string) => {
      const c = await deps.controllerOf(q, tenantId);
      return c?.dpo?.email ?? c?.controller.email ?? null;
    },
    tenantIds: deps.tenantIds,
  });

  /** The Art. 33(3) draft for the authority; exporting it is audited (it is what the authority receives). */
  const notificationDraft = (tenantId: string, id: string, format: 'json' | 'html', actor: string) =>
    deps.db.tenant(tenantId, async (tx) => {
      const b = await breaches.view(tx, await breaches.load(tx, tenantId, id));
      const d = authorityDraft(b, await deps.controllerOf(tx, tenantId), deps.clock.now());
      await deps.audit.append(tx, tenantId, { actor, action: 'breach.draft.export', target: id, details: { format } });
      return format === 'html' ? { format, body: draftHtml(d) } : { format, body: d };
    });

  const register = async (tenantId: string, format: 'csv' | 'xlsx', actor: string) => {
    const items = await breaches.list(tenantId);
    await deps.db.tenant(tenantId, (tx) =>
      deps.audit.append(tx, tenantId, {
        actor,
        action: 'breach.register.export',
        target: tenantId,
        details: { format, rows: items.length },
      }),
    );
    return format === 'csv' ? registerCsv(items) : registerXlsx(items, deps.clock.now());
  };

  return { breaches, notifier, mail, notificationDraft, register };
};
export type BreachesModule = ReturnType<typeof createBreachesModule>;

/** The reminder clock: every five minutes, so a 24/48/66-hour reminder is at most five minutes late. */
export const registerBreachWorkers = async (jobs: Jobs, m: BreachesModule) => {
  await jobs.work(BREACH_REMINDER_JOB, async () => {
    await m.breaches.remind();
  });
  await jobs.schedule(BREACH_REMINDER_JOB, '*/5 * * * *');
};
