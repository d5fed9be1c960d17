import type { UserRole } from '@lawful/contract';
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { bytea, ts } from './tenants.ts';

/**
 * Console users. The address is sealed under the tenant key and found through a keyed blind index, so a dump of the
 * table names nobody; the password is an argon2id hash; the TOTP seed is sealed like the address.
 */
export const users = pgTable(
  'users',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    emailSealed: bytea('email_sealed').notNull(),
    emailIndex: text('email_index').notNull(),
    role: text('role').$type<UserRole>().notNull(),
    passwordHash: text('password_hash').notNull(),
    totpSealed: bytea('totp_sealed'),
    /** The last TOTP time step accepted: a code is good once (RFC 6238 §5.2). */
    totpLastStep: integer('totp_last_step'),
    failedSignIns: integer('failed_sign_ins').notNull().default(0),
    lockedUntil: ts('locked_until'),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSignInAt: ts('last_sign_in_at'),
    disabledAt: ts('disabled_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('users_email_index_key').on(t.tenantId, t.emailIndex),
    tenantIsolation(),
  ],
).enableRLS();

/** Console sessions. Only the SHA-256 of the cookie is kept; found by that hash before the tenant is known. */
export const userSessions = pgTable(
  'user_sessions',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    userId: text('user_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    unique('user_sessions_token_hash_key').on(t.tokenHash),
    index('user_sessions_user_idx').on(t.tenantId, t.userId).where(sql`revoked_at is null`),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Failed sign-ins for addresses that have no usable account (unknown or disabled), by the address's blind index:
 * they lock exactly as an account does, so a lock-out never tells whether an address has an account. Rows older
 * than a day are dropped as new failures come in.
 */
export const signInFailures = pgTable(
  'sign_in_failures',
  {
    tenantId: text('tenant_id').notNull(),
    emailIndex: text('email_index').notNull(),
    failures: integer('failures').notNull(),
    lockedUntil: ts('locked_until'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.emailIndex] }), tenantIsolation()],
).enableRLS();
