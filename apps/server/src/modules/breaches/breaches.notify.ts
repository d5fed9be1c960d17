import { type CreateBreach, RequestLocale, type SubjectNoticeResult } from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import { type Block, renderHtml, renderText } from '../email/email.html.ts';
import { renderEmail } from '../email/email.templates.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import { affectedPeople } from './breaches.affected.ts';
import { formatInZone } from './breaches.deadline.ts';
import type { BreachMail, Delivery } from './breaches.mail.ts';
import type { BreachesRepo, BreachRow } from './breaches.repo.ts';
import type { BreachesService, TenantInfo } from './breaches.service.ts';

const localeOf = (...candidates: (string | null | undefined)[]): RequestLocale => {
  for (const c of candidates) {
    const two = c?.slice(0, 2).toLowerCase();
    const parsed = RequestLocale.safeParse(two);
    if (parsed.success) return parsed.data;
  }
  return 'en';
};

const headers = (tenantId: string, breachId: string) => ({
  'Auto-Submitted': 'auto-generated',
  'X-Lawful-Tenant': tenantId,
  'X-Lawful-Breach': breachId,
});

/**
 * Telling people (Art. 34) and telling tenants of a processor-side breach (Art. 33(2)). Each e-mail is recorded in
 * the append-only breach_notifications table with the subject's pseudonymous id and the message id, never the address.
 */
