import type {
  Breach,
  BreachTransition,
  CreateBreach,
  RopaController,
  TenantSettings,
  UpdateBreach,
} from '@lawful/contract';
import type { Database, Queryable, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { affectedPeople } from './breaches.affected.ts';
import { authorityDeadline, deadlineView, dueReminders } from './breaches.deadline.ts';
import type { BreachesRepo, BreachRow } from './breaches.repo.ts';

export type TenantInfo = { name: string; slug: string; settings: TenantSettings };

export type BreachDeps = {
  db: Database;
  repo: BreachesRepo;
  audit: Pick<AuditLog, 'append'>;
  webhooks: Pick<WebhooksService, 'emit'>;
  clock: Clock;
  tenantInfo: (q: Queryable, tenantId: string) => Promise<TenantInfo>;
  controllerOf: (q: Queryable, tenantId: string) => Promise<RopaController | null>;
};

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toBreach = (r: BreachRow, timeZone: string, now: Date): Breach => ({
  id: r.id,
  status: r.status,
  processorSide: r.processorSide,
  processorAwareAt: iso(r.processorAwareAt),
  awareAt: r.awareAt.toISOString(),
  occurredFrom: iso(r.occurredFrom),
  occurredTo: iso(r.occurredTo),
  whatHappened: r.whatHappened,
  subjectCategories: r.subjectCategories,
  approxSubjects: r.approxSubjects,
  approxRecords: r.approxRecords,
  dataCategories: r.dataCategories,
  systems: r.systems,
  likelyConsequences: r.likelyConsequences,
  measuresTaken: r.measuresTaken,
  measuresProposed: r.measuresProposed,
  recommendedActions: r.recommendedActions,
  contactPoint: r.contactPoint,
  risk: r.risk,
  requestWindow: r.requestWindow,
  deadline: deadlineView(r.awareAt, timeZone, r.authorityNotifiedAt ?? now),
  authorityNotifiedAt: iso(r.authorityNotifiedAt),
  authorityReference: r.authorityReference,
  delayReason: r.delayReason,
  subjectsNotifiedAt: iso(r.subjectsNotifiedAt),
  closedAt: iso(r.closedAt),
  remindersSent: r.remindersSent,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  createdBy: r.createdBy,
});

const invalid = (message: string, field: string) => new AppError('VALIDATION_FAILED', message, { field });

/** Input rules zod cannot see: windows run forwards, awareness is not in the future. */
const checkTimes = (
  b: Pick<CreateBreach, 'occurredFrom' | 'occurredTo' | 'requestWindow'> & { awareAt?: string },
  now: Date,
) => {
  // A few minutes of slack for clocks that disagree; a breach one is "aware of" next week is a typo.
  if (b.awareAt && new Date(b.awareAt).getTime() > now.getTime() + 5 * 60_000) {
    throw invalid('awareAt is in the future', 'awareAt');
  }
  if (b.occurredFrom && b.occurredTo && b.occurredFrom > b.occurredTo) {
    throw invalid('occurredTo is before occurredFrom', 'occurredTo');
  }
  if (b.requestWindow && new Date(b.requestWindow.from) > new Date(b.requestWindow.to)) {
    throw invalid('requestWindow.to is before requestWindow.from', 'requestWindow.to');
  }
};

const rowOf = (input: CreateBreach, o: { tenantId: string; id: string; now: Date; actor: string; awareAt: Date }) =>
  ({
    tenantId: o.tenantId,
    id: o.id,
    status: 'open',
    processorSide: false,
    processorAwareAt: null,
    awareAt: o.awareAt,
    deadlineAt: authorityDeadline(o.awareAt),
    occurredFrom: input.occurredFrom ? new Date(input.occurredFrom) : null,
    occurredTo: input.occurredTo ? new Date(input.occurredTo) : null,
    whatHappened: input.whatHappened,
    subjectCategories: input.subjectCategories,
    approxSubjects: input.approxSubjects,
    approxRecords: input.approxRecords,
    dataCategories: input.dataCategories,
    systems: input.systems,
    likelyConsequences: input.likelyConsequences,
    measuresTaken: input.measuresTaken,
    measuresProposed: input.measuresProposed,
    recommendedActions: input.recommendedActions,
    contactPoint: input.contactPoint,
    risk: input.risk,
    requestWindow: input.requestWindow,
    authorityNotifiedAt: null,
    authorityReference: null,
    delayReason: null,
    subjectsNotifiedAt: null,
    closedAt: null,
    remindersSent: [],
    createdAt: o.now,
    updatedAt: o.now,
    createdBy: o.actor,
  }) satisfies BreachRow;

/**
 * The breach register (check 52): record, assess, notify the authority within 72 hours (or say why not), tell people
 * when the risk is high, close. Every change is audited in its own transaction.
 */
export const createBreachesService = (deps: BreachDeps) => {
  const { db, repo, audit, webhooks, clock } = deps;

  const load = async (tx: Queryable, tenantId: string, id: string, lock = false) => {
    const row = lock ? await repo.getForUpdate(tx, tenantId, id) : await repo.get(tx, tenantId, id);
    if (!row) throw notFound('breach');
    return row;
  };
  const view = async (tx: Queryable, row: BreachRow) =>
    toBreach(row, (await deps.tenantInfo(tx, row.tenantId)).settings.timezone, clock.now());

  const create = (tenantId: string, input: CreateBreach, actor: string) =>
    db.tenant(tenantId, async (tx) => {
      const now = clock.now();
      checkTimes(input, now);
      const row = rowOf(input, {
        tenantId,
        id: newId('breach', now.getTime()),
        now,
        actor,
        awareAt: new Date(input.awareAt),
      });
      await repo.insert(tx, row);
      await audit.append(tx, tenantId, {
        actor,
        action: 'breach.create',
        target: row.id,
        details: { risk: row.risk, categories: row.dataCategories, deadlineAt: row.deadlineAt.toISOString() },
      });
      return view(tx, row);
    });

  const update = (tenantId: string, id: string, patch: UpdateBreach, actor: string) =>
    db.tenant(tenantId, async (tx) => {
      const row = await load(tx, tenantId, id, true);
      if (row.status === 'closed')
        throw new AppError('INVALID_TRANSITION', 'a closed breach cannot change', { field: 'status' });
      const merged = {
        occurredFrom: patch.occurredFrom !== undefined ? patch.occurredFrom : iso(row.occurredFrom),
        occurredTo: patch.occurredTo !== undefined ? patch.occurredTo : iso(row.occurredTo),
        requestWindow: patch.requestWindow !== undefined ? patch.requestWindow : row.requestWindow,
      };
      checkTimes(merged, clock.now());
      const { occurredFrom, occurredTo, ...rest } = patch;
      const next: Partial<BreachRow> = {
        ...rest,
        ...(occurredFrom !== undefined ? { occurredFrom: occurredFrom ? new Date(occurredFrom) : null } : {}),
        ...(occurredTo !== undefined ? { occurredTo: occurredTo ? new Date(occurredTo) : null } : {}),
        updatedAt: clock.now(),
      };
      await repo.update(tx, tenantId, id, next);
      await audit.append(tx, tenantId, {
        actor,
        action: 'breach.update',
        target: id,
        details: { fields: Object.keys(patch) },
      });
      return view(tx, { ...row, ...next });
    });

  /** open → assessed → notified_authority → (notified_subjects, by notifySubjects) → closed. */
  const transition = (tenantId: string, id: string, t: BreachTransition, actor: string) =>
    db.tenant(tenantId, async (tx) => {
      const row = await load(tx, tenantId, id, true);
      const now = clock.now();
      const from = row.status;
      const patch: Partial<BreachRow> = { status: t.to, updatedAt: now };
      let late = false;
      if (t.to === 'assessed') {
        if (from !== 'open')
          throw new AppError('INVALID_TRANSITION', `a ${from} breach cannot be assessed`, { field: 'to' });
      } else if (t.to === 'notified_authority') {
        if (from !== 'assessed') {
          throw new AppError('INVALID_TRANSITION', `assess the breach first (it is ${from})`, { field: 'to' });
        }
        late = now.getTime() > row.deadlineAt.getTime();
        // Art. 33(1): "Where the notification … is not made within 72 hours, it shall be accompanied by reasons for the delay."
        if (late && !t.delayReason) {
          throw new AppError('RULE_VIOLATION', 'the 72-hour deadline has passed: give the reasons for the delay', {
            field: 'delayReason',
          });
        }
        Object.assign(patch, {
          authorityNotifiedAt: now,
          authorityReference: t.authorityReference ?? null,
          delayReason: late ? t.delayReason : null,
        });
      } else {
        const ok =
          from === 'notified_subjects' ||
          (from === 'notified_authority' && row.risk !== 'high') ||
          (from === 'assessed' && row.risk === 'none');
        if (!ok) {
          const why =
            row.risk === 'high'
              ? 'a high-risk breach is closed after the people affected were told (Art. 34)'
              : 'a breach likely to result in a risk is closed after the authority was notified (Art. 33)';
          throw new AppError(from === 'closed' || from === 'open' ? 'INVALID_TRANSITION' : 'RULE_VIOLATION', why, {
            field: from === 'closed' || from === 'open' ? 'to' : 'risk',
          });
        }
        patch.closedAt = now;
      }
      await repo.update(tx, tenantId, id, patch);
      await audit.append(tx, tenantId, {
        actor,
        action: 'breach.transition',
        target: id,
        details: {
          from,
          to: t.to,
          late,
          ...(t.to === 'notified_authority' ? { hours: hoursSince(row.awareAt, now) } : {}),
        },
      });
      return view(tx, { ...row, ...patch });
    });

  const hoursSince = (a: Date, b: Date) => Math.round(((b.getTime() - a.getTime()) / 3_600_000) * 10) / 10;

  /** The reminder job: at 24, 48 and 66 hours after awareness, while the authority is not yet notified. */
  const remind = async (): Promise<number> => {
    const now = clock.now();
    let sent = 0;
    for (const p of await repo.pendingReminders(db.system, now)) {
      sent += await db.tenant(p.tenantId, async (tx) => {
        const row = await load(tx, p.tenantId, p.id, true);
        if (row.authorityNotifiedAt || row.closedAt) return 0;
        const due = dueReminders(row.awareAt, now, row.remindersSent);
        if (due.length === 0) return 0;
        const milestone = due[due.length - 1]!;
        await repo.update(tx, p.tenantId, p.id, { remindersSent: [...row.remindersSent, ...due] });
        const hoursRemaining = Math.round(((row.deadlineAt.getTime() - now.getTime()) / 3_600_000) * 10) / 10;
        await audit.append(tx, p.tenantId, {
          actor: 'system:breach-clock',
          action: 'breach.deadline_near',
          target: p.id,
          details: { milestoneHours: milestone, deadlineAt: row.deadlineAt.toISOString() },
        });
        await webhooks.emit(tx as Tx, p.tenantId, {
          type: 'breach.deadline_near',
          data: {
            breachId: p.id,
            milestoneHours: milestone,
            deadlineAt: row.deadlineAt.toISOString(),
            hoursRemaining,
            at: now.toISOString(),
          },
        });
        return 1;
      });
    }
    return sent;
  };

  return {
    create,
    update,
    transition,
    remind,
    load,
    view,
    exists: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => (await repo.get(tx, tenantId, id)) !== undefined),
    get: (tenantId: string, id: string) => db.tenant(tenantId, async (tx) => view(tx, await load(tx, tenantId, id))),
    list: (tenantId: string) =>
      db.tenant(tenantId, async (tx) => {
        const tz = (await deps.tenantInfo(tx, tenantId)).settings.timezone;
        const now = clock.now();
        return (await repo.list(tx, tenantId)).map((r) => toBreach(r, tz, now));
      }),
    /** Who is affected (check 52), audited as a read: it lists people. */
    affected: (tenantId: string, id: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const a = await affectedPeople(tx, repo, await load(tx, tenantId, id));
        await audit.append(tx, tenantId, { actor, action: 'breach.affected', target: id, details: { count: a.count } });
        return a;
      }),
    notifications: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => {
        await load(tx, tenantId, id);
        return (await repo.notifications(tx, tenantId, id)).map((n) => ({
          id: n.id,
          breachId: n.breachId,
          recipient: n.recipient,
          subjectId: n.subjectId,
          channel: n.channel,
          messageId: n.messageId,
          outcome: n.outcome,
          reason: n.reason,
          at: n.at.toISOString(),
        }));
      }),
    /** Internal: a processor-side record in one tenant's register (see breaches.processor.ts). */
    insertProcessorSide: async (tx: Tx, tenantId: string, input: CreateBreach, actor: string) => {
      const now = clock.now();
      checkTimes(input, now);
      // The controller's 72 hours start when it is told (Art. 33(2) → 33(1)), i.e. now; the processor's own
      // awareness is kept beside it.
      const row: BreachRow = {
        ...rowOf(input, { tenantId, id: newId('breach', now.getTime()), now, actor, awareAt: now }),
        processorSide: true,
        processorAwareAt: new Date(input.awareAt),
      };
      await repo.insert(tx, row);
      await audit.append(tx, tenantId, {
        actor,
        action: 'breach.processor_report',
        target: row.id,
        details: { risk: row.risk, categories: row.dataCategories, deadlineAt: row.deadlineAt.toISOString() },
      });
      await webhooks.emit(tx, tenantId, {
        type: 'breach.processor_reported',
        data: {
          breachId: row.id,
          risk: row.risk,
          awareAt: row.awareAt.toISOString(),
          deadlineAt: row.deadlineAt.toISOString(),
          at: now.toISOString(),
        },
      });
      return row;
    },
  };
};
export type BreachesService = ReturnType<typeof createBreachesService>;
