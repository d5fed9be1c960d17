import type { CreatedUser, CreateUser, Session, SignIn, User } from '@lawful/contract';
import { hash, verify } from '@node-rs/argon2';
import { Secret, TOTP } from 'otpauth';
import { type Database, oneByOne, type Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { randomToken, safeEqual, sha256Hex } from '../../lib/crypto.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../keys/keys.service.ts';
import type { TenantsService } from '../tenants/tenants.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { UserRow, UsersRepo } from './users.repo.ts';

export type UsersOptions = {
  /** Consecutive failed sign-ins that lock an account. */
  maxFailures: number;
  lockMinutes: number;
  /** A session ends this long after sign-in, whatever happens. */
  sessionHours: number;
  /** …or after this long without a request. */
  idleMinutes: number;
};
export const defaultUsersOptions: UsersOptions = {
  maxFailures: 5,
  lockMinutes: 15,
  sessionHours: 12,
  idleMinutes: 120,
};

const EMAIL_FIELD = 'user.email';
const TOTP_FIELD = 'user.totp';
const TOUCH_EVERY_MS = 60_000;

/** a•••@example.com: enough to recognise one's colleague, not enough to harvest addresses from a list. */
export const maskEmail = (email: string) => {
  const at = email.lastIndexOf('@');
  return at < 1 ? '•••' : `${email[0]}•••${email.slice(at)}`;
};

const totpOf = (secret: string, label: string) =>
  new TOTP({ issuer: 'Lawful', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

/** Only the hash of the cookie is stored; the CSRF token is derived from the cookie, so it needs no storage either. */
const hashToken = (token: string) => sha256Hex(`lawful-session:${token}`);
export const csrfFor = (token: string) => Buffer.from(sha256Hex(`lawful-csrf:${token}`), 'hex').toString('base64url');
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

type Failure = { error: AppError };
type Success = { token: string; session: Session };

export const createUsersService = (deps: {
  db: Database;
  repo: UsersRepo;
  vault: Pick<Vault, 'sealForTenant' | 'openForTenant' | 'blindIndex'>;
  audit: Pick<AuditLog, 'append'>;
  tenants: Pick<TenantsService, 'resolve'>;
  clock: Clock;
  options?: Partial<UsersOptions>;
}) => {
  const { db, repo, vault, audit, clock } = deps;
  const opts = { ...defaultUsersOptions, ...deps.options };
  // Unknown addresses cost one argon2 verification too, so timing does not tell which addresses have accounts.
  let dummy: Promise<string> | null = null;
  const dummyHash = () => {
    dummy ??= hash(randomToken(16));
    return dummy;
  };

  const emailIndex = (q: Queryable, tenantId: string, email: string) =>
    vault.blindIndex(q, tenantId, 'user_email', email.trim().toLowerCase());

  const toUser = async (q: Queryable, r: UserRow): Promise<User> => ({
    id: r.id,
    role: r.role,
    email: maskEmail(await vault.openForTenant(q, r.tenantId, EMAIL_FIELD, r.emailSealed)),
    totp: r.totpSealed !== null,
    createdAt: r.createdAt.toISOString(),
    lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
    lockedUntil: r.lockedUntil?.toISOString() ?? null,
    disabledAt: r.disabledAt?.toISOString() ?? null,
  });

  const create = async (tenantId: string, input: CreateUser, actor: string): Promise<CreatedUser> => {
    // Resolved before the transaction: PGlite has one connection, and resolve reads as the owner.
    const tenant = await deps.tenants.resolve(tenantId);
    return db.tenant(tenantId, async (tx) => {
      const now = clock.now();
      const idx = await emailIndex(tx, tenantId, input.email);
      if (await repo.byEmailIndex(tx, tenantId, idx)) {
        throw new AppError('CONFLICT', 'a user with this address already exists', { field: 'email' });
      }
      const secret = input.totp ? new Secret({ size: 20 }).base32 : null;
      const row = {
        tenantId,
        id: newId('user', now.getTime()),
        emailSealed: await vault.sealForTenant(tx, tenantId, EMAIL_FIELD, input.email.trim().toLowerCase()),
        emailIndex: idx,
        role: input.role,
        passwordHash: await hash(input.password),
        totpSealed: secret ? await vault.sealForTenant(tx, tenantId, TOTP_FIELD, secret) : null,
        totpLastStep: null,
        failedSignIns: 0,
        lockedUntil: null,
        createdBy: actor,
        createdAt: now,
        lastSignInAt: null,
        disabledAt: null,
      };
      await repo.insert(tx, row);
      await audit.append(tx, tenantId, {
        actor,
        action: 'user.create',
        target: row.id,
        details: { role: row.role, totp: secret !== null },
      });
      return { ...(await toUser(tx, row)), totpUri: secret ? totpOf(secret, tenant.slug).toString() : null };
    });
  };

  const fail = async (
    tx: Queryable,
    tenantId: string,
    user: UserRow | undefined,
    reason: string,
    error: AppError,
  ): Promise<Failure> => {
    // The caller is not yet anyone: the account they tried is the target, never the actor.
    await audit.append(tx, tenantId, {
      actor: 'anonymous',
      action: 'session.sign_in_failed',
      target: user?.id ?? null,
      details: { reason },
    });
    return { error };
  };
  const wrong = () => new AppError('UNAUTHENTICATED', 'the organisation, address or password is wrong');

  /** Checks the credentials and opens a session. Every outcome is audited, failures in a transaction that commits. */
  const signIn = async (input: SignIn): Promise<Success> => {
    const tenant = await deps.tenants.resolve(input.tenant).catch(() => null);
    if (!tenant) {
      await verify(await dummyHash(), input.password);
      throw wrong();
    }
    const t = tenant.id;
    const out = await db.tenant(t, async (tx): Promise<Success | Failure> => {
      const now = clock.now();
      const index = await emailIndex(tx, t, input.email);
      const user = await repo.byEmailIndex(tx, t, index);
      const lockUntil = new Date(now.getTime() + opts.lockMinutes * 60_000);
      const locked = (until: Date) => {
        const retry = Math.ceil((until.getTime() - now.getTime()) / 1000);
        return new AppError('RATE_LIMITED', `too many failed sign-ins; try again in ${Math.ceil(retry / 60)} min`, {
          headers: { 'Retry-After': String(retry) },
        });
      };
      if (!user || user.disabledAt) {
        // An address without a usable account locks after as many failures as an account does, with the same
        // answer: neither the 401s nor the 429 tell whether the address has an account.
        const until = await repo.addressLock(tx, t, index);
        if (until && until > now) return fail(tx, t, user, 'locked', locked(until));
        await verify(await dummyHash(), input.password);
        await repo.recordAddressFailure(tx, t, index, opts.maxFailures, now, lockUntil);
        return fail(tx, t, user, user ? 'disabled' : 'unknown_user', wrong());
      }
      if (user.lockedUntil && user.lockedUntil > now) return fail(tx, t, user, 'locked', locked(user.lockedUntil));
      const counted = async (reason: string, error: AppError) => {
        const r = await repo.recordFailure(tx, t, user.id, opts.maxFailures, now, lockUntil);
        if (r && r.failedSignIns === opts.maxFailures) {
          await audit.append(tx, t, {
            actor: 'system',
            action: 'user.locked',
            target: user.id,
            details: { failures: r.failedSignIns, minutes: opts.lockMinutes },
          });
        }
        return fail(tx, t, user, reason, error);
      };
      if (!(await verify(user.passwordHash, input.password))) return counted('bad_password', wrong());
      let step: number | null = null;
      if (user.totpSealed) {
        if (!input.totp) {
          return fail(
            tx,
            t,
            user,
            'totp_required',
            new AppError('UNAUTHENTICATED', 'enter the 6-digit code from your authenticator app', { field: 'totp' }),
          );
        }
        const secret = await vault.openForTenant(tx, t, TOTP_FIELD, user.totpSealed);
        const at = now.getTime();
        const delta = totpOf(secret, tenant.slug).validate({ token: input.totp, timestamp: at, window: 1 });
        step = delta === null ? null : Math.floor(at / 30_000) + delta;
        // A code is good once: a code seen over someone's shoulder cannot be replayed within its 30 s.
        if (step === null || (user.totpLastStep !== null && step <= user.totpLastStep)) {
          return counted(
            'bad_totp',
            new AppError('UNAUTHENTICATED', 'the code is wrong or was already used', { field: 'totp' }),
          );
        }
      }
      await repo.recordSuccess(tx, t, user.id, now, step);
      const token = randomToken(32);
      const session = {
        tenantId: t,
        id: newId('session', now.getTime()),
        userId: user.id,
        tokenHash: hashToken(token),
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + opts.sessionHours * 3_600_000),
        revokedAt: null,
      };
      await repo.insertSession(tx, session);
      await audit.append(tx, t, {
        actor: user.id,
        action: 'session.sign_in',
        target: session.id,
        details: { totp: step !== null },
      });
      const email = await vault.openForTenant(tx, t, EMAIL_FIELD, user.emailSealed);
      return {
        token,
        session: {
          user: { id: user.id, role: user.role, email: maskEmail(email) },
          tenant: { id: t, slug: tenant.slug, name: tenant.name },
          expiresAt: session.expiresAt.toISOString(),
          csrfToken: csrfFor(token),
        },
      };
    });
    if ('error' in out) throw out.error;
    return out;
  };

  /** The live session behind a cookie, or null (unknown, revoked, expired, idle too long, user disabled). */
  const find = async (token: string) => {
    if (!TOKEN_SHAPE.test(token)) return null;
    const row = await repo.findSession(db.system, hashToken(token));
    if (!row) return null;
    const now = clock.now();
    if (row.expiresAt <= now) return null;
    if (now.getTime() - row.lastSeenAt.getTime() > opts.idleMinutes * 60_000) return null;
    if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      await repo.touchSession(db.system, row.tenantId, row.id, now);
    }
    return row;
  };

  return {
    create,
    signIn,
    csrfFor,
    list: (tenantId: string) =>
      db.tenant(tenantId, async (tx) => oneByOne(await repo.list(tx, tenantId), (r) => toUser(tx, r))),
    /** Disables the account and ends its sessions at once; the row stays, for the audit trail. */
    disable: (tenantId: string, id: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const now = clock.now();
        const row = (await repo.disable(tx, tenantId, id, now)) ?? (await repo.get(tx, tenantId, id));
        if (!row) throw notFound('user');
        await repo.revokeUserSessions(tx, tenantId, id, now);
        await audit.append(tx, tenantId, { actor, action: 'user.disable', target: id });
        return toUser(tx, row);
      }),
    /** Resolves a session cookie to the same Principal an API key of the user's role would give. */
    async authenticate(token: string): Promise<Principal | null> {
      const row = await find(token);
      return row ? { tenantId: row.tenantId, keyId: row.userId, role: row.role } : null;
    },
    /** The session as the console sees it (who, which organisation, until when, the CSRF token). */
    async current(token: string): Promise<Session | null> {
      const row = await find(token);
      if (!row) return null;
      const tenant = await deps.tenants.resolve(row.tenantId);
      return db.tenant(row.tenantId, async (tx) => {
        const user = await repo.get(tx, row.tenantId, row.userId);
        if (!user) return null;
        const email = await vault.openForTenant(tx, row.tenantId, EMAIL_FIELD, user.emailSealed);
        return {
          user: { id: user.id, role: user.role, email: maskEmail(email) },
          tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
          expiresAt: row.expiresAt.toISOString(),
          csrfToken: csrfFor(token),
        };
      });
    },
    async signOut(token: string): Promise<void> {
      const row = await find(token);
      if (!row) return;
      await db.tenant(row.tenantId, async (tx) => {
        await repo.revokeSession(tx, row.tenantId, row.id, clock.now());
        await audit.append(tx, row.tenantId, { actor: row.userId, action: 'session.sign_out', target: row.id });
      });
    },
    /** Constant-time comparison of the x-csrf-token header with the one derived from the cookie. */
    csrfOk: (token: string, header: string | undefined) => header !== undefined && safeEqual(header, csrfFor(token)),
  };
};
export type UsersService = ReturnType<typeof createUsersService>;
