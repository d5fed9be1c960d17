import type { DataSubjectRequest } from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Mailer, OutboxSink } from '../email/email.mailer.ts';
import { type EmailTemplate, renderEmail } from '../email/email.templates.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { deadlineOf, type Mover, type NotifyJob, type Sealing, type TenantInfo } from './requests.core.ts';
import { deadlineMilestones } from './requests.deadlines.ts';
import { jurisdictionProfile } from './requests.jurisdictions.ts';
import type { RequestsRepo } from './requests.repo.ts';
import type { Confirmation } from './requests.service.ts';

const headers = (tenantId: string, requestId: string) => ({
  'Auto-Submitted': 'auto-generated',
  'X-Lawful-Tenant': tenantId,
  'X-Lawful-Request': requestId,
});

/**
 * E-mails to the subject (check 38: electronic requests get electronic answers, by SMTP with TLS or the outbox).
 * Each notice is a job: sent at least once, recorded in the timeline, and skipped when the timeline shows it went.
 */
export const createRequestNotifier = (deps: {
  db: Database;
  repo: RequestsRepo;
  mover: Mover;
  sealing: Sealing;
  vault: Pick<Vault, 'openForTenant'>;
  mailer: Mailer;
  clock: Clock;
  tenantInfo: (q: Queryable, tenantId: string) => Promise<TenantInfo>;
}) => {
  const { db, repo, mover, clock } = deps;

  /** The confirmation link and code, sent at once: they exist in plaintext only here. */
  const sendConfirmation = async (
    tenantId: string,
    r: DataSubjectRequest,
    email: string,
    c: Confirmation,
    link: string,
  ) => {
    const tenant = await db.tenant(tenantId, (tx) => deps.tenantInfo(tx, tenantId));
    const rendered = renderEmail(
      { locale: r.locale, timeZone: tenant.settings.timezone, organisation: tenant.name },
      { kind: 'verification', link, code: c.code, expiresAt: c.expiresAt },
    );
    await deps.mailer.send({ to: email, ...rendered, headers: headers(tenantId, r.id) });
  };

  const handle = async (job: NotifyJob): Promise<void> => {
    const { tenantId, requestId, template } = job;
    const kind = `email.${template}`;
    const plan = await db.tenant(tenantId, async (tx) => {
      const r = await repo.get(tx, tenantId, requestId);
      if (!r || (await repo.hasEvent(tx, tenantId, requestId, kind))) return null;
      const sealed = await deps.sealing.open(tx, r);
      const email = sealed?.identities.find((i) => i.type === 'email')?.value;
      const tenant = await deps.tenantInfo(tx, tenantId);
      const tasks = await repo.tasks(tx, tenantId, requestId);
      const download = job.downloadSealed
        ? (JSON.parse(
            await deps.vault.openForTenant(
              tx,
              tenantId,
              `download:${requestId}`,
              Buffer.from(job.downloadSealed, 'base64'),
            ),
          ) as { url: string; expiresAt: string })
        : undefined;
      return { r, email, tenant, tasks, download };
    });
    if (!plan) return;
    const { r, email, tenant } = plan;
    if (!email) {
      // No e-mail address: staff must answer by the channel the request came in on.
      await db.tenant(tenantId, async (tx) => {
        const locked = await mover.load(tx, tenantId, requestId);
        if (!(await repo.hasEvent(tx, tenantId, requestId, kind)))
          await mover.event(tx, locked, kind, 'lawful', { sent: false, reason: 'no e-mail identity' }, null);
      });
      return;
    }
    const reference = r.id;
    const t: EmailTemplate =
      template === 'request_received'
        ? { kind: 'request_received', reference, types: r.types, dueAt: r.dueAt }
        : template === 'extension_notice'
          ? {
              kind: 'extension_notice',
              reference,
              originalDueAt: r.originalDueAt,
              newDueAt: r.dueAt,
              reason: r.extension?.reason ?? '',
              sentAt: clock.now(),
            }
          : template === 'refusal'
            ? {
                kind: 'refusal',
                reference,
                types: r.types,
                grounds: r.refusal?.grounds ?? [],
                explanation: r.refusal?.explanation ?? '',
                authority: jurisdictionProfile(r.jurisdiction).complaintAuthority,
              }
            : {
                kind: 'completion',
                reference,
                types: r.types,
                download: plan.download
                  ? { url: plan.download.url, expiresAt: new Date(plan.download.expiresAt) }
                  : undefined,
                recipientsNotified: plan.tasks
                  .filter((x) => x.kind === 'recipient' && x.state === 'done')
                  .map((x) => x.name),
              };
    const rendered = renderEmail({ locale: r.locale, timeZone: r.timeZone, organisation: tenant.name }, t);
    const sent = await deps.mailer.send({ to: email, ...rendered, headers: headers(tenantId, requestId) });
    await db.tenant(tenantId, async (tx) => {
      const locked = await mover.load(tx, tenantId, requestId);
      if (!(await repo.hasEvent(tx, tenantId, requestId, kind)))
        await mover.event(tx, locked, kind, 'lawful', { sent: true, via: sent.via }, { template, via: sent.via });
    });
  };

  return { sendConfirmation, handle };
};
export type RequestNotifier = ReturnType<typeof createRequestNotifier>;