export const createBreachNotifier = (deps: {
  db: Database;
  repo: BreachesRepo;
  breaches: Pick<BreachesService, 'load' | 'view' | 'insertProcessorSide'>;
  subjects: Pick<SubjectsService, 'get'>;
  audit: Pick<AuditLog, 'append'>;
  mail: BreachMail;
  clock: Clock;
  logger: Logger;
  tenantInfo: (q: Queryable, tenantId: string) => Promise<TenantInfo>;
  controllerEmail: (q: Queryable, tenantId: string) => Promise<string | null>;
  tenantIds: () => Promise<string[]>;
}) => {
  const { db, repo, clock, mail } = deps;

  const record = async (
    q: Queryable,
    b: Pick<BreachRow, 'tenantId' | 'id'>,
    recipient: 'subject' | 'tenant',
    subjectId: string | null,
    d: Delivery,
  ) =>
    repo.insertNotification(q, {
      tenantId: b.tenantId,
      id: newId('message', clock.now().getTime()),
      breachId: b.id,
      recipient,
      subjectId,
      channel: d.channel,
      messageId: d.messageId,
      outcome: d.outcome,
      reason: d.reason,
      at: clock.now(),
    });

  /** Sends the Art. 34 notice to each affected person not yet told, in their language. */
  const notifySubjects = async (tenantId: string, breachId: string, actor: string): Promise<SubjectNoticeResult> => {
    const plan = await db.tenant(tenantId, async (tx) => {
      const b = await deps.breaches.load(tx, tenantId, breachId, true);
      if (b.risk !== 'high') {
        throw new AppError(
          'RULE_VIOLATION',
          'people are told directly only when the risk to them is high (Art. 34(1))',
          {
            field: 'risk',
          },
        );
      }
      if (b.status !== 'notified_authority' && b.status !== 'notified_subjects') {
        throw new AppError('INVALID_TRANSITION', `notify the authority first (the breach is ${b.status})`, {
          field: 'status',
        });
      }
      if (!b.recommendedActions) {
        throw new AppError('RULE_VIOLATION', 'say what people can do to protect themselves (Art. 34(2))', {
          field: 'recommendedActions',
        });
      }
      const affected = await affectedPeople(tx, repo, b);
      const told = await repo.toldSubjects(tx, tenantId, breachId);
      return { b, affected, told, tenant: await deps.tenantInfo(tx, tenantId) };
    });
    const { b, affected, told, tenant } = plan;
    const result = { breachId, affected: affected.count, sent: 0, queued: 0, notSent: 0, alreadyTold: 0 };
    for (const subjectId of affected.subjectIds) {
      if (told.has(subjectId)) {
        result.alreadyTold++;
        continue;
      }
      // A sensitive read (the address is decrypted): audited by subjects.get.
      const s = await deps.subjects.get(tenantId, subjectId, 'system:breach-notice');
      const to = s.identities.find((i) => i.kind === 'email' && i.value)?.value;
      const d = await db.tenant(tenantId, async (tx) => {
        if (!to) {
          const none: Delivery = { channel: 'none', messageId: null, outcome: 'not_sent', reason: 'no e-mail address' };
          await record(tx, b, 'subject', subjectId, none);
          return none;
        }
        const locale = localeOf(await repo.subjectLocale(tx, tenantId, subjectId), tenant.settings.defaultLocale);
        const rendered = renderEmail(
          { locale, timeZone: tenant.settings.timezone, organisation: tenant.name },
          {
            kind: 'breach_notice',
            whatHappened: b.whatHappened,
            likelyConsequences: b.likelyConsequences,
            measuresTaken: [b.measuresTaken, b.measuresProposed].filter(Boolean).join('\n\n'),
            recommendedActions: b.recommendedActions,
            contact: b.contactPoint,
          },
        );
        const out = await mail.deliver(tx, tenantId, 'breach_notice', subjectId, {
          to,
          ...rendered,
          headers: headers(tenantId, breachId),
        });
        await record(tx, b, 'subject', subjectId, out);
        return out;
      });
      if (d.outcome === 'sent') result.sent++;
      else if (d.outcome === 'queued') result.queued++;
      else result.notSent++;
    }
    await db.tenant(tenantId, async (tx) => {
      const now = clock.now();
      const cur = await deps.breaches.load(tx, tenantId, breachId, true);
      if (cur.status === 'notified_authority') {
        await repo.update(tx, tenantId, breachId, {
          status: 'notified_subjects',
          subjectsNotifiedAt: now,
          updatedAt: now,
        });
      }
      await deps.audit.append(tx, tenantId, {
        actor,
        action: 'breach.notify_subjects',
        target: breachId,
        details: { ...result, channel: mail.channel() },
      });
    });
    return result;
  };

  const processorMail = (b: BreachRow, tenant: TenantInfo) => {
    const blocks: Block[] = [
      {
        kind: 'p',
        text: `A personal data breach at the Lawful installation you use may affect data of ${tenant.name}.`,
      },
      {
        kind: 'p',
        text: `As your processor we tell you without undue delay (GDPR Art. 33(2)). Your own 72 hours to notify the supervisory authority run until ${formatInZone(b.deadlineAt, tenant.settings.timezone)}.`,
      },
      { kind: 'heading', text: 'What happened' },
      { kind: 'p', text: b.whatHappened },
      { kind: 'heading', text: 'Data categories' },
      { kind: 'list', items: b.dataCategories },
      { kind: 'heading', text: 'Likely consequences' },
      { kind: 'p', text: b.likelyConsequences },
      { kind: 'heading', text: 'Measures taken' },
      { kind: 'p', text: [b.measuresTaken, b.measuresProposed].filter(Boolean).join('\n\n') },
      { kind: 'heading', text: 'Contact' },
      { kind: 'p', text: b.contactPoint },
      { kind: 'p', text: `Reference: ${b.id} (in your breach register)` },
    ];
    const subject = `Personal data breach notice (${b.id})`;
    return { subject, text: renderText(blocks), html: renderHtml(blocks, { lang: 'en', title: subject }) };
  };

  /**
   * A breach on the install's side (the operator records it with `lawful breach create --processor`): one record in
   * each affected tenant's register, a `breach.processor_reported` webhook in the same transaction, then an e-mail to
   * the tenant's DPO (or the controller address of its ROPA record).
   */
  const reportProcessorBreach = async (input: CreateBreach, tenants: string[] | 'all', actor: string) => {
    const ids = tenants === 'all' ? await deps.tenantIds() : tenants;
    const out: { tenantId: string; breachId: string; email: Delivery['outcome'] | 'no_address' }[] = [];
    for (const tenantId of ids) {
      const r = await db.tenant(tenantId, async (tx) => {
        const row = await deps.breaches.insertProcessorSide(tx, tenantId, input, actor);
        const to = await deps.controllerEmail(tx, tenantId);
        const tenant = await deps.tenantInfo(tx, tenantId);
        const d: Delivery = to
          ? await mail.deliver(tx, tenantId, 'breach_processor', null, {
              to,
              ...processorMail(row, tenant),
              headers: headers(tenantId, row.id),
            })
          : {
              channel: 'none',
              messageId: null,
              outcome: 'not_sent',
              reason: 'no controller or DPO address (PUT /v1/ropa/controller)',
            };
        await record(tx, row, 'tenant', null, d);
        return { tenantId, breachId: row.id, email: to ? d.outcome : ('no_address' as const) };
      });
      out.push(r);
    }
    deps.logger.info({ tenants: out.length }, 'processor-side breach pushed to tenants');
    return out;
  };

  return { notifySubjects, reportProcessorBreach };
};
export type BreachNotifier = ReturnType<typeof createBreachNotifier>;
