import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CompleteRequest, CompleteTask, RequestCertificate, RequestTask } from '@lawful/contract';
import { CompactSign, decodeJwt } from 'jose';
import type { Database, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Jobs } from '../../lib/jobs.ts';
import { keyId, tenantSigningKey } from '../consent/consent.receipt.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import {
  enqueue,
  iso,
  type Mover,
  type NotifyJob,
  REQUEST_JOBS,
  type Sealing,
  type SystemTaskRunner,
  toRequest,
  toTask,
} from './requests.core.ts';
import type { RequestRow, RequestsRepo, TaskRow } from './requests.repo.ts';
import { isOpen } from './requests.states.ts';

export type FanoutJob = { tenantId: string; requestId: string };
export type TaskJob = { tenantId: string; requestId: string; taskId: string };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const TOKEN_PREFIX = 'lf_tt_';

/** The tenant a task token belongs to: tokens carry it so the callback can open the right tenant. */
export const tenantOfTaskToken = (token: string): string | null => {
  const m = token.match(/^lf_tt_(tnt_[0-9A-HJKMNP-TV-Z]{26})\.[A-Za-z0-9_-]{43}$/);
  return m?.[1] ?? null;
};

/**
 * The work on a request: fan-out into tasks (one per connected system, one per recipient, manual steps), running
 * system tasks through the `SystemTaskRunner` port, recipients' callbacks, completion with the signed certificate.
 *
 * Crash safety (check 66): tasks and their jobs are written in one transaction; a task runs only while `pending`
 * and is settled under a row lock, so a job run again after a crash neither loses nor repeats settled work.
 */