/**
 * Reminders and escalation: `request.due_soon` once the reminder time (7 days before, 09:00 local) has come, and
 * `request.overdue` once the due date has passed; each once per deadline, with an audit entry.
 */
export const createRequestNudger = (deps: {
  db: Database;
  repo: RequestsRepo;
  mover: Mover;
  webhooks: Pick<WebhooksService, 'emit'>;
  clock: Clock;
  logger: Logger;
}) => {
  const { db, repo, mover, clock } = deps;
  return async (): Promise<{ reminded: number; escalated: number }> => {
    const now = clock.now();
    let reminded = 0;
    let escalated = 0;
    const candidates = await repo.dueForNudge(db.system, new Date(now.getTime() + 8 * 86_400_000));
    for (const c of candidates) {
      await db.tenant(c.tenantId, async (tx) => {
        const r = await mover.load(tx, c.tenantId, c.id);
        if (r.closedAt || r.clockPausedAt) return;
        const m = deadlineMilestones(deadlineOf(r));
        if (!m) return;
        const data = { requestId: r.id, state: r.state, dueAt: r.dueAt.toISOString(), at: now.toISOString() };
        if (now.getTime() > r.dueAt.getTime()) {
          if (r.escalatedAt) return;
          await repo.update(tx, r.tenantId, r.id, { escalatedAt: now, remindedAt: r.remindedAt ?? now });
          await deps.webhooks.emit(tx, r.tenantId, { type: 'request.overdue', data });
          await mover.event(tx, r, 'overdue', 'lawful', { dueAt: data.dueAt }, { dueAt: data.dueAt });
          escalated++;
        } else if (now.getTime() >= m.remindAt.getTime() && !r.remindedAt) {
          await repo.update(tx, r.tenantId, r.id, { remindedAt: now });
          await deps.webhooks.emit(tx, r.tenantId, { type: 'request.due_soon', data });
          await mover.event(tx, r, 'due_soon', 'lawful', { dueAt: data.dueAt }, { dueAt: data.dueAt });
          reminded++;
        }
      });
    }
    if (reminded + escalated > 0) deps.logger.info({ reminded, escalated }, 'request deadlines nudged');
    return { reminded, escalated };
  };
};

/**
 * An `OutboxSink` backed by `request_messages`, for installs without SMTP: each message sealed under the tenant key
 * named in its `X-Lawful-Tenant` header. Messages without that header are refused rather than stored unsealed.
 */
export const createRequestOutbox = (deps: {
  db: Database;
  repo: RequestsRepo;
  vault: Pick<Vault, 'sealForTenant'>;
  clock: Clock;
}): OutboxSink => ({
  async put(message) {
    const tenantId = message.headers?.['X-Lawful-Tenant'];
    if (!tenantId) throw new Error('outbox messages must name their tenant (X-Lawful-Tenant)');
    const now = deps.clock.now();
    const id = newId('message', now.getTime());
    await deps.db.tenant(tenantId, async (tx) =>
      deps.repo.insertMessage(tx, {
        tenantId,
        id,
        requestId: message.headers?.['X-Lawful-Request'] ?? null,
        sealed: await deps.vault.sealForTenant(tx, tenantId, `message:${id}`, JSON.stringify(message)),
        createdAt: now,
      }),
    );
  },
});
