import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';
import { Role } from './keys.ts';

/** People sign in to the console with the same roles as API keys, except `publishable` (a browser-only key). */
export const UserRole = Role.exclude(['publishable']).openapi('UserRole');
export type UserRole = z.infer<typeof UserRole>;

export const UserId = prefixedId('usr');

const Email = z.string().trim().toLowerCase().email().max(254);
/** Long passphrases are welcome; argon2id makes the length cost the same to store. */
export const Password = z.string().min(12, 'must be at least 12 characters').max(256);

export const CreateUser = z
  .object({
    email: Email,
    password: Password,
    role: UserRole,
    totp: z.boolean().default(false).openapi({ description: 'Require a one-time code (TOTP) at sign-in' }),
  })
  .strict()
  .openapi('CreateUser');
export type CreateUser = z.infer<typeof CreateUser>;

export const User = z
  .object({
    id: UserId,
    role: UserRole,
    email: z.string().openapi({ description: 'Masked (a•••@example.com): lists never show whole addresses' }),
    totp: z.boolean(),
    createdAt: Timestamp,
    lastSignInAt: Timestamp.nullable(),
    lockedUntil: Timestamp.nullable(),
    disabledAt: Timestamp.nullable(),
  })
  .openapi('User');
export type User = z.infer<typeof User>;

export const CreatedUser = User.extend({
  totpUri: z
    .string()
    .nullable()
    .openapi({ description: 'The otpauth:// URI to load into an authenticator app. Shown once.' }),
}).openapi('CreatedUser');
export type CreatedUser = z.infer<typeof CreatedUser>;

export const SignIn = z
  .object({
    tenant: z.string().trim().min(1).max(100).openapi({ description: 'The organisation’s slug', example: 'acme' }),
    email: Email,
    password: z.string().min(1).max(256),
    totp: z
      .string()
      .regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app')
      .optional(),
  })
  .strict()
  .openapi('SignIn');
export type SignIn = z.infer<typeof SignIn>;

export const Session = z
  .object({
    user: z.object({ id: UserId, role: UserRole, email: z.string() }),
    tenant: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    expiresAt: Timestamp,
    csrfToken: z.string().openapi({ description: 'Send as the x-csrf-token header on every non-GET request' }),
  })
  .openapi('Session');
export type Session = z.infer<typeof Session>;
