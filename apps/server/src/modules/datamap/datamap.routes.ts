import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  DataMapCheckResult as CheckResult,
  DataMapConnection as Connection,
  DataMapConnectionInput as ConnectionBody,
  Correction,
  DataMap,
  DataMapConnectionName,
  DataMapDiscover,
  DataMapDiscovery,
  DataMapRetentionReport,
  DataMapRetentionRun,
  StoredDataMap as Stored,
  DataMapVersionList as VersionList,
} from '@lawful/contract';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { ADMIN, guarded, IdParam, json, jsonBody, OFFICER, READER, STAFF } from '../../http/route.ts';
import { AppError } from '../../lib/errors.ts';
import type { ExportDelivery } from './datamap.exports.ts';
import type { RetentionPurge } from './datamap.retention-job.ts';
import type { DataMapRunner } from './datamap.runner.ts';
import type { DataMapStore } from './datamap.store.ts';

/** The download link works without an API key: the token in it is the credential. */
export const exportDownloadPath = /^\/v1\/exports\/exp_[0-9A-HJKMNP-TV-Z]{26}\/download$/;

const schemaJson = JSON.parse(readFileSync(new URL('./datamap.schema.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

const ConnectionName = z.object({
  name: DataMapConnectionName.openapi({ param: { name: 'name', in: 'path' }, example: 'shop' }),
});
const Rectify = z
  .object({
    requestId: z.string().regex(/^req_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a req_… id'),
    changes: z.array(Correction).min(1).max(100),
  })
  .strict()
  .openapi('DataMapRectify');
const RectifyResult = z.object({
  complete: z.boolean(),
  systems: z.array(
    z.object({
      system: z.string(),
      status: z.enum(['done', 'failed']),
      changed: z.array(z.object({ collection: z.string(), column: z.string() })),
      error: z.string().optional(),
    }),
  ),
});
const ExportView = z
  .object({
    id: z.string(),
    requestId: z.string(),
    subjectId: z.string().nullable(),
    kind: z.enum(['access', 'portability']),
    state: z.enum(['building', 'ready', 'failed', 'purged']),
    bytes: z.number().nullable(),
    summary: z.record(z.string(), z.unknown()).nullable(),
    expiresAt: z.string(),
    downloads: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('ExportPackage');
const ExportLink = z.object({ url: z.string(), expiresAt: z.string() }).openapi('ExportLink');
const ExportIdParam = IdParam('exportId', 'exp');
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];

export const dataMapRoutes = (deps: {
  store: DataMapStore;
  runner: DataMapRunner;
  exports: ExportDelivery;
  retention: RetentionPurge;
}) => {
  const { store, exports } = deps;
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/datamap',
      tags: ['Data map'],
      summary: 'The current data map (or an earlier version with ?version=N)',
      request: { query: VersionQuery },
      responses: { 200: json(Stored, 'The data map') },
    }),
    async (c) => c.json(await store.get(c.var.principal.tenantId, c.req.valid('query').version), 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'put',
      path: '/v1/datamap',
      tags: ['Data map'],
      summary: 'Store a new version of the data map (YAML or JSON); every problem is reported at once',
      request: {
        body: {
          // Not `required`: the validator would then hold a YAML body to the JSON schema. The handler insists on one.
          required: false,
          content: {
            'application/json': { schema: DataMap },
            'application/yaml': { schema: z.string().openapi({ description: 'the same document as YAML' }) },
          },
        },
      },
      responses: {
        200: json(Stored, 'Unchanged: identical to the current version'),
        201: json(Stored, 'A new version'),
      },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      let text: string;
      if (type === 'application/json') text = JSON.stringify(c.req.valid('json'));
      // YAML is not something the OpenAPI validator parses; loadDataMap validates it with the same schema instead.
      else if (YAML_TYPES.includes(type)) text = await c.req.text();
      else throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the data map as application/json or application/yaml');
      const r = await store.put(c.var.principal.tenantId, text, actorOf(c.var.principal));
      return c.json(r, r.created ? 201 : 200);
    },
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/datamap/versions',
      tags: ['Data map'],
      summary: 'Every stored version of the data map, oldest first',
      responses: { 200: json(VersionList, 'Versions') },
    }),
    async (c) => c.json({ data: await store.versions(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(READER, {
      method: 'get',
      path: '/v1/datamap/schema.json',
      tags: ['Data map'],
      summary: 'JSON Schema of the data map document (for editors and CI)',
      responses: { 200: json(z.record(z.string(), z.unknown()), 'JSON Schema 2020-12') },
    }),
    async (c) => c.json(schemaJson, 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'get',
      path: '/v1/datamap/connections',
      tags: ['Data map'],
      summary: 'Named connections (engine and options; the URL is never returned)',
      responses: { 200: json(z.object({ data: z.array(Connection) }), 'Connections') },
    }),
    async (c) => c.json({ data: await store.connections(c.var.principal.tenantId) }, 200),
  );
  app.openapi(
    guarded(ADMIN, {
      method: 'put',
      path: '/v1/datamap/connections/{name}',
      tags: ['Data map'],
      summary: 'Create (engine and url) or change a named connection; the URL is sealed at once',
      request: { params: ConnectionName, ...jsonBody(ConnectionBody) },
      responses: { 200: json(Connection, 'The connection, without its URL') },
    }),
    async (c) =>
      c.json(
        await store.setConnection(
          c.var.principal.tenantId,
          c.req.valid('param').name,
          c.req.valid('json'),
          actorOf(c.var.principal),
        ),
        200,
      ),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/datamap/check',
      tags: ['Data map'],
      summary: 'Check the current data map against the live systems (tables, columns, types, unmapped personal data)',
      responses: { 200: json(CheckResult, 'The check') },
    }),
    async (c) => c.json(await store.check(c.var.principal.tenantId, actorOf(c.var.principal)), 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/datamap/retention:run',
      tags: ['Data map'],
      summary: 'Purge what is past its retention period in the connected systems now (or count it, with dryRun)',
      description:
        'The daily job does the same for every tenant. Rows deleted whole or kept under an Art. 17(3) ground are ' +
        'deleted with the rows that belong to them; rows anonymised in place get their fields anonymised. One ' +
        'transaction per system; counts are audited.',
      request: jsonBody(DataMapRetentionRun),
      responses: { 200: json(DataMapRetentionReport, 'What was (or would be) purged, per system and collection') },
    }),
    async (c) =>
      c.json(await deps.retention.run(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/datamap/discover',
      tags: ['Data map'],
      summary: 'Propose a data map from a stored connection’s schema and sample rows (returned to review, not stored)',
      request: jsonBody(DataMapDiscover),
      responses: { 200: json(DataMapDiscovery, 'The proposal, what was detected and why') },
    }),
    async (c) =>
      c.json(await store.discover(c.var.principal.tenantId, c.req.valid('json'), actorOf(c.var.principal)), 200),
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/datamap/rectify',
      tags: ['Data map'],
      summary: "Apply a rectification request's corrections in every mapped system (Art. 16)",
      request: jsonBody(Rectify),
      responses: { 200: json(RectifyResult, 'What changed where (names, never values)') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await deps.runner.rectify(c.var.principal.tenantId, b.requestId, b.changes, actorOf(c.var.principal)),
        200,
      );
    },
  );
  app.openapi(
    guarded(STAFF, {
      method: 'get',
      path: '/v1/exports',
      tags: ['Exports'],
      summary: "A request's access and portability packages",
      request: {
        query: z.object({ requestId: z.string().regex(/^req_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a req_… id') }).strict(),
      },
      responses: { 200: json(z.object({ data: z.array(ExportView) }), 'Packages') },
    }),
    async (c) => c.json({ data: await exports.list(c.var.principal.tenantId, c.req.valid('query').requestId) }, 200),
  );
  app.openapi(
    guarded(OFFICER, {
      method: 'post',
      path: '/v1/exports/{exportId}/link',
      tags: ['Exports'],
      summary:
        'A secret download link for a ready package (valid until the package expires; earlier links stop working)',
      request: { params: ExportIdParam },
      responses: { 200: json(ExportLink, 'The link: give it to the request completion as `download`') },
    }),
    async (c) =>
      c.json(
        await exports.link(c.var.principal.tenantId, c.req.valid('param').exportId, actorOf(c.var.principal)),
        200,
      ),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/exports/{exportId}/download',
      tags: ['Exports'],
      summary: 'Download a package with the secret link (no API key); the file is decrypted as it streams',
      request: {
        params: ExportIdParam,
        query: z.object({ token: z.string().min(1).max(200) }).strict(),
      },
      responses: {
        200: {
          description: 'The ZIP',
          content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
        },
      },
    }),
    async (c) => {
      const { body, fileName } = await exports.download(c.req.valid('param').exportId, c.req.valid('query').token);
      return c.body(Readable.toWeb(body) as ReadableStream, 200, {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${fileName}"`,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
    },
  );
  return app;
};
