import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';

/** Roles, most powerful first. `publishable` keys live in browsers: consent writes and banner config only. */
export const Role = z.enum(['admin', 'privacy_officer', 'agent', 'read_only', 'publishable']).openapi('Role');
export type Role = z.infer<typeof Role>;

export const ApiKeyId = prefixedId('key');

export const CreateApiKey = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: Role,
  })
  .strict()
  .openapi('CreateApiKey');
export type CreateApiKey = z.infer<typeof CreateApiKey>;

export const ApiKey = z
  .object({
    id: ApiKeyId,
    name: z.string(),
    role: Role,
    prefix: z
      .string()
      .openapi({ description: 'The visible start of the key, to recognise it', example: 'lf_admin_3kq9' }),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi('ApiKey');
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = ApiKey.extend({
  secret: z.string().openapi({ description: 'The whole key. Shown once; Lawful keeps only its hash.' }),
}).openapi('CreatedApiKey');
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
