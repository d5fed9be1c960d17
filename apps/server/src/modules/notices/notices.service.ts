import type { CreateNotice, NoticeDraft, NoticeVersion } from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import { toPurpose } from '../purposes/purposes.service.ts';
import { renderNotice } from './notices.render.ts';
import type { NoticeRow, NoticesRepo, NoticeVersionRow } from './notices.repo.ts';

const toVersion = (n: NoticeRow, v: NoticeVersionRow): NoticeVersion => ({
  id: v.id,
  noticeId: n.id,
  noticeKey: n.key,
  version: v.version,
  status: v.status,
  purposes: v.purposes,
  texts: v.texts,
  rendered: v.rendered,
  effectiveAt: v.effectiveAt?.toISOString() ?? null,
  publishedAt: v.publishedAt?.toISOString() ?? null,
  createdAt: v.createdAt.toISOString(),
});

export const createNoticesService = (deps: {
  db: Database;
  repo: NoticesRepo;
  purposes: Pick<PurposesService, 'current'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, purposes, audit, clock } = deps;

  const checkPurposes = async (q: Queryable, tenantId: string, keys: string[]) => {
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup) throw new AppError('VALIDATION_FAILED', `purpose "${dup}" is listed twice`, { field: 'draft.purposes' });
    for (const [i, key] of keys.entries()) await purposes.current(q, tenantId, key, `draft.purposes.${i}`);
  };

  const newDraft = (
    tenantId: string,
    noticeId: string,
    version: number,
    d: NoticeDraft,
    actor: string,
  ): NoticeVersionRow => ({
    tenantId,
    id: newId('noticeVersion', clock.now().getTime()),
    noticeId,
    version,
    status: 'draft',
    texts: d.texts,
    purposes: d.purposes.map((key) => ({ key, version: null })),
    rendered: null,
    effectiveAt: d.effectiveAt ? new Date(d.effectiveAt) : null,
    publishedAt: null,
    createdAt: clock.now(),
    createdBy: actor,
  });

  /** The notice version a consent refers to, published, inside the caller's transaction. */
  const publishedVersion = async (q: Queryable, tenantId: string, id: string) => {
    const v = await repo.version(q, tenantId, id);
    if (!v) throw new AppError('NOT_FOUND', `no notice version ${id}`, { field: 'noticeVersionId' });
    if (v.status !== 'published' || !v.rendered) {
      throw new AppError(
        'RULE_VIOLATION',
        `notice version ${id} is a draft: consent needs a published notice (check 6)`,
        {
          field: 'noticeVersionId',
        },
      );
    }
    return v;
  };

  return {
    publishedVersion,
    exists: (tenantId: string, key: string) =>
      db.tenant(tenantId, async (tx) => (await repo.noticeByKey(tx, tenantId, key)) !== undefined),
    versionExists: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => (await repo.version(tx, tenantId, id)) !== undefined),
    create: (tenantId: string, input: CreateNotice, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        if (await repo.noticeByKey(tx, tenantId, input.key)) {
          throw new AppError('CONFLICT', `notice "${input.key}" exists; add a version instead`, { field: 'key' });
        }
        await checkPurposes(tx, tenantId, input.draft.purposes);
        const notice = { tenantId, id: newId('notice'), key: input.key, name: input.name, createdAt: clock.now() };
        await repo.insertNotice(tx, notice);
        const v = newDraft(tenantId, notice.id, 1, input.draft, actor);
        await repo.insertVersion(tx, v);
        await audit.append(tx, tenantId, { actor, action: 'notice.create', target: v.id });
        return toVersion(notice, v);
      }),
    list: (tenantId: string) =>
      db.tenant(tenantId, async (tx) => {
        const out: NoticeVersion[] = [];
        for (const n of await repo.listNotices(tx, tenantId)) {
          const [latest] = await repo.versions(tx, tenantId, n.id);
          if (latest) out.push(toVersion(n, latest));
        }
        return out;
      }),
    versions: (tenantId: string, key: string) =>
      db.tenant(tenantId, async (tx) => {
        const n = await repo.noticeByKey(tx, tenantId, key);
        if (!n) throw notFound('notice');
        return (await repo.versions(tx, tenantId, n.id)).map((v) => toVersion(n, v));
      }),
    /** A new draft version (the previous versions, published or not, stay as they are). */
    addVersion: (tenantId: string, key: string, d: NoticeDraft, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const n = await repo.noticeByKey(tx, tenantId, key);
        if (!n) throw notFound('notice');
        await checkPurposes(tx, tenantId, d.purposes);
        const [latest] = await repo.versions(tx, tenantId, n.id);
        const v = newDraft(tenantId, n.id, (latest?.version ?? 0) + 1, d, actor);
        await repo.insertVersion(tx, v);
        await audit.append(tx, tenantId, { actor, action: 'notice.version.create', target: v.id });
        return toVersion(n, v);
      }),
    get: (tenantId: string, versionId: string) =>
      db.tenant(tenantId, async (tx) => {
        const v = await repo.version(tx, tenantId, versionId);
        if (!v) throw notFound('notice version');
        return toVersion((await repo.noticeById(tx, tenantId, v.noticeId))!, v);
      }),
    updateDraft: (tenantId: string, versionId: string, d: NoticeDraft, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const v = await repo.version(tx, tenantId, versionId);
        if (!v) throw notFound('notice version');
        if (v.status === 'published') {
          throw new AppError('CONFLICT', 'a published version never changes; add a new version instead');
        }
        await checkPurposes(tx, tenantId, d.purposes);
        const row = await repo.updateDraft(tx, tenantId, versionId, {
          texts: d.texts,
          purposes: d.purposes.map((key) => ({ key, version: null })),
          effectiveAt: d.effectiveAt ? new Date(d.effectiveAt) : null,
        });
        await audit.append(tx, tenantId, { actor, action: 'notice.version.update', target: versionId });
        return toVersion((await repo.noticeById(tx, tenantId, v.noticeId))!, row!);
      }),
    /**
     * Freezes a draft: renders each locale with the record of processing (controller, purposes with their data,
     * recipients, retention, ADM, transfers, right to withdraw — check 8), hashes it, and pins purpose versions.
     */
    publish: (tenantId: string, versionId: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const v = await repo.version(tx, tenantId, versionId);
        if (!v) throw notFound('notice version');
        if (v.status === 'published') throw new AppError('CONFLICT', 'this version is already published');
        const controller = await repo.controller(tx, tenantId);
        if (!controller) {
          throw new AppError(
            'RULE_VIOLATION',
            'a notice must name the controller: set it first with PUT /v1/ropa/controller (check 8)',
            { field: 'controller' },
          );
        }
        const current = [];
        for (const [i, p] of v.purposes.entries())
          current.push(toPurpose(await purposes.current(tx, tenantId, p.key, `purposes.${i}`)));
        const rendered: Record<string, { html: string; sha256: string }> = {};
        for (const [locale, t] of Object.entries(v.texts)) {
          rendered[locale] = renderNotice({
            locale,
            title: t.title,
            markdown: t.markdown,
            controller,
            purposes: current,
          });
        }
        const now = clock.now();
        const row = await repo.updateDraft(tx, tenantId, versionId, {
          status: 'published',
          rendered,
          purposes: current.map((p) => ({ key: p.key, version: p.version })),
          publishedAt: now,
          effectiveAt: v.effectiveAt ?? now,
        });
        await audit.append(tx, tenantId, {
          actor,
          action: 'notice.publish',
          target: versionId,
          details: { hashes: Object.values(rendered).map((r) => r.sha256) },
        });
        return toVersion((await repo.noticeById(tx, tenantId, v.noticeId))!, row!);
      }),
  };
};
export type NoticesService = ReturnType<typeof createNoticesService>;
