import type { RequestListQuery, RequestState } from '@lawful/contract';
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, max, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  opendsrRequests,
  requestEvents,
  requestMessages,
  requests,
  requestTasks,
  requestVerifications,
  webhooks,
} from '../../db/schema/index.ts';

export type RequestRow = typeof requests.$inferSelect;
export type EventRow = typeof requestEvents.$inferSelect;
export type TaskRow = typeof requestTasks.$inferSelect;
export type VerificationRow = typeof requestVerifications.$inferSelect;
export type OpenDsrRow = typeof opendsrRequests.$inferSelect;

const openStates: RequestState[] = ['received', 'identity_pending', 'verified', 'awaiting_approval', 'in_progress'];

/** Data access for requests, their timeline, tasks, e-mail verifications, outbox and OpenDSR mapping. */
export const createRequestsRepo = () => ({
  insert: async (q: Queryable, row: typeof requests.$inferInsert) => {
    await q.insert(requests).values(row);
  },
  get: async (q: Queryable, tenantId: string, id: string, opts: { lock?: boolean } = {}) => {
    const query = q
      .select()
      .from(requests)
      .where(and(eq(requests.tenantId, tenantId), eq(requests.id, id)));
    const [row] = opts.lock ? await query.for('update') : await query;
    return row;
  },
  update: async (q: Queryable, tenantId: string, id: string, set: Partial<typeof requests.$inferInsert>) => {
    const [row] = await q
      .update(requests)
      .set(set)
      .where(and(eq(requests.tenantId, tenantId), eq(requests.id, id)))
      .returning();
    return row!;
  },
  /** Open requests of a subject that share a type with `types`: the duplicates a new request links to. */
  openForSubject: (q: Queryable, tenantId: string, subjectId: string) =>
    q
      .select({ id: requests.id, types: requests.types })
      .from(requests)
      .where(
        and(
          eq(requests.tenantId, tenantId),
          eq(requests.subjectId, subjectId),
          inArray(requests.state, openStates),
          isNull(requests.duplicateOf),
        ),
      )
      .orderBy(asc(requests.id)),
  list: (q: Queryable, tenantId: string, f: RequestListQuery, now: Date) => {
    const conds = [eq(requests.tenantId, tenantId)];
    const due = f.sort === 'due';
    if (f.cursor) {
      // The service has checked the cursor's shape matches the sort: `id`, or `<dueAt ms>.<id>`.
      const [ms, id] = due ? f.cursor.split('.') : [null, f.cursor];
      if (!due) conds.push(lt(requests.id, id!));
      else conds.push(sql`(${requests.dueAt}, ${requests.id}) > (${new Date(Number(ms))}, ${id})`);
    }
    if (f.status) conds.push(eq(requests.state, f.status));
    if (f.open === 'true') conds.push(isNull(requests.closedAt));
    if (f.open === 'false') conds.push(isNotNull(requests.closedAt));
    if (f.subjectId) conds.push(eq(requests.subjectId, f.subjectId));
    if (f.type) conds.push(sql`${f.type} = any(${requests.types})`);
    if (f.dueBefore) conds.push(lte(requests.dueAt, new Date(f.dueBefore)));
    if (f.assignee) conds.push(eq(requests.assignee, f.assignee));
    if (f.overdue === 'true') conds.push(isNull(requests.closedAt), lt(requests.dueAt, now));
    if (f.overdue === 'false') conds.push(sql`not (${requests.closedAt} is null and ${requests.dueAt} < ${now})`);
    return q
      .select()
      .from(requests)
      .where(and(...conds))
      .orderBy(...(due ? [asc(requests.dueAt), asc(requests.id)] : [desc(requests.id)]))
      .limit(f.limit + 1);
  },
  stats: async (q: Queryable, tenantId: string, now: Date, in7: Date) => {
    const [r] = await q
      .select({
        open: sql<number>`count(*) filter (where ${requests.closedAt} is null)`.mapWith(Number),
        dueSoon:
          sql<number>`count(*) filter (where ${requests.closedAt} is null and ${requests.dueAt} >= ${now} and ${requests.dueAt} < ${in7})`.mapWith(
            Number,
          ),
        overdue:
          sql<number>`count(*) filter (where ${requests.closedAt} is null and ${requests.dueAt} < ${now})`.mapWith(
            Number,
          ),
        closed:
          sql<number>`count(*) filter (where ${requests.closedAt} is not null and ${requests.duplicateOf} is null)`.mapWith(
            Number,
          ),
        median: sql<
          number | null
        >`percentile_cont(0.5) within group (order by extract(epoch from (${requests.closedAt} - ${requests.receivedAt})) / 86400.0) filter (where ${requests.closedAt} is not null and ${requests.duplicateOf} is null)`.mapWith(
          (v) => (v === null ? null : Number(v)),
        ),
      })
      .from(requests)
      .where(eq(requests.tenantId, tenantId));
    return r!;
  },
  /** Open, unpaused requests whose reminder or escalation is due (across tenants: owner connection only). */
  dueForNudge: (q: Queryable, before: Date) =>
    q
      .select({ tenantId: requests.tenantId, id: requests.id })
      .from(requests)
      .where(and(isNull(requests.closedAt), isNull(requests.clockPausedAt), lt(requests.dueAt, before)))
      .orderBy(asc(requests.dueAt))
      .limit(1000),

  appendEvent: async (q: Queryable, row: Omit<typeof requestEvents.$inferInsert, 'seq'>) => {
    // The request row is locked by the caller, so max(seq) + 1 cannot race.
    const [m] = await q
      .select({ seq: max(requestEvents.seq) })
      .from(requestEvents)
      .where(and(eq(requestEvents.tenantId, row.tenantId), eq(requestEvents.requestId, row.requestId)));
    const seq = (m?.seq ?? 0) + 1;
    await q.insert(requestEvents).values({ ...row, seq });
    return seq;
  },
  events: (q: Queryable, tenantId: string, requestId: string) =>
    q
      .select()
      .from(requestEvents)
      .where(and(eq(requestEvents.tenantId, tenantId), eq(requestEvents.requestId, requestId)))
      .orderBy(asc(requestEvents.seq)),
  hasEvent: async (q: Queryable, tenantId: string, requestId: string, kind: string) => {
    const [r] = await q
      .select({ seq: requestEvents.seq })
      .from(requestEvents)
      .where(
        and(eq(requestEvents.tenantId, tenantId), eq(requestEvents.requestId, requestId), eq(requestEvents.kind, kind)),
      )
      .limit(1);
    return r !== undefined;
  },

  /** Inserts a task unless one exists for the same target; returns the new row, or undefined. */
  insertTask: async (q: Queryable, row: typeof requestTasks.$inferInsert) => {
    const [r] = await q.insert(requestTasks).values(row).onConflictDoNothing().returning();
    return r;
  },
  task: async (q: Queryable, tenantId: string, id: string, opts: { lock?: boolean } = {}) => {
    const query = q
      .select()
      .from(requestTasks)
      .where(and(eq(requestTasks.tenantId, tenantId), eq(requestTasks.id, id)));
    const [row] = opts.lock ? await query.for('update') : await query;
    return row;
  },
  tasks: (q: Queryable, tenantId: string, requestId: string) =>
    q
      .select()
      .from(requestTasks)
      .where(and(eq(requestTasks.tenantId, tenantId), eq(requestTasks.requestId, requestId)))
      .orderBy(asc(requestTasks.id)),
  updateTask: async (q: Queryable, tenantId: string, id: string, set: Partial<typeof requestTasks.$inferInsert>) => {
    const [row] = await q
      .update(requestTasks)
      .set(set)
      .where(and(eq(requestTasks.tenantId, tenantId), eq(requestTasks.id, id)))
      .returning();
    return row!;
  },

  insertVerification: async (q: Queryable, row: typeof requestVerifications.$inferInsert) => {
    await q.insert(requestVerifications).values(row);
  },
  verificationByToken: async (q: Queryable, tenantId: string, tokenHash: string) => {
    const [row] = await q
      .select()
      .from(requestVerifications)
      .where(and(eq(requestVerifications.tenantId, tenantId), eq(requestVerifications.tokenHash, tokenHash)))
      .for('update');
    return row;
  },
  /** The live (unused, unexpired) verification of a request, newest first. */
  liveVerification: async (q: Queryable, tenantId: string, requestId: string, now: Date) => {
    const [row] = await q
      .select()
      .from(requestVerifications)
      .where(
        and(
          eq(requestVerifications.tenantId, tenantId),
          eq(requestVerifications.requestId, requestId),
          isNull(requestVerifications.usedAt),
          gt(requestVerifications.expiresAt, now),
        ),
      )
      .orderBy(desc(requestVerifications.id))
      .limit(1)
      .for('update');
    return row;
  },
  updateVerification: async (
    q: Queryable,
    tenantId: string,
    id: string,
    set: Partial<typeof requestVerifications.$inferInsert>,
  ) => {
    await q
      .update(requestVerifications)
      .set(set)
      .where(and(eq(requestVerifications.tenantId, tenantId), eq(requestVerifications.id, id)));
  },

  insertMessage: async (q: Queryable, row: typeof requestMessages.$inferInsert) => {
    await q.insert(requestMessages).values(row);
  },
  messages: (q: Queryable, tenantId: string, requestId: string) =>
    q
      .select()
      .from(requestMessages)
      .where(and(eq(requestMessages.tenantId, tenantId), eq(requestMessages.requestId, requestId)))
      .orderBy(asc(requestMessages.id)),

  insertOpenDsr: async (q: Queryable, row: typeof opendsrRequests.$inferInsert) => {
    const [r] = await q.insert(opendsrRequests).values(row).onConflictDoNothing().returning();
    return r;
  },
  openDsr: async (q: Queryable, tenantId: string, subjectRequestId: string) => {
    const [row] = await q
      .select()
      .from(opendsrRequests)
      .where(and(eq(opendsrRequests.tenantId, tenantId), eq(opendsrRequests.subjectRequestId, subjectRequestId)));
    return row;
  },
  openDsrByRequest: async (q: Queryable, tenantId: string, requestId: string) => {
    const [row] = await q
      .select()
      .from(opendsrRequests)
      .where(and(eq(opendsrRequests.tenantId, tenantId), eq(opendsrRequests.requestId, requestId)));
    return row;
  },
  updateOpenDsr: async (q: Queryable, tenantId: string, subjectRequestId: string, lastStatus: string) => {
    await q
      .update(opendsrRequests)
      .set({ lastStatus })
      .where(and(eq(opendsrRequests.tenantId, tenantId), eq(opendsrRequests.subjectRequestId, subjectRequestId)));
  },
  /** Recipients' names for the Art. 19 list: the description the tenant gave each webhook endpoint. */
  webhookNames: async (q: Queryable, tenantId: string, ids: string[]) => {
    if (ids.length === 0) return new Map<string, string>();
    const rows = await q
      .select({ id: webhooks.id, description: webhooks.description })
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), inArray(webhooks.id, ids)));
    return new Map(rows.map((r) => [r.id, r.description]));
  },
});
export type RequestsRepo = ReturnType<typeof createRequestsRepo>;
