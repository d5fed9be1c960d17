import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { signInFailures, tenants, userSessions, users } from '../../db/schema/index.ts';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof userSessions.$inferSelect;

export const createUsersRepo = () => ({
  insert: async (q: Queryable, row: typeof users.$inferInsert) => {
    await q.insert(users).values(row);
  },
  list: (q: Queryable, tenantId: string) =>
    q.select().from(users).where(eq(users.tenantId, tenantId)).orderBy(asc(users.createdAt)),
  get: async (q: Queryable, tenantId: string, id: string) => {
    const [row] = await q
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)));
    return row;
  },
  byEmailIndex: async (q: Queryable, tenantId: string, emailIndex: string) => {
    const [row] = await q
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.emailIndex, emailIndex)));
    return row;
  },
  /** The lock, if any, on an address that has no usable account. */
  addressLock: async (q: Queryable, tenantId: string, emailIndex: string) => {
    const [row] = await q
      .select({ lockedUntil: signInFailures.lockedUntil })
      .from(signInFailures)
      .where(and(eq(signInFailures.tenantId, tenantId), eq(signInFailures.emailIndex, emailIndex)));
    return row?.lockedUntil ?? null;
  },
  /**
   * Counts a failure for an address without a usable account, exactly as `recordFailure` does for an account: the
   * count starts again once a lock has run out.
   */
  recordAddressFailure: async (
    q: Queryable,
    tenantId: string,
    emailIndex: string,
    max: number,
    now: Date,
    lockUntil: Date,
  ) => {
    // A lock that ran out a day ago leaves nothing to remember: the next failure would start the count anyway.
    await q
      .delete(signInFailures)
      .where(
        and(
          eq(signInFailures.tenantId, tenantId),
          lt(signInFailures.lockedUntil, new Date(now.getTime() - 86_400_000)),
        ),
      );
    const t = signInFailures;
    const nowIso = now.toISOString();
    const fresh = sql`(${t.lockedUntil} is not null and ${t.lockedUntil} <= ${nowIso}::timestamptz)`;
    const [row] = await q
      .insert(t)
      .values({ tenantId, emailIndex, failures: 1, lockedUntil: max <= 1 ? lockUntil : null, updatedAt: now })
      .onConflictDoUpdate({
        target: [t.tenantId, t.emailIndex],
        set: {
          failures: sql`case when ${fresh} then 1 else ${t.failures} + 1 end`,
          lockedUntil: sql`case when ${fresh} then ${max <= 1 ? lockUntil.toISOString() : null}::timestamptz when ${t.failures} + 1 >= ${max} then ${lockUntil.toISOString()}::timestamptz else ${t.lockedUntil} end`,
          updatedAt: now,
        },
      })
      .returning({ failures: t.failures, lockedUntil: t.lockedUntil });
    return row;
  },
  /** Counts a failure atomically (two parallel guesses both count) and locks once the count reaches `max`. */
  recordFailure: async (q: Queryable, tenantId: string, id: string, max: number, now: Date, lockUntil: Date) => {
    // Once a lock has run out the count starts again, as for addresses without an account (recordAddressFailure).
    const fresh = sql`(${users.lockedUntil} is not null and ${users.lockedUntil} <= ${now.toISOString()}::timestamptz)`;
    const [row] = await q
      .update(users)
      .set({
        failedSignIns: sql`case when ${fresh} then 1 else ${users.failedSignIns} + 1 end`,
        lockedUntil: sql`case when ${fresh} then ${max <= 1 ? lockUntil.toISOString() : null}::timestamptz when ${users.failedSignIns} + 1 >= ${max} then ${lockUntil.toISOString()}::timestamptz else ${users.lockedUntil} end`,
      })
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
      .returning({ failedSignIns: users.failedSignIns, lockedUntil: users.lockedUntil });
    return row;
  },
  recordSuccess: async (q: Queryable, tenantId: string, id: string, at: Date, totpStep: number | null) => {
    await q
      .update(users)
      .set({
        failedSignIns: 0,
        lockedUntil: null,
        lastSignInAt: at,
        ...(totpStep !== null ? { totpLastStep: totpStep } : {}),
      })
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id)));
  },
  disable: async (q: Queryable, tenantId: string, id: string, at: Date) => {
    const [row] = await q
      .update(users)
      .set({ disabledAt: at })
      .where(and(eq(users.tenantId, tenantId), eq(users.id, id), isNull(users.disabledAt)))
      .returning();
    return row;
  },
  insertSession: async (q: Queryable, row: typeof userSessions.$inferInsert) => {
    await q.insert(userSessions).values(row);
  },
  /** Runs as the owner: the tenant is not known until the session is found. Only live users of live tenants. */
  findSession: async (q: Queryable, tokenHash: string) => {
    const [row] = await q
      .select({
        tenantId: userSessions.tenantId,
        id: userSessions.id,
        userId: userSessions.userId,
        role: users.role,
        lastSeenAt: userSessions.lastSeenAt,
        expiresAt: userSessions.expiresAt,
      })
      .from(userSessions)
      .innerJoin(users, and(eq(users.tenantId, userSessions.tenantId), eq(users.id, userSessions.userId)))
      .innerJoin(tenants, eq(tenants.id, userSessions.tenantId))
      .where(
        and(
          eq(userSessions.tokenHash, tokenHash),
          isNull(userSessions.revokedAt),
          isNull(users.disabledAt),
          eq(tenants.status, 'active'),
        ),
      );
    return row;
  },
  touchSession: async (q: Queryable, tenantId: string, id: string, at: Date) => {
    await q
      .update(userSessions)
      .set({ lastSeenAt: at })
      .where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.id, id)));
  },
  revokeSession: async (q: Queryable, tenantId: string, id: string, at: Date) => {
    await q
      .update(userSessions)
      .set({ revokedAt: at })
      .where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.id, id), isNull(userSessions.revokedAt)));
  },
  revokeUserSessions: async (q: Queryable, tenantId: string, userId: string, at: Date) => {
    await q
      .update(userSessions)
      .set({ revokedAt: at })
      .where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.userId, userId), isNull(userSessions.revokedAt)));
  },
});
export type UsersRepo = ReturnType<typeof createUsersRepo>;
