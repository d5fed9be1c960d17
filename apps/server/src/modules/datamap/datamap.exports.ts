import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Database, Queryable, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { randomToken } from '../../lib/crypto.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import { decryptFileStream, encryptFileStream } from '../export/export.crypto.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { DataMapRepo, ExportRow } from './datamap.repo.ts';

export const EXPORT_PURGE_JOB = 'export.purge';

export type ExportView = {
  id: string;
  requestId: string;
  subjectId: string | null;
  kind: 'access' | 'portability';
  state: 'building' | 'ready' | 'failed' | 'purged';
  bytes: number | null;
  summary: Record<string, unknown> | null;
  expiresAt: string;
  downloads: number;
  createdAt: string;
};
export type ExportLink = { url: string; expiresAt: string };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const TOKEN_PREFIX = 'lf_dl_';

const toView = (r: ExportRow): ExportView => ({
  id: r.id,
  requestId: r.requestId,
  subjectId: r.subjectId,
  kind: r.kind,
  state: r.state,
  bytes: r.bytes,
  summary: r.summary,
  expiresAt: r.expiresAt.toISOString(),
  downloads: r.downloads,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Access packages at rest and on their way out: each is written encrypted (a fresh AES-256-GCM key per file, that key
 * sealed under the subject's data key, so erasing the person also makes every package of them unreadable), handed
 * out through a secret, expiring download link (a token, never the API key), and deleted once the window closes.
 */
export const createExportDelivery = (deps: {
  db: Database;
  repo: DataMapRepo;
  vault: Pick<Vault, 'encrypt' | 'decrypt' | 'sealForTenant' | 'openForTenant'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  logger: Logger;
  dir: string;
  days: number;
  publicUrl: string;
}) => {
  const { db, repo, vault, audit, clock } = deps;
  const inflight = new Map<string, Promise<ExportRow>>();
  const pathOf = (r: Pick<ExportRow, 'tenantId' | 'fileName'>) => join(deps.dir, r.tenantId, r.fileName);
  const removeFile = (r: Pick<ExportRow, 'tenantId' | 'fileName'>) => {
    if (r.fileName) rmSync(pathOf(r), { force: true });
  };
  const expiry = () => new Date(clock.now().getTime() + deps.days * 86_400_000);

  const sealKey = (q: Queryable, r: ExportRow, key: Buffer) =>
    r.subjectId
      ? vault.encrypt(q, r.tenantId, r.subjectId, `export:${r.id}`, key.toString('base64'))
      : vault.sealForTenant(q, r.tenantId, `export:${r.id}`, key.toString('base64'));
  const openKey = async (q: Queryable, r: ExportRow) => {
    if (!r.keySealed) return null;
    const b64 =
      r.sealedUnder === 'subject' && r.subjectId
        ? await vault.decrypt(q, r.tenantId, r.subjectId, `export:${r.id}`, r.keySealed)
        : await vault.openForTenant(q, r.tenantId, `export:${r.id}`, r.keySealed);
    return b64 === null ? null : Buffer.from(b64, 'base64');
  };

  const build = async (row: ExportRow, produce: (out: Writable) => Promise<Record<string, unknown>>) => {
    const key = randomBytes(32);
    // A fresh name per attempt: a build that died half way never leaves a file that looks like the finished one.
    const file = { tenantId: row.tenantId, fileName: `${row.id}.${randomBytes(6).toString('hex')}.lwfe` };
    mkdirSync(join(deps.dir, row.tenantId), { recursive: true, mode: 0o700 });
    const enc = encryptFileStream(key);
    const sink = createWriteStream(pathOf(file), { mode: 0o600 });
    enc.pipe(sink);
    try {
      const summary = await produce(enc);
      await finished(sink);
      const bytes = sink.bytesWritten;
      return await db.tenant(row.tenantId, async (tx) => {
        const now = clock.now();
        const done: Partial<ExportRow> = {
          state: 'ready',
          fileName: file.fileName,
          keySealed: await sealKey(tx, row, key),
          bytes,
          summary,
          expiresAt: expiry(),
          createdAt: now,
        };
        await repo.updateExport(tx, row.tenantId, row.id, done);
        await audit.append(tx, row.tenantId, {
          actor: 'lawful',
          action: 'export.ready',
          target: row.id,
          subjectId: row.subjectId,
          details: { requestId: row.requestId, kind: row.kind, bytes },
        });
        // What earlier attempts left (a build killed half way never recorded its file): only this one is the package.
        for (const f of readdirSync(join(deps.dir, row.tenantId)))
          if (f.startsWith(`${row.id}.`) && f !== file.fileName) removeFile({ tenantId: row.tenantId, fileName: f });
        return { ...row, ...done } as ExportRow;
      });
    } catch (err) {
      sink.destroy();
      removeFile(file);
      await db.tenant(row.tenantId, (tx) => repo.updateExport(tx, row.tenantId, row.id, { state: 'failed' }));
      throw err;
    }
  };

  /**
   * One build of a package at a time, across processes: the builder holds a transaction-scoped advisory lock for
   * as long as it builds. A second process waits for it and then finds the package ready; the lock of a process
   * that died went with its connection, so the package is built again. PGlite serves one process: `inflight` does.
   */
  const buildOnce = async (row: ExportRow, produce: (out: Writable) => Promise<Record<string, unknown>>) => {
    if (db.kind === 'pglite') return build(row, produce);
    return db.tenant(row.tenantId, async (tx) => {
      await db.rawOf(tx).query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`export:${row.id}`]);
      const now = (await repo.exportById(tx, row.tenantId, row.id)) ?? row;
      if (now.state === 'ready') return now;
      if (now.state === 'purged') throw new AppError('RULE_VIOLATION', 'the package for this request was purged');
      return build(now, produce);
    });
  };

  /**
   * The package for (request, kind), built once. A second caller waits for the build in progress; a build left
   * `building` by a crashed process, or one that failed, is started again (check 66).
   */
  const ensure = (
    target: { tenantId: string; requestId: string; subjectId: string | null; kind: 'access' | 'portability' },
    produce: (out: Writable) => Promise<Record<string, unknown>>,
  ): Promise<ExportRow> => {
    const k = `${target.tenantId}:${target.requestId}:${target.kind}`;
    const running = inflight.get(k);
    if (running) return running;
    const p = (async () => {
      const { tenantId } = target;
      const row = await db.tenant(tenantId, async (tx) => {
        const existing = await repo.exportFor(tx, tenantId, target.requestId, target.kind);
        if (existing) return existing;
        const now = clock.now();
        const fresh = {
          tenantId,
          id: newId('export', now.getTime()),
          requestId: target.requestId,
          subjectId: target.subjectId,
          kind: target.kind,
          state: 'building' as const,
          fileName: '',
          keySealed: null,
          sealedUnder: target.subjectId ? ('subject' as const) : ('tenant' as const),
          bytes: null,
          summary: null,
          tokenHash: null,
          expiresAt: expiry(),
          downloads: 0,
          createdAt: now,
          purgedAt: null,
        };
        await repo.claimExport(tx, fresh);
        return (await repo.exportFor(tx, tenantId, target.requestId, target.kind))!;
      });
      if (row.state === 'ready') return row;
      if (row.state === 'purged') throw new AppError('RULE_VIOLATION', 'the package for this request was purged');
      return buildOnce(row, produce);
    })().finally(() => inflight.delete(k));
    inflight.set(k, p);
    return p;
  };

  const linkTo = async (tx: Tx, r: ExportRow, actor: string): Promise<ExportLink> => {
    if (r.state !== 'ready')
      throw new AppError('INVALID_TRANSITION', `the package is ${r.state}`, { field: 'exportId' });
    if (r.expiresAt <= clock.now()) throw new AppError('INVALID_TRANSITION', 'the package has expired');
    const token = `${TOKEN_PREFIX}${randomToken(32)}`;
    await repo.updateExport(tx, r.tenantId, r.id, { tokenHash: sha256(token) });
    await audit.append(tx, r.tenantId, {
      actor,
      action: 'export.link',
      target: r.id,
      subjectId: r.subjectId,
      details: { requestId: r.requestId, expiresAt: r.expiresAt.toISOString() },
    });
    return {
      url: `${deps.publicUrl}/v1/exports/${r.id}/download?token=${encodeURIComponent(token)}`,
      expiresAt: r.expiresAt.toISOString(),
    };
  };

  return {
    ensure,
    list: (tenantId: string, requestId: string) =>
      db.tenant(tenantId, async (tx) => (await repo.exportsOfRequest(tx, tenantId, requestId)).map(toView)),
    get: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => {
        const r = await repo.exportById(tx, tenantId, id);
        if (!r) throw notFound('export');
        return toView(r);
      }),
    /**
     * A new secret download link for a ready package (an earlier link stops working). It is valid until the package
     * expires; pass it to the request's completion as `download`.
     */
    link: (tenantId: string, id: string, actor: string): Promise<ExportLink> =>
      db.tenant(tenantId, async (tx) => {
        const r = await repo.exportById(tx, tenantId, id);
        if (!r) throw notFound('export');
        return linkTo(tx, r, actor);
      }),
    /**
     * The link for the ready package of (request, kind), inside the caller's transaction: the request engine sends
     * it when the request completes by itself. Null when no such package is ready.
     */
    linkForRequest: async (
      tx: Tx,
      tenantId: string,
      requestId: string,
      kind: 'access' | 'portability',
    ): Promise<ExportLink | null> => {
      const r = await repo.exportFor(tx, tenantId, requestId, kind);
      if (r?.state !== 'ready' || r.expiresAt <= clock.now()) return null;
      return linkTo(tx, r, 'lawful');
    },
    /** The decrypted bytes of the ready package of (request, kind), for a direct transfer; null when there is none. */
    openForRequest: async (q: Queryable, tenantId: string, requestId: string, kind: 'access' | 'portability') => {
      const r = await repo.exportFor(q, tenantId, requestId, kind);
      const key = r?.state === 'ready' ? await openKey(q, r) : null;
      return r && key ? { exportId: r.id, body: createReadStream(pathOf(r)).pipe(decryptFileStream(key)) } : null;
    },
    /** Opens a package for its holder of the link; every failure looks the same from outside (404). */
    download: async (id: string, token: string): Promise<{ body: Readable; fileName: string }> => {
      const gone = () => new AppError('NOT_FOUND', 'this download link is not valid or has expired');
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) throw gone();
      const hash = sha256(token);
      const found = await repo.exportByToken(db.system, hash);
      if (!found || found.id !== id || !timingSafeEqual(Buffer.from(found.tokenHash ?? ''), Buffer.from(hash)))
        throw gone();
      if (found.state !== 'ready' || found.expiresAt <= clock.now()) throw gone();
      const key = await db.tenant(found.tenantId, async (tx) => {
        const k = await openKey(tx, found);
        if (!k) return null;
        await repo.updateExport(tx, found.tenantId, found.id, { downloads: found.downloads + 1 });
        await audit.append(tx, found.tenantId, {
          actor: 'download-link',
          action: 'export.download',
          target: found.id,
          subjectId: found.subjectId,
          details: { requestId: found.requestId },
        });
        return k;
      });
      if (!key) throw gone();
      const body = createReadStream(pathOf(found)).pipe(decryptFileStream(key));
      return { body, fileName: `${found.kind}-${found.requestId}.zip` };
    },
    /** Deletes packages whose window has closed: the file, its sealed key and its link. */
    purgeExpired: async () => {
      let purged = 0;
      for (const r of await repo.expiredExports(db.system, clock.now())) {
        removeFile(r);
        await db.tenant(r.tenantId, async (tx) => {
          await repo.updateExport(tx, r.tenantId, r.id, {
            state: 'purged',
            keySealed: null,
            tokenHash: null,
            purgedAt: clock.now(),
          });
          await audit.append(tx, r.tenantId, {
            actor: 'lawful',
            action: 'export.purge',
            target: r.id,
            subjectId: r.subjectId,
            details: { requestId: r.requestId },
          });
        });
        purged++;
      }
      if (purged > 0) deps.logger.info({ purged }, 'expired access packages deleted');
      return purged;
    },
    /** On erasure: every package of the subject goes at once, whatever its window (the key is shredded anyway). */
    purgeSubject: async (q: Queryable, tenantId: string, subjectId: string) => {
      let purged = 0;
      for (const r of await repo.exportsOfSubject(q, tenantId, subjectId)) {
        if (r.state === 'purged') continue;
        removeFile(r);
        await repo.updateExport(q, tenantId, r.id, {
          state: 'purged',
          keySealed: null,
          tokenHash: null,
          purgedAt: clock.now(),
        });
        purged++;
      }
      return purged;
    },
  };
};
export type ExportDelivery = ReturnType<typeof createExportDelivery>;