export const createRequestTasks = (deps: {
  db: Database;
  repo: RequestsRepo;
  mover: Mover;
  sealing: Sealing;
  runner: SystemTaskRunner;
  vault: Pick<Vault, 'tenantDerivedKey' | 'sealForTenant'>;
  webhooks: Pick<WebhooksService, 'emit' | 'subscribers'>;
  jobs: Pick<Jobs, 'send'>;
  clock: Clock;
  publicUrl: string;
}) => {
  const { db, repo, mover, jobs, clock, webhooks } = deps;

  const sign = async (tx: Tx, r: RequestRow, tasks: TaskRow[]) => {
    const record = {
      type: 'lawful.request-certificate',
      version: 1,
      tenantId: r.tenantId,
      requestId: r.id,
      subjectId: r.subjectId,
      types: r.types,
      jurisdiction: r.jurisdiction,
      receivedAt: r.receivedAt.toISOString(),
      dueAt: r.dueAt.toISOString(),
      extended: r.extension !== null,
      closedAt: iso(r.closedAt),
      outcome: r.state,
      tasks: tasks.map((t) => ({
        id: t.id,
        kind: t.kind,
        targetId: t.kind === 'manual' ? null : t.targetId,
        name: t.name,
        state: t.state,
        recordsAffected: t.recordsAffected,
        completedAt: iso(t.completedAt),
      })),
      recipientsNotified: tasks.filter((t) => t.kind === 'recipient' && t.state === 'done').map((t) => t.name),
      issuedAt: clock.now().toISOString(),
    };
    const seed = await deps.vault.tenantDerivedKey(tx, r.tenantId, 'receipts');
    return new CompactSign(new TextEncoder().encode(JSON.stringify(record)))
      .setProtectedHeader({ alg: 'EdDSA', kid: keyId(r.tenantId), typ: 'lawful-certificate+json' })
      .sign(tenantSigningKey(seed).privateKey);
  };

  /** Closes a request whose work is done: state, certificate, e-mail (Art. 19 recipients), webhook, OpenDSR status. */
  const finish = async (
    tx: Tx,
    r: RequestRow,
    actor: string,
    opts: { partial: boolean; download?: { url: string; expiresAt: string } },
  ) => {
    const tasks = await repo.tasks(tx, r.tenantId, r.id);
    const closed = await mover.move(tx, r, opts.partial ? 'complete_partially' : 'complete', actor, {
      details: { tasks: tasks.length },
    });
    const certificate = await sign(tx, closed, tasks);
    const done = await repo.update(tx, r.tenantId, r.id, { certificate });
    const job: NotifyJob = { tenantId: r.tenantId, requestId: r.id, template: 'completion' };
    if (opts.download) {
      const sealed = await deps.vault.sealForTenant(tx, r.tenantId, `download:${r.id}`, JSON.stringify(opts.download));
      job.downloadSealed = sealed.toString('base64');
    }
    await enqueue(jobs, tx, REQUEST_JOBS.notify, job);
    await webhooks.emit(tx, r.tenantId, {
      type: 'request.completed',
      data: {
        requestId: r.id,
        subjectId: r.subjectId,
        requestType: r.types[0]!,
        outcome: done.state === 'completed' ? 'completed' : 'partially_completed',
        at: clock.now().toISOString(),
      },
    });
    if (await repo.openDsrByRequest(tx, r.tenantId, r.id)) {
      await enqueue(jobs, tx, REQUEST_JOBS.opendsrCallback, { tenantId: r.tenantId, requestId: r.id });
    }
    // Art. 20(2): the portable data also goes to the controller the person named; its first attempt commits with the
    // completion (the person's own download link above is sent either way).
    if (r.types.includes('portability') && (await deps.sealing.open(tx, r))?.transfer) {
      await enqueue(jobs, tx, REQUEST_JOBS.transfer, { tenantId: r.tenantId, requestId: r.id, attempt: 1 });
      await mover.event(tx, done, 'transfer_queued', actor, {}, {});
    }
    return done;
  };

  /** When no task is pending, the request completes, unless an access answer still needs its download link. */
  const finishIfDone = async (tx: Tx, r: RequestRow) => {
    if (r.state !== 'in_progress') return r;
    const tasks = await repo.tasks(tx, r.tenantId, r.id);
    if (tasks.some((t) => t.state === 'pending')) return r;
    const kinds = r.types.filter((t) => t === 'access' || t === 'portability');
    if (kinds.length > 0) {
      const partial = tasks.some((t) => t.state === 'failed');
      // One package, every task done: send it. A partial answer, or two packages (access and portability), waits
      // for staff, who decide what the person receives.
      const download =
        kinds.length === 1 && !partial && deps.runner.deliver
          ? await deps.runner.deliver(tx, r.tenantId, r.id, kinds[0]!)
          : null;
      if (download) return finish(tx, r, 'lawful', { partial, download });
      if (!(await repo.hasEvent(tx, r.tenantId, r.id, 'work_done')))
        await mover.event(tx, r, 'work_done', 'lawful', { tasks: tasks.length }, null);
      return r;
    }
    return finish(tx, r, 'lawful', { partial: tasks.some((t) => t.state === 'failed') });
  };

  const fanout = async (job: FanoutJob): Promise<void> => {
    const { tenantId, requestId } = job;
    const before = await db.tenant(tenantId, (tx) => repo.get(tx, tenantId, requestId));
    if (before?.state !== 'in_progress') return;
    // Outside any transaction: the runner may use the database itself (PGlite has one connection).
    const systems = await deps.runner.systemsFor(tenantId);
    await db.tenant(tenantId, async (tx) => {
      const r = await mover.load(tx, tenantId, requestId);
      if (r.state !== 'in_progress') return;
      const now = clock.now();
      const base = { tenantId, requestId, state: 'pending' as const, attempts: 0, createdAt: now };
      let created = 0;
      for (const s of systems) {
        const id = newId('task', now.getTime());
        const t = await repo.insertTask(tx, { ...base, id, kind: 'system', targetId: s.id, name: s.name });
        if (!t) continue;
        created++;
        await enqueue<TaskJob>(jobs, tx, REQUEST_JOBS.task, { tenantId, requestId, taskId: id });
      }
      const endpoints = await webhooks.subscribers(tx, tenantId, 'request.task');
      const names = await repo.webhookNames(tx, tenantId, endpoints);
      for (const w of endpoints) {
        const id = newId('task', now.getTime());
        const token = `${TOKEN_PREFIX}${tenantId}.${randomBytes(32).toString('base64url')}`;
        const name = names.get(w) || w;
        const t = await repo.insertTask(tx, {
          ...base,
          id,
          kind: 'recipient',
          targetId: w,
          name,
          tokenHash: sha256(token),
        });
        if (!t) continue;
        created++;
        await webhooks.emit(
          tx,
          tenantId,
          {
            type: 'request.task',
            data: {
              requestId,
              taskId: id,
              subjectId: r.subjectId,
              requestTypes: r.types,
              callbackUrl: `${deps.publicUrl}/v1/requests/${requestId}/tasks/${id}/complete`,
              callbackToken: token,
              dueAt: r.dueAt.toISOString(),
              at: now.toISOString(),
            },
          },
          { only: [w] },
        );
      }
      await mover.event(
        tx,
        r,
        'fanout',
        'lawful',
        { systems: systems.length, recipients: endpoints.length, created },
        null,
      );
      await finishIfDone(tx, r);
    });
  };

  const runTask = async (job: TaskJob): Promise<void> => {
    const { tenantId, taskId } = job;
    const plan = await db.tenant(tenantId, async (tx) => {
      const task = await repo.task(tx, tenantId, taskId, { lock: true });
      if (task?.state !== 'pending' || task.kind !== 'system') return null;
      const r = await repo.get(tx, tenantId, task.requestId);
      if (r?.state !== 'in_progress') return null;
      await repo.updateTask(tx, tenantId, taskId, { attempts: task.attempts + 1 });
      const sealed = await deps.sealing.open(tx, r);
      return {
        systemId: task.targetId,
        request: {
          id: r.id,
          types: r.types,
          subjectId: r.subjectId,
          identities: sealed?.identities ?? [],
          corrections: sealed?.corrections ?? [],
        },
      };
    });
    if (!plan) return;
    const outcome = await deps.runner.run(tenantId, plan.request, plan.systemId);
    await db.tenant(tenantId, async (tx) => {
      const task = await repo.task(tx, tenantId, taskId, { lock: true });
      if (task?.state !== 'pending') return; // another run settled it first
      const r = await mover.load(tx, tenantId, task.requestId);
      await settle(
        tx,
        r,
        task,
        { outcome: outcome.status, recordsAffected: outcome.recordsAffected, note: outcome.note },
        'lawful',
      );
    });
  };

  const settle = async (tx: Tx, r: RequestRow, task: TaskRow, input: CompleteTask, actor: string) => {
    const now = clock.now();
    const updated = await repo.updateTask(tx, r.tenantId, task.id, {
      state: input.outcome,
      recordsAffected: input.recordsAffected ?? null,
      note: input.note ?? null,
      completedAt: now,
      ...(task.checklist && input.outcome === 'done'
        ? { checklist: task.checklist.map((c) => ({ ...c, done: true })) }
        : {}),
    });
    await mover.event(
      tx,
      r,
      'task',
      actor,
      { taskId: task.id, kind: task.kind, outcome: input.outcome },
      {
        taskId: task.id,
        kind: task.kind,
        outcome: input.outcome,
      },
    );
    await finishIfDone(tx, r);
    return updated;
  };

  /**
   * A recipient's callback (task token) or staff (API key) reports a task done. Repeating the same outcome is a no-op;
   * a different one on a settled task is INVALID_TRANSITION.
   */
  const completeTask = (
    tenantId: string,
    requestId: string,
    taskId: string,
    input: CompleteTask,
    who: { actor: string } | { token: string },
  ): Promise<RequestTask> =>
    db.tenant(tenantId, async (tx) => {
      const task = await repo.task(tx, tenantId, taskId, { lock: true });
      if (!task || task.requestId !== requestId) throw notFound('task');
      if ('token' in who) {
        const given = Buffer.from(sha256(who.token));
        const ok = task.tokenHash !== null && timingSafeEqual(given, Buffer.from(task.tokenHash));
        if (!ok) throw new AppError('UNAUTHENTICATED', 'the task token is not valid for this task');
      } else if (task.kind === 'system') {
        throw new AppError('RULE_VIOLATION', 'system tasks are settled by their runner', { field: 'taskId' });
      }
      if (task.state !== 'pending') {
        if (task.state === input.outcome) return toTask(task);
        throw new AppError('INVALID_TRANSITION', `the task is already ${task.state}`);
      }
      const r = await mover.load(tx, tenantId, requestId);
      if (!isOpen(r.state)) throw new AppError('INVALID_TRANSITION', `the request is ${r.state}`);
      const actor = 'token' in who ? `recipient:${task.targetId}` : who.actor;
      return toTask(await settle(tx, r, task, input, actor));
    });

  /** A manual step with a checklist, for systems Lawful does not reach. */
  const addManualTask = (
    tenantId: string,
    requestId: string,
    input: { name: string; checklist: string[] },
    actor: string,
  ) =>
    db.tenant(tenantId, async (tx) => {
      const r = await mover.load(tx, tenantId, requestId);
      if (!['verified', 'awaiting_approval', 'in_progress'].includes(r.state)) {
        throw new AppError('INVALID_TRANSITION', `a request in state ${r.state} takes no new tasks`);
      }
      const now = clock.now();
      const id = newId('task', now.getTime());
      const t = await repo.insertTask(tx, {
        tenantId,
        id,
        requestId,
        kind: 'manual',
        targetId: id,
        name: input.name,
        state: 'pending',
        attempts: 0,
        checklist: input.checklist.map((item) => ({ item, done: false })),
        createdAt: now,
      });
      await mover.event(tx, r, 'task_added', actor, { taskId: id }, { taskId: id });
      return toTask(t!);
    });

  const task = (tenantId: string, requestId: string, taskId: string) =>
    db.tenant(tenantId, async (tx) => {
      const t = await repo.task(tx, tenantId, taskId);
      if (!t || t.requestId !== requestId) throw notFound('task');
      return toTask(t);
    });

  /** Staff close a request: all tasks settled (or `partial`), and access answers carry their download link. */
  const complete = (tenantId: string, id: string, input: CompleteRequest, actor: string) =>
    db.tenant(tenantId, async (tx) => {
      const r = await mover.load(tx, tenantId, id);
      if (r.state !== 'in_progress')
        throw new AppError('INVALID_TRANSITION', `a request in state ${r.state} cannot take event complete`, {
          field: 'state',
        });
      const tasks = await repo.tasks(tx, tenantId, id);
      if (tasks.some((t) => t.state === 'pending') && !input.partial) {
        throw new AppError('RULE_VIOLATION', 'tasks are still pending; settle them or complete as partial', {
          field: 'partial',
        });
      }
      if (r.types.some((t) => t === 'access' || t === 'portability') && !input.download) {
        throw new AppError('VALIDATION_FAILED', 'an access or portability answer needs its download link', {
          field: 'download',
        });
      }
      if (
        input.download &&
        !/^https:\/\//.test(input.download.url) &&
        !/^http:\/\/127\.0\.0\.1[:/]/.test(input.download.url)
      ) {
        throw new AppError('VALIDATION_FAILED', 'the download link must use https (check 38)', {
          field: 'download.url',
        });
      }
      const partial = input.partial || tasks.some((t) => t.state === 'failed');
      return toRequest(await finish(tx, r, actor, { partial, download: input.download }));
    });

  const certificate = (tenantId: string, id: string): Promise<RequestCertificate> =>
    db.tenant(tenantId, async (tx) => {
      const r = await repo.get(tx, tenantId, id);
      if (!r) throw notFound('request');
      if (!r.certificate)
        throw new AppError('NOT_FOUND', 'no certificate yet: it is issued when the request completes');
      return {
        certificate: r.certificate,
        kid: keyId(tenantId),
        jwksUrl: `${deps.publicUrl}/.well-known/lawful/${tenantId}/jwks.json`,
        record: decodeJwt(r.certificate),
      };
    });

  return { fanout, runTask, completeTask, addManualTask, task, complete, certificate };
};
export type RequestTasks = ReturnType<typeof createRequestTasks>;
