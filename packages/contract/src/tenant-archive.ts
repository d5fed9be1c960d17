import { z } from '@hono/zod-openapi';

/** The archive format this build writes; an import refuses any other major version. */
export const TENANT_ARCHIVE_FORMAT = 'lawful-tenant-archive';
export const TENANT_ARCHIVE_VERSION = 1;

/**
 * The passphrase that wraps the tenant's keys inside an archive (and authenticates its manifest). Never stored: lose
 * it and the archive's sealed fields cannot be read by anyone.
 */
export const ArchivePassphrase = z
  .string()
  .min(12, 'at least 12 characters')
  .max(1024)
  .openapi({ description: 'Wraps the tenant keys inside the archive; at least 12 characters', example: '…' });

export const ExportTenantBody = z.object({ passphrase: ArchivePassphrase }).strict().openapi('ExportTenant');
export type ExportTenantBody = z.infer<typeof ExportTenantBody>;

/** One table's part: `tables/<name>.ndjson`, one JSON object per row (PostgreSQL's row_to_json). */
export const ArchivePart = z.object({
  table: z.string().regex(/^[a-z_][a-z0-9_]*$/),
  path: z.string(),
  columns: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)),
  rows: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ArchivePart = z.infer<typeof ArchivePart>;

/**
 * `manifest.json` of an archive. Beside it, `manifest.mac` holds the HMAC-SHA256 of the manifest's exact bytes under a
 * key derived from the passphrase, so the hashes it lists cannot be rewritten by someone without the passphrase.
 */
export const ArchiveManifest = z
  .object({
    format: z.literal(TENANT_ARCHIVE_FORMAT),
    version: z.number().int().min(1),
    tenant: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    exportedAt: z.string(),
    lawfulVersion: z.string(),
    /** Where the archive came from: the exporting install's Ed25519 key (also the key of its audit checkpoints). */
    exporter: z.object({ keyId: z.string(), publicKeyPem: z.string() }),
    /** Every key that signed a checkpoint in the archive (earlier installs, after earlier imports, included). */
    checkpointKeys: z.array(z.object({ keyId: z.string(), publicKeyPem: z.string() })),
    keys: z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    parts: z.array(ArchivePart),
  })
  .openapi('TenantArchiveManifest');
export type ArchiveManifest = z.infer<typeof ArchiveManifest>;

export const TenantImportResult = z
  .object({
    tenant: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    tables: z.record(z.string(), z.number().int()),
    exporterKeyId: z.string(),
    audit: z.object({ ok: z.boolean(), entries: z.number().int(), checkpoints: z.number().int() }),
  })
  .openapi('TenantImportResult');
export type TenantImportResult = z.infer<typeof TenantImportResult>;

export const DeleteTenantBody = z
  .object({ confirm: z.string().min(1).max(200).openapi({ description: 'The tenant’s name or slug, typed again' }) })
  .strict()
  .openapi('DeleteTenant');
export type DeleteTenantBody = z.infer<typeof DeleteTenantBody>;

export const DeletionRecord = z.object({
  type: z.literal('lawful.tenant-deletion-certificate'),
  version: z.literal(1),
  tenantId: z.string(),
  tenantSlug: z.string(),
  deletedAt: z.string(),
  rowsDeleted: z.record(z.string(), z.number().int()),
  subjectKeysShredded: z.number().int(),
  tenantKeysDestroyed: z.boolean(),
  jobsDeleted: z.number().int(),
  actor: z.string(),
  issuer: z.object({ keyId: z.string() }),
});
export type DeletionRecord = z.infer<typeof DeletionRecord>;

export const DeletionCertificate = z
  .object({
    certificate: z
      .string()
      .openapi({ description: 'Compact JWS (EdDSA) over the JSON record, signed with the install’s Ed25519 key' }),
    keyId: z.string(),
    publicKeyPem: z.string(),
    record: DeletionRecord,
  })
  .openapi('TenantDeletionCertificate');
export type DeletionCertificate = z.infer<typeof DeletionCertificate>;

export const VerifyDeletionCertificate = z
  .object({ certificate: z.string().min(20).max(100_000) })
  .strict()
  .openapi('VerifyDeletionCertificate');

export const DeletionCertificateVerification = z
  .object({ ok: z.boolean(), reason: z.string().nullable(), record: DeletionRecord.nullable() })
  .openapi('DeletionCertificateVerification');
export type DeletionCertificateVerification = z.infer<typeof DeletionCertificateVerification>;
