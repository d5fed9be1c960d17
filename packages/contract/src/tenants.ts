import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';

export const TenantId = prefixedId('tnt');

export const TenantSettings = z
  .object({
    timezone: z.string().min(1).max(64).default('UTC').openapi({ example: 'Europe/Paris' }),
    defaultLocale: z.string().min(2).max(10).default('en'),
    jurisdiction: z.enum(['eu', 'uk', 'fr', 'de', 'us-ca']).default('eu'),
    consentAgeOfMajority: z.number().int().min(13).max(16).default(16).openapi({ description: 'Art. 8(1) age' }),
    doubleOptIn: z
      .boolean()
      .default(false)
      .openapi({ description: 'Direct-marketing grants wait for an e-mailed confirmation link (double opt-in)' }),
    consentProofRetention: z
      .string()
      .regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, 'an ISO 8601 period such as P5Y')
      .default('P5Y')
      .openapi({ description: 'How long consent proof is kept after the last withdrawal or refusal (check 10)' }),
  })
  .strict();
export type TenantSettings = z.infer<typeof TenantSettings>;

export const CreateTenant = z
  .object({
    name: z.string().trim().min(1).max(200),
    slug: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes')
      .optional(),
    settings: TenantSettings.partial().optional(),
  })
  .strict()
  .openapi('CreateTenant');
export type CreateTenant = z.infer<typeof CreateTenant>;

export const Tenant = z
  .object({
    id: TenantId,
    name: z.string(),
    slug: z.string(),
    settings: TenantSettings,
    createdAt: Timestamp,
  })
  .openapi('Tenant');
export type Tenant = z.infer<typeof Tenant>;
