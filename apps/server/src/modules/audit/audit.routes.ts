import { OpenAPIHono, z } from '@hono/zod-openapi';
import { AuditEntry, AuditVerification } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import type { AppEnv } from '../../http/context.ts';
import { ADMIN, guarded, json, OFFICER, READER } from '../../http/route.ts';
import type { AuditLog } from './audit.service.ts';

const Checkpoint = z
  .object({
    tenantId: z.string(),
    seq: z.number(),
    hash: z.string(),
    at: z.string(),
    keyId: z.string(),
    signature: z.string(),
  })
  .openapi('AuditCheckpoint');

export const auditRoutes = (deps: { db: Database; audit: AuditLog }) => {
  const { db, audit } = deps;
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/audit',
      tags: ['Audit'],
      summary: 'Browse the audit log, newest first',
      request: {
        query: z
          .object({
            action: z.string().max(100).optional(),
            subject: z.string().max(40).optional(),
            before: z.coerce.number().int().min(1).optional().openapi({ description: 'entries with seq below this' }),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
      },
      responses: { 200: json(z.object({ items: z.array(AuditEntry) }), 'Entries') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const t = c.var.principal.tenantId;
      const items = await db.tenant(t, (tx) =>
        audit.list(tx, t, { action: q.action, subjectId: q.subject, beforeSeq: q.before, limit: q.limit }),
      );
      return c.json({ items }, 200);
    },
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/audit/verify',
      tags: ['Audit'],
      summary: 'Verify the hash chain and signed checkpoints; names the first bad entry',
      responses: { 200: json(AuditVerification, 'The verification result') },
    }),
    async (c) => {
      const t = c.var.principal.tenantId;
      return c.json(await db.tenant(t, (tx) => audit.verify(tx, t)), 200);
    },
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'post',
      path: '/v1/audit/checkpoints',
      tags: ['Audit'],
      summary: 'Sign the current head of the chain now (a job also does it periodically)',
      responses: { 201: json(Checkpoint.nullable(), 'The checkpoint, or null for an empty chain') },
    }),
    async (c) => {
      const t = c.var.principal.tenantId;
      return c.json(await db.tenant(t, (tx) => audit.checkpoint(tx, t)), 201);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/audit/public-key',
      tags: ['Audit'],
      summary: 'The Ed25519 public key that verifies checkpoints',
      responses: { 200: json(z.object({ keyId: z.string(), pem: z.string() }), 'The public key') },
    }),
    async (c) => c.json(audit.publicKey(), 200),
  );
  return app;
};
