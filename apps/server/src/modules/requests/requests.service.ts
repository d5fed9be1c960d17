import { createHash, randomBytes, randomInt } from 'node:crypto';
import type {
  AssignRequest,
  CancelRequest,
  CreateRequest,
  DataSubjectRequest,
  ExtendRequest,
  Identity,
  RecordFee,
  RefuseRequest,
  RequestDetail,
  RequestList,
  RequestListQuery,
  RequestStats,
  VerifyRequest,
} from '@lawful/contract';
import type { Database, Queryable, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import {
  createMover,
  createSealing,
  deadlineColumns,
  deadlineOf,
  enqueue,
  type NotifyJob,
  REQUEST_JOBS,
  type TenantInfo,
  toRequest,
  toTask,
  toTimeline,
} from './requests.core.ts';
import { extendDeadline, pauseForIdentity, resumeAfterIdentity, startDeadline } from './requests.deadlines.ts';
import { assertFeeAllowed, jurisdictionProfile } from './requests.jurisdictions.ts';
import type { RequestRow, RequestsRepo } from './requests.repo.ts';
import { assertRefusal, isOpen } from './requests.states.ts';

/** How long an e-mailed confirmation link and code stay valid (check 58). */
export const VERIFICATION_TTL_MS = 24 * 3600_000;
/** Wrong codes allowed before the confirmation is spent. */
export const MAX_CODE_ATTEMPTS = 5;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const subjectKind = { email: 'email', phone: 'phone', customer_id: 'user_id', device_id: 'device_id' } as const;

/** A fresh e-mail confirmation: the link token and the code exist in plaintext only until the e-mail is sent. */
export type Confirmation = { token: string; code: string; expiresAt: Date };

/**
 * Data-subject requests: intake, identity, deadlines, the state machine, refusals, extensions, fees and the list.
 * Work on the request (tasks, completion, certificate) lives in requests.tasks.ts.
 * @example await requests.create(tenantId, { types: ['erasure'], identities: [{ type: 'email', value }] }, actor)
 */
export const createRequestsService = (deps: {
  db: Database;
  repo: RequestsRepo;
  subjects: Pick<SubjectsService, 'resolveOrCreate'>;
  vault: Pick<Vault, 'encrypt' | 'decrypt' | 'sealForTenant' | 'openForTenant'>;
  audit: Pick<AuditLog, 'append'>;
  webhooks: Pick<WebhooksService, 'emit'>;
  jobs: Pick<Jobs, 'send' | 'declare'>;
  clock: Clock;
  tenantInfo: (q: Queryable, tenantId: string) => Promise<TenantInfo>;
  /** Tenant policy: request types that need a privacy officer's approval before work starts. */
  approvalFor?: readonly string[];
  /** Refuses a direct-transfer destination (SSRF rules, AppError on field `transfer.url`); none: transfers refused. */
  checkTransferUrl?: (url: string) => Promise<void>;
}) => {
  const { db, repo, audit, jobs, clock } = deps;
  jobs.declare(...Object.values(REQUEST_JOBS));
  const mover = createMover({ repo, audit, clock });
  const { move, event, load } = mover;
  const sealing = createSealing(deps.vault);
  const approvalFor = deps.approvalFor ?? ['erasure'];

  const notify = (tx: Tx, r: RequestRow, template: NotifyJob['template'], extra: Partial<NotifyJob> = {}) =>
    enqueue<NotifyJob>(jobs, tx, REQUEST_JOBS.notify, { tenantId: r.tenantId, requestId: r.id, template, ...extra });

  const profileOf = (r: RequestRow) => jurisdictionProfile(r.jurisdiction);

  /** An OpenDSR controller is told when its request starts, is refused or is cancelled. */
  const statusChanged = async (tx: Tx, r: RequestRow) => {
    if (await repo.openDsrByRequest(tx, r.tenantId, r.id))
      await enqueue(jobs, tx, REQUEST_JOBS.opendsrCallback, { tenantId: r.tenantId, requestId: r.id });
  };

  const newConfirmation = async (tx: Tx, r: RequestRow): Promise<Confirmation> => {
    const now = clock.now();
    const c = {
      token: randomBytes(32).toString('base64url'),
      code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
      expiresAt: new Date(now.getTime() + VERIFICATION_TTL_MS),
    };
    await repo.insertVerification(tx, {
      tenantId: r.tenantId,
      id: newId('token', now.getTime()),
      requestId: r.id,
      tokenHash: sha256(c.token),
      codeHash: sha256(`${r.id}:${c.code}`),
      expiresAt: c.expiresAt,
      usedAt: null,
      attempts: 0,
      createdAt: now,
    });
    return c;
  };

  /** After identity: work starts, or waits for approval (tenant policy); the subject is told the due date. */
  const afterVerified = async (tx: Tx, r: RequestRow, actor: string) => {
    await notify(tx, r, 'request_received');
    if (r.types.some((t) => approvalFor.includes(t))) return move(tx, r, 'submit_for_approval', actor);
    const started = await move(tx, r, 'start', actor);
    await enqueue(jobs, tx, REQUEST_JOBS.fanout, { tenantId: r.tenantId, requestId: r.id });
    await statusChanged(tx, started);
    return started;
  };

  const verifyIn = async (tx: Tx, r: RequestRow, actor: string, method: string) => {
    const now = clock.now();
    const deadline = r.clockPausedAt
      ? resumeAfterIdentity(deadlineOf(r), { at: now, profile: profileOf(r) })
      : deadlineOf(r);
    const verified = await move(tx, r, 'verify_identity', actor, {
      set: { verifiedAt: now, ...deadlineColumns(deadline) },
      details: { method, dueAt: deadline.dueAt.toISOString() },
      audited: { method },
    });
    return afterVerified(tx, verified, actor);
  };

  /**
   * Intake. The clock starts on receipt (check 32). A request repeating an open one for the same subject and type is
   * linked to it and closed, not run twice. Without `identityVerified`, an e-mail identity gets a confirmation link
   * and code (returned for the caller to send); the UK profile pauses the clock meanwhile (check 37).
   */
  const create = async (
    tenantId: string,
    input: CreateRequest,
    actor: string,
  ): Promise<{ request: DataSubjectRequest; confirmation: Confirmation | null }> => {
    // DNS is asked before the transaction opens: a slow resolver must not hold a connection, and a refusal writes nothing.
    if (input.transfer) {
      if (!deps.checkTransferUrl)
        throw new AppError('RULE_VIOLATION', 'direct transfer is not available here', { field: 'transfer' });
      await deps.checkTransferUrl(input.transfer.url);
    }
    return db.tenant(tenantId, async (tx) => {
      const tenant = await deps.tenantInfo(tx, tenantId);
      const profile = jurisdictionProfile(tenant.settings.jurisdiction);
      const now = clock.now();
      const deadline = startDeadline({ receivedAt: now, timeZone: tenant.settings.timezone, profile });
      const mappable: Identity[] = input.identities.flatMap((i) =>
        i.type === 'other' ? [] : [{ kind: subjectKind[i.type], value: i.value } as Identity],
      );
      const subjectId = mappable.length
        ? (await deps.subjects.resolveOrCreate(tx, tenantId, mappable)).subjectId
        : null;
      const id = newId('request', now.getTime());
      const sealed = await sealing.seal(tx, tenantId, id, subjectId, {
        identities: input.identities,
        note: input.note ?? null,
        // Corrected values are personal data: sealed with the identities, under the subject's key.
        ...(input.corrections ? { corrections: input.corrections } : {}),
        ...(input.transfer ? { transfer: input.transfer } : {}),
      });
      const open = subjectId ? await repo.openForSubject(tx, tenantId, subjectId) : [];
      const original = open.find((o) => o.types.some((t) => input.types.includes(t)));
      await repo.insert(tx, {
        tenantId,
        id,
        types: input.types,
        state: 'received',
        channel: input.channel,
        subjectId,
        ...sealed,
        locale: input.locale,
        jurisdiction: profile.code,
        timeZone: deadline.timeZone,
        receivedAt: now,
        ...deadlineColumns(deadline),
        verifiedAt: null,
        refusal: null,
        fee: null,
        assignee: null,
        duplicateOf: null,
        certificate: null,
        remindedAt: null,
        escalatedAt: null,
        closedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      let r = (await repo.get(tx, tenantId, id))!;
      await event(
        tx,
        r,
        'receive',
        actor,
        // That a direct transfer was asked for, never where to (the destination is sealed).
        { channel: input.channel, types: input.types, ...(input.transfer ? { transfer: true } : {}) },
        {
          channel: input.channel,
          types: input.types,
          ...(input.transfer ? { transfer: true } : {}),
        },
      );
      if (original) {
        r = await move(tx, r, 'cancel', actor, {
          set: { duplicateOf: original.id },
          details: { duplicateOf: original.id },
          audited: { duplicateOf: original.id },
        });
        const first = (await repo.get(tx, tenantId, original.id, { lock: true }))!;
        await event(tx, first, 'duplicate_linked', actor, { requestId: id }, null);
        return { request: toRequest(r), confirmation: null };
      }
      if (input.identityVerified) {
        r = await verifyIn(tx, r, actor, 'asserted_by_caller');
        return { request: toRequest(r), confirmation: null };
      }
      if (!input.identities.some((i) => i.type === 'email')) return { request: toRequest(r), confirmation: null };
      const paused = profile.pausesClockForIdentity ? pauseForIdentity(deadline, { at: now, profile }) : deadline;
      r = await move(tx, r, 'request_identity', actor, {
        set: deadlineColumns(paused),
        details: { method: 'email_confirmation', clockPaused: paused.clockPausedAt !== null },
      });
      return { request: toRequest(r), confirmation: await newConfirmation(tx, r) };
    });
  };

  /** A new link and code for a request still waiting on its e-mail confirmation (the old ones stop working). */
  const reissueConfirmation = (tenantId: string, id: string): Promise<Confirmation> =>
    db.tenant(tenantId, async (tx) => {
      const r = await load(tx, tenantId, id);
      if (r.state !== 'identity_pending')
        throw new AppError('INVALID_TRANSITION', 'this request is not waiting for confirmation');
      const live = await repo.liveVerification(tx, tenantId, id, clock.now());
      if (live) await repo.updateVerification(tx, tenantId, live.id, { usedAt: clock.now() });
      return newConfirmation(tx, r);
    });

  /**
   * Confirms the e-mail by the link's token, or by the code typed in (attempts counted). Single use, expiring.
   * Returns the request, or throws VALIDATION_FAILED without saying which part was wrong.
   */
  const confirm = (
    tenantId: string,
    proof: { token: string } | { requestId: string; code: string },
  ): Promise<DataSubjectRequest> =>
    db
      .tenant(tenantId, async (tx) => {
        const now = clock.now();
        const bad = () =>
          new AppError('VALIDATION_FAILED', 'this confirmation is wrong, used or expired', { field: 'code' });
        const v =
          'token' in proof
            ? await repo.verificationByToken(tx, tenantId, sha256(proof.token))
            : await repo.liveVerification(tx, tenantId, proof.requestId, now);
        if (!v || v.usedAt || v.expiresAt.getTime() <= now.getTime() || v.attempts >= MAX_CODE_ATTEMPTS) throw bad();
        if ('code' in proof && sha256(`${v.requestId}:${proof.code}`) !== v.codeHash) {
          await repo.updateVerification(tx, tenantId, v.id, { attempts: v.attempts + 1 });
          // The failed attempt must stick although the caller sees an error: commit it, then refuse.
          return null;
        }
        await repo.updateVerification(tx, tenantId, v.id, { usedAt: now, attempts: v.attempts + 1 });
        const r = await load(tx, tenantId, v.requestId);
        return toRequest(await verifyIn(tx, r, 'portal', 'email_confirmed'));
      })
      .then((r) => {
        if (!r)
          throw new AppError('VALIDATION_FAILED', 'this confirmation is wrong, used or expired', { field: 'code' });
        return r;
      });

  const act = <T>(tenantId: string, id: string, fn: (tx: Tx, r: RequestRow) => Promise<T>) =>
    db.tenant(tenantId, async (tx) => fn(tx, await load(tx, tenantId, id)));

  /** Staff established identity (check 36: how, never a copy of a document). */
  const verify = (tenantId: string, id: string, input: VerifyRequest, actor: string) =>
    act(tenantId, id, async (tx, r) => toRequest(await verifyIn(tx, r, actor, input.method)));

  /** Check 33: once, with a reason, before the original due date; the subject is told. */
  const extend = (tenantId: string, id: string, input: ExtendRequest, actor: string) =>
    act(tenantId, id, async (tx, r) => {
      if (!isOpen(r.state))
        throw new AppError('INVALID_TRANSITION', `a request in state ${r.state} cannot be extended`);
      const d = extendDeadline(deadlineOf(r), {
        months: input.months,
        reason: input.reason,
        at: clock.now(),
        profile: profileOf(r),
      });
      // A later due date earns a fresh reminder.
      const updated = await repo.update(tx, r.tenantId, r.id, {
        ...deadlineColumns(d),
        remindedAt: null,
        updatedAt: clock.now(),
      });
      await event(
        tx,
        updated,
        'extend',
        actor,
        { reason: d.extension!.reason, dueAt: d.dueAt.toISOString() },
        {
          dueAt: d.dueAt.toISOString(),
        },
      );
      await notify(tx, updated, 'extension_notice');
      return toRequest(updated);
    });

  /** Check 34: grounds that fit the request, an explanation, and the refusal e-mail with the right to complain. */
  const reject = (tenantId: string, id: string, input: RefuseRequest, actor: string) =>
    act(tenantId, id, async (tx, r) => {
      assertRefusal({ types: r.types, grounds: input.grounds, explanation: input.explanation });
      const refusal = { grounds: input.grounds, explanation: input.explanation, decidedAt: clock.now().toISOString() };
      const updated = await move(tx, r, 'reject', actor, { set: { refusal }, audited: { grounds: input.grounds } });
      await notify(tx, updated, 'refusal');
      await statusChanged(tx, updated);
      await deps.webhooks.emit(tx, tenantId, {
        type: 'request.completed',
        data: {
          requestId: r.id,
          subjectId: r.subjectId,
          requestType: r.types[0]!,
          outcome: 'rejected',
          at: refusal.decidedAt,
        },
      });
      return toRequest(updated);
    });

  const cancel = (tenantId: string, id: string, input: CancelRequest, actor: string) =>
    act(tenantId, id, async (tx, r) => {
      const cancelled = await move(tx, r, 'cancel', actor, { details: { reason: input.reason } });
      await statusChanged(tx, cancelled);
      return toRequest(cancelled);
    });

  const approve = (tenantId: string, id: string, note: string | undefined, actor: string) =>
    act(tenantId, id, async (tx, r) => {
      const started = await move(tx, r, 'approve', actor, { details: { note: note ?? null } });
      await enqueue(jobs, tx, REQUEST_JOBS.fanout, { tenantId, requestId: id });
      await statusChanged(tx, started);
      return toRequest(started);
    });

  const assign = (tenantId: string, id: string, input: AssignRequest, actor: string) =>
    act(tenantId, id, async (tx, r) => {
      if (!isOpen(r.state))
        throw new AppError('INVALID_TRANSITION', `a request in state ${r.state} cannot be assigned`);
      const updated = await repo.update(tx, tenantId, id, { assignee: input.assignee, updatedAt: clock.now() });
      await event(tx, updated, 'assign', actor, { assignee: input.assignee }, { assignee: input.assignee });
      return toRequest(updated);
    });

  /** Check 35: free unless a finding on a basis the jurisdiction allows is recorded with the fee. */
  const recordFee = (tenantId: string, id: string, input: RecordFee, actor: string) =>
    act(tenantId, id, async (tx, r) => {
      if (!isOpen(r.state)) throw new AppError('INVALID_TRANSITION', `a request in state ${r.state} cannot take a fee`);
      if (r.fee) throw new AppError('CONFLICT', 'a fee is already recorded for this request', { field: 'fee' });
      const finding = assertFeeAllowed(profileOf(r), {
        basis: input.basis,
        explanation: input.explanation,
        recordedBy: actor,
      });
      const fee = {
        ...finding,
        amountMinor: input.amountMinor,
        currency: input.currency,
        recordedAt: clock.now().toISOString(),
      };
      const updated = await repo.update(tx, tenantId, id, { fee, updatedAt: clock.now() });
      await event(tx, updated, 'fee', actor, { basis: input.basis }, { basis: input.basis, currency: input.currency });
      return toRequest(updated);
    });

  const get = (tenantId: string, id: string): Promise<RequestDetail> =>
    db.tenant(tenantId, async (tx) => {
      const r = await repo.get(tx, tenantId, id);
      if (!r) throw notFound('request');
      return {
        ...toRequest(r),
        timeline: (await repo.events(tx, tenantId, id)).map(toTimeline),
        tasks: (await repo.tasks(tx, tenantId, id)).map(toTask),
      };
    });

  const list = (tenantId: string, q: RequestListQuery): Promise<RequestList> => {
    // Each order has its own cursor shape; one from the other order would silently start the list again.
    if (q.cursor && q.cursor.includes('.') !== (q.sort === 'due'))
      throw new AppError('VALIDATION_FAILED', `this cursor belongs to another sort than ${q.sort}`, {
        field: 'cursor',
      });
    return db.tenant(tenantId, async (tx) => {
      const rows = await repo.list(tx, tenantId, q, clock.now());
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      // A due-date page ends on (dueAt, id): due dates repeat (end of a day), so the id breaks the tie.
      const cursor = last && (q.sort === 'due' ? `${last.dueAt.getTime()}.${last.id}` : last.id);
      return { items: page.map(toRequest), nextCursor: rows.length > q.limit && cursor ? cursor : null };
    });
  };

  const stats = (tenantId: string): Promise<RequestStats> =>
    db.tenant(tenantId, async (tx) => {
      const now = clock.now();
      const s = await repo.stats(tx, tenantId, now, new Date(now.getTime() + 7 * 86_400_000));
      return {
        open: s.open,
        dueWithin7Days: s.dueSoon,
        overdue: s.overdue,
        closed: s.closed,
        medianDaysToClose: s.median === null ? null : Math.round(s.median * 10) / 10,
      };
    });

  return {
    create,
    confirm,
    reissueConfirmation,
    verify,
    extend,
    reject,
    cancel,
    approve,
    assign,
    recordFee,
    get,
    list,
    stats,
    mover,
    sealing,
  };
};
export type RequestsService = ReturnType<typeof createRequestsService>;
