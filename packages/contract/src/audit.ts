import { z } from '@hono/zod-openapi';
import { Timestamp } from './common.ts';

export const AuditEntry = z
  .object({
    seq: z.number().int(),
    id: z.string(),
    at: Timestamp,
    actor: z.string().openapi({ description: 'key id, user id, `system` or `subject` — never a name or email' }),
    action: z.string().openapi({ example: 'consent.withdraw' }),
    target: z.string().nullable(),
    subjectId: z.string().nullable().openapi({ description: 'pseudonymous subject id' }),
    requestId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    hash: z.string(),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditVerification = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    checkpoints: z.number().int(),
    firstBad: z
      .object({ seq: z.number().int(), reason: z.enum(['edited', 'missing', 'reordered', 'bad_checkpoint']) })
      .nullable(),
    head: z.string().nullable(),
  })
  .openapi('AuditVerification');
export type AuditVerification = z.infer<typeof AuditVerification>;
