import { z } from '@hono/zod-openapi';
import { DataCategory, DataMap, IdentityKind } from './datamap.ts';

/**
 * What the data-map API answers: stored versions, connections (never their URLs), the check against the live systems
 * and a discovery proposal. The document itself is `DataMap` (datamap.ts).
 */

export const StoredDataMap = z
  .object({
    version: z.number().int(),
    id: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    map: DataMap,
    created: z.boolean().optional(),
  })
  .openapi('StoredDataMap');
export type StoredDataMap = z.infer<typeof StoredDataMap>;

export const DataMapVersionList = z.object({
  data: z.array(
    z.object({
      version: z.number().int(),
      id: z.string(),
      sha256: z.string(),
      createdBy: z.string(),
      createdAt: z.string(),
    }),
  ),
});

export const DataMapConnectionName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, _ . - (up to 100)');

export const DataMapConnectionInput = z
  .object({
    engine: z.enum(['postgres', 'mysql']).optional(),
    url: z.string().min(1).max(2000).optional().openapi({ description: 'stored sealed; never returned or logged' }),
    schema: z.string().min(1).max(128).nullable().optional(),
    maxConnections: z.number().int().min(1).max(50).nullable().optional(),
  })
  .strict()
  .openapi('DataMapConnectionInput');

export const DataMapConnection = z
  .object({
    name: z.string(),
    engine: z.enum(['postgres', 'mysql']),
    schema: z.string().nullable(),
    maxConnections: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('DataMapConnection');
export type DataMapConnection = z.infer<typeof DataMapConnection>;

const CheckIssue = z.object({
  severity: z.enum(['error', 'warning']),
  system: z.string(),
  path: z.string(),
  message: z.string(),
  hint: z.string().optional(),
});

export const DataMapCheckResult = z
  .object({
    version: z.number().int(),
    ok: z.boolean(),
    issues: z.array(CheckIssue),
    systems: z.array(
      z.object({ system: z.string(), status: z.enum(['checked', 'unreachable']), error: z.string().optional() }),
    ),
    report: z.string(),
  })
  .openapi('DataMapCheckResult');
export type DataMapCheckResult = z.infer<typeof DataMapCheckResult>;

/** Run discovery on a stored connection: the proposal is returned to review, never stored. */
export const DataMapDiscover = z
  .object({
    connection: DataMapConnectionName,
    system: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and - (a system id)')
      .optional()
      .openapi({ description: 'The system id in the proposal; default: the connection name, lowercased' }),
    sampleSize: z.number().int().min(0).max(1000).optional().openapi({ description: 'Rows sampled per table' }),
  })
  .strict()
  .openapi('DataMapDiscover');
export type DataMapDiscover = z.infer<typeof DataMapDiscover>;

export const DataMapDiscovery = z
  .object({
    map: DataMap.nullable().openapi({ description: 'A proposal to review (categories and strategies are guesses)' }),
    issues: z.array(z.string()),
    detections: z.array(
      z.object({
        table: z.string(),
        column: z.string(),
        category: DataCategory,
        identity: IdentityKind.optional(),
        confidence: z.enum(['high', 'medium']),
        reasons: z.array(z.string()).openapi({ description: 'Why: the column name, the share of sampled values' }),
      }),
    ),
    notFollowed: z.array(
      z.object({ table: z.string(), columns: z.array(z.string()), refTable: z.string(), why: z.string() }),
    ),
    stats: z.object({
      tables: z.number().int(),
      columns: z.number().int(),
      sampledTables: z.number().int(),
      durationMs: z.number().int(),
    }),
    report: z.string(),
  })
  .openapi('DataMapDiscovery');
export type DataMapDiscovery = z.infer<typeof DataMapDiscovery>;

/** Run the retention purge now; `dryRun` counts what would go and changes nothing. */
export const DataMapRetentionRun = z
  .object({ dryRun: z.boolean().default(false) })
  .strict()
  .openapi('DataMapRetentionRun');
export type DataMapRetentionRun = z.infer<typeof DataMapRetentionRun>;

export const DataMapRetentionReport = z
  .object({
    version: z.number().int(),
    at: z.string(),
    dryRun: z.boolean(),
    complete: z.boolean(),
    systems: z.array(
      z.object({
        system: z.string(),
        status: z.enum(['done', 'failed', 'skipped']),
        error: z.string().optional(),
        collections: z.array(
          z.object({
            collection: z.string(),
            table: z.string(),
            expired: z.number().int(),
            deleted: z.number().int(),
            anonymised: z.number().int(),
            cutoff: z.string().optional(),
          }),
        ),
      }),
    ),
  })
  .openapi('DataMapRetentionReport');
export type DataMapRetentionReport = z.infer<typeof DataMapRetentionReport>;
