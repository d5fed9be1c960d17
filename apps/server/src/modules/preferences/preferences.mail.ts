import type { OutboxEntry, RequestLocale, TenantSettings } from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import type { PendingConfirmation } from '../consent/consent.double-opt-in.ts';
import { createMailer, type Mailer, type OutboxMessage } from '../email/email.mailer.ts';
import { renderEmail } from '../email/email.templates.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { Links } from './preferences.links.ts';
import { pageLocales } from './preferences.messages.ts';
import type { PreferencesRepo } from './preferences.repo.ts';

export const CONFIRMATION_JOB = 'consent.confirmation.send';
const CONFIRM_DAYS = 7;

/**
 * Double opt-in e-mails, and the outbox they wait in when no SMTP server is configured (embedded mode). The outbox
 * row holds the whole message sealed under the tenant key: it names a person, so it is never stored in clear.
 */
export const createPreferencesMail = (deps: {
  db: Database;
  repo: Pick<PreferencesRepo, 'insertOutbox' | 'outbox' | 'outboxEntry'>;
  links: Links;
  subjects: Pick<SubjectsService, 'get'>;
  vault: Pick<Vault, 'sealForTenant' | 'openForTenant'>;
  tenant: (q: Queryable, tenantId: string) => Promise<{ name: string; settings: TenantSettings }>;
  pendingNames: (q: Queryable, tenantId: string, submissionId: string, locale: string) => Promise<string[]>;
  clock: Clock;
  logger: Logger;
  options: { from: string; smtpUrl: string | undefined };
}) => {
  const { db, repo, vault, clock } = deps;
  let smtp: Mailer | null = null;

  const toOutbox = (tx: Queryable, tenantId: string, kind: string, subjectId: string | null) =>
    createMailer({
      from: deps.options.from,
      outbox: {
        put: async (m: OutboxMessage) => {
          const id = newId('message', clock.now().getTime());
          await repo.insertOutbox(tx, {
            tenantId,
            id,
            kind,
            subjectId,
            sealed: await vault.sealForTenant(tx, tenantId, `outbox:${id}`, JSON.stringify(m)),
            createdAt: clock.now(),
          });
        },
      },
    });

  const open = async (q: Queryable, tenantId: string, row: Awaited<ReturnType<typeof repo.outboxEntry>>) => {
    if (!row) return null;
    const m = JSON.parse(await vault.openForTenant(q, tenantId, `outbox:${row.id}`, row.sealed)) as OutboxMessage;
    return {
      id: row.id,
      kind: row.kind,
      subjectId: row.subjectId,
      createdAt: row.createdAt.toISOString(),
      to: m.to,
      from: m.from,
      subject: m.subject,
      text: m.text,
      html: m.html,
      headers: m.headers ?? {},
    } satisfies OutboxEntry;
  };

  /** The job: find the subject's e-mail address, mint a confirmation link, send (SMTP) or keep (outbox). */
  const sendConfirmation = async (p: PendingConfirmation & { tenantId: string }) => {
    const subject = await deps.subjects.get(p.tenantId, p.subjectId, 'system:double-opt-in');
    const to = subject.identities.find((i) => i.kind === 'email' && i.value)?.value;
    if (!to) {
      deps.logger.warn({ tenant: p.tenantId, subjectId: p.subjectId }, 'double opt-in: the subject has no e-mail');
      return;
    }
    const locale = (
      (pageLocales as string[]).includes(p.locale.slice(0, 2)) ? p.locale.slice(0, 2) : 'en'
    ) as RequestLocale;
    await db.tenant(p.tenantId, async (tx) => {
      const tenant = await deps.tenant(tx, p.tenantId);
      const link = await deps.links.mint(tx, p.tenantId, p.subjectId, 'confirm', {
        days: CONFIRM_DAYS,
        actor: 'system:double-opt-in',
        submissionId: p.submissionId,
        locale,
      });
      const names = await deps.pendingNames(tx, p.tenantId, p.submissionId, locale);
      const email = {
        to,
        ...renderEmail(
          { locale, timeZone: tenant.settings.timezone, organisation: tenant.name },
          { kind: 'consent_confirmation', link: link.url, purposes: names.length > 0 ? names : p.purposes },
        ),
        headers: { 'Auto-Submitted': 'auto-generated' },
      };
      if (deps.options.smtpUrl) {
        smtp ??= createMailer({ from: deps.options.from, smtpUrl: deps.options.smtpUrl });
        await smtp.send(email);
      } else {
        await toOutbox(tx, p.tenantId, 'consent_confirmation', p.subjectId).send(email);
      }
    });
  };

  return {
    sendConfirmation,
    /** `lawful outbox list`: newest first, decrypted for the operator. */
    list: (tenantId: string, limit = 50) =>
      db.tenant(tenantId, async (tx) => {
        const out: OutboxEntry[] = [];
        for (const r of await repo.outbox(tx, tenantId, limit)) {
          const e = await open(tx, tenantId, r);
          if (e) out.push(e);
        }
        return out;
      }),
    show: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => open(tx, tenantId, await repo.outboxEntry(tx, tenantId, id))),
    close() {
      smtp?.close();
    },
  };
};
export type PreferencesMail = ReturnType<typeof createPreferencesMail>;
