import type {
  Correction,
  DataSubjectRequest,
  RequestIdentity,
  RequestTask,
  RequestTimelineEntry,
  RequestType,
  TenantSettings,
  TransferDestination,
} from '@lawful/contract';
import type { Queryable, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { notFound } from '../../lib/errors.ts';
import type { Jobs } from '../../lib/jobs.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { Deadline } from './requests.deadlines.ts';
import type { EventRow, RequestRow, RequestsRepo, TaskRow } from './requests.repo.ts';
import { isFinal, type RequestEvent, transition } from './requests.states.ts';

/** The pg-boss queues of the request engine. Declared when wiring so PGlite never waits on itself. */
export const REQUEST_JOBS = {
  fanout: 'request.fanout',
  task: 'request.task',
  notify: 'request.notify',
  nudge: 'request.nudge',
  opendsrCallback: 'opendsr.callback',
  /** One attempt of a direct transfer (Art. 20(2)); the worker is the data map's (datamap.transfer.ts). */
  transfer: 'request.transfer',
} as const;

/** What a connected system's runner learns about a request: ids, types, and the identities to look the subject up by. */
export type SystemTaskRequest = {
  id: string;
  types: RequestType[];
  subjectId: string | null;
  identities: RequestIdentity[];
  /** A rectification request's corrected values, when the requester gave them. */
  corrections?: Correction[];
};
export type TaskOutcome = { status: 'done' | 'not_applicable' | 'failed'; recordsAffected?: number; note?: string };

/**
 * The port the data map implements: which systems a tenant has connected, and doing a request's work in one.
 * `run` may be called more than once for the same (request.id, systemId) after a crash: it must be idempotent.
 */
export type SystemTaskRunner = {
  systemsFor(tenantId: string): Promise<{ id: string; name: string }[]>;
  run(tenantId: string, request: SystemTaskRequest, systemId: string): Promise<TaskOutcome>;
  /**
   * Once every task of an access or portability request has settled: a fresh download link to the package the tasks
   * built, in the caller's transaction, so the request can complete by itself. Null when there is no single ready
   * package to send (staff then complete the request).
   */
  deliver?(tx: Tx, tenantId: string, requestId: string, kind: 'access' | 'portability'): Promise<Download | null>;
};
export type Download = { url: string; expiresAt: string };

/** A runner for installs with no connected systems yet: every request is handled by recipients and staff. */
export const noSystems: SystemTaskRunner = {
  systemsFor: async () => [],
  run: async () => ({ status: 'not_applicable', note: 'no connected systems' }),
};

export type TenantInfo = { name: string; slug: string; settings: TenantSettings };
export type NotifyTemplate = 'request_received' | 'extension_notice' | 'refusal' | 'completion';
export type NotifyJob = { tenantId: string; requestId: string; template: NotifyTemplate; downloadSealed?: string };

export type Sealed = {
  identities: RequestIdentity[];
  note: string | null;
  corrections?: Correction[];
  /** Art. 20(2): where the portable data also goes; sealed like the identities (see datamap.transfer.ts). */
  transfer?: TransferDestination;
};

export const iso = (d: Date | null) => d?.toISOString() ?? null;

export const deadlineOf = (r: RequestRow): Deadline => ({
  timeZone: r.timeZone,
  receivedAt: r.receivedAt,
  startDate: r.startDate,
  originalDueAt: r.originalDueAt,
  dueAt: r.dueAt,
  extension: r.extension ? { ...r.extension, decidedAt: new Date(r.extension.decidedAt) } : null,
  clockPausedAt: r.clockPausedAt,
});

export const deadlineColumns = (d: Deadline) => ({
  startDate: d.startDate,
  originalDueAt: d.originalDueAt,
  dueAt: d.dueAt,
  clockPausedAt: d.clockPausedAt,
  extension: d.extension ? { ...d.extension, decidedAt: d.extension.decidedAt.toISOString() } : null,
});

const describe = (p: { unit: string; count: number }) =>
  `${p.count} ${p.unit === 'months' ? 'month' : 'day'}${p.count === 1 ? '' : 's'}`;

export const toRequest = (r: RequestRow): DataSubjectRequest => ({
  id: r.id,
  types: r.types,
  state: r.state,
  channel: r.channel,
  locale: r.locale,
  jurisdiction: r.jurisdiction,
  subjectId: r.subjectId,
  receivedAt: r.receivedAt.toISOString(),
  dueAt: r.dueAt.toISOString(),
  originalDueAt: r.originalDueAt.toISOString(),
  clockPausedAt: iso(r.clockPausedAt),
  verifiedAt: iso(r.verifiedAt),
  extension: r.extension
    ? { period: describe(r.extension.period), reason: r.extension.reason, decidedAt: r.extension.decidedAt }
    : null,
  refusal: r.refusal,
  fee: r.fee,
  assignee: r.assignee,
  duplicateOf: r.duplicateOf,
  closedAt: iso(r.closedAt),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export const toTask = (t: TaskRow): RequestTask => ({
  id: t.id,
  kind: t.kind,
  targetId: t.kind === 'manual' ? null : t.targetId,
  name: t.name,
  state: t.state,
  attempts: t.attempts,
  recordsAffected: t.recordsAffected,
  note: t.note,
  checklist: t.checklist,
  createdAt: t.createdAt.toISOString(),
  completedAt: iso(t.completedAt),
});

export const toTimeline = (e: EventRow): RequestTimelineEntry => ({
  seq: e.seq,
  at: e.at.toISOString(),
  actor: e.actor,
  kind: e.kind,
  fromState: e.fromState,
  toState: e.toState,
  details: e.details,
});

/** Identities and note are sealed together, under the subject's key when there is a subject (so erasure shreds them). */
export const createSealing = (vault: Pick<Vault, 'encrypt' | 'decrypt' | 'sealForTenant' | 'openForTenant'>) => ({
  seal: async (q: Queryable, tenantId: string, requestId: string, subjectId: string | null, value: Sealed) => {
    const field = `request:${requestId}`;
    const json = JSON.stringify(value);
    return subjectId
      ? { identitiesSealed: await vault.encrypt(q, tenantId, subjectId, field, json), sealedUnder: 'subject' as const }
      : { identitiesSealed: await vault.sealForTenant(q, tenantId, field, json), sealedUnder: 'tenant' as const };
  },
  /** null once the subject has been crypto-shredded. */
  open: async (q: Queryable, r: RequestRow): Promise<Sealed | null> => {
    const field = `request:${r.id}`;
    const json =
      r.sealedUnder === 'subject' && r.subjectId
        ? await vault.decrypt(q, r.tenantId, r.subjectId, field, r.identitiesSealed)
        : await vault.openForTenant(q, r.tenantId, field, r.identitiesSealed);
    return json === null ? null : (JSON.parse(json) as Sealed);
  },
});
export type Sealing = ReturnType<typeof createSealing>;

/**
 * Moves a request through the state machine (`transition` refuses anything illegal with INVALID_TRANSITION), and
 * records the step in the timeline and the audit log in the caller's transaction.
 */
export const createMover = (deps: { repo: RequestsRepo; audit: Pick<AuditLog, 'append'>; clock: Clock }) => {
  const { repo, audit, clock } = deps;
  const event = async (
    tx: Queryable,
    r: RequestRow,
    kind: string,
    actor: string,
    details: Record<string, unknown> = {},
    audited: Record<string, string | number | boolean | null | string[]> | null = {},
  ) => {
    await repo.appendEvent(tx, {
      tenantId: r.tenantId,
      requestId: r.id,
      at: clock.now(),
      actor,
      kind,
      fromState: null,
      toState: null,
      details,
    });
    if (audited) {
      await audit.append(tx, r.tenantId, {
        actor,
        action: `request.${kind}`,
        target: r.id,
        subjectId: r.subjectId,
        requestId: r.id,
        details: audited,
      });
    }
  };
  const move = async (
    tx: Queryable,
    r: RequestRow,
    ev: RequestEvent,
    actor: string,
    opts: {
      set?: Partial<RequestRow>;
      details?: Record<string, unknown>;
      audited?: Record<string, string | number | boolean | null | string[]>;
    } = {},
  ): Promise<RequestRow> => {
    const to = transition(r.state, ev);
    const now = clock.now();
    const updated = await repo.update(tx, r.tenantId, r.id, {
      ...opts.set,
      state: to,
      updatedAt: now,
      ...(isFinal(to) ? { closedAt: now } : {}),
    });
    await repo.appendEvent(tx, {
      tenantId: r.tenantId,
      requestId: r.id,
      at: now,
      actor,
      kind: 'transition',
      fromState: r.state,
      toState: to,
      details: { event: ev, ...opts.details },
    });
    await audit.append(tx, r.tenantId, {
      actor,
      action: `request.${ev}`,
      target: r.id,
      subjectId: r.subjectId,
      requestId: r.id,
      details: { from: r.state, to, ...opts.audited },
    });
    return updated;
  };
  const load = async (tx: Queryable, tenantId: string, id: string) => {
    const r = await repo.get(tx, tenantId, id, { lock: true });
    if (!r) throw notFound('request');
    return r;
  };
  return { move, event, load };
};
export type Mover = ReturnType<typeof createMover>;

/** Enqueues a job in the caller's tenant transaction (pg-boss statements run as the owner; see lib/jobs.ts). */
export const enqueue = <T extends object>(jobs: Pick<Jobs, 'send'>, tx: Tx, name: string, data: T) =>
  jobs.send(name, data, { tx });
