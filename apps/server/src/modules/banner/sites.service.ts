import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { canonicalJson } from '../../lib/hash-chain.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { KeysService } from '../keys/keys.service.ts';
import type { NoticesRepo } from '../notices/notices.repo.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import { toPurpose } from '../purposes/purposes.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { isExempt, siteConfigPart } from './banner.config.ts';
import type { BannerRepo, SiteRow, SiteVersionRow } from './banner.repo.ts';
import type { Site, SiteDefinition } from './banner.schemas.ts';

export const keyField = (siteId: string) => `banner-site:${siteId}:publishable-key`;

/** The latest published version of a notice, inside the caller's transaction, or undefined. */
export const latestPublished = async (
  notices: Pick<NoticesRepo, 'noticeByKey' | 'versions'>,
  q: Queryable,
  tenantId: string,
  noticeKey: string,
) => {
  const n = await notices.noticeByKey(q, tenantId, noticeKey);
  if (!n) return { notice: undefined, version: undefined };
  const version = (await notices.versions(q, tenantId, n.id)).find((v) => v.status === 'published' && v.rendered);
  return { notice: n, version };
};

/** Sites: which origins embed the banner, what it lists, which purpose each choice is recorded under. Versioned. */
export const createSitesService = (deps: {
  db: Database;
  repo: BannerRepo;
  keys: Pick<KeysService, 'createIn' | 'revoke'>;
  vault: Pick<Vault, 'sealForTenant' | 'openForTenant'>;
  purposes: Pick<PurposesService, 'current'>;
  notices: Pick<NoticesRepo, 'noticeByKey' | 'versions'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, audit, clock } = deps;

  /** Rules that need the database: the notice exists, each purpose rests on consent and is in the notice. */
  const check = async (tx: Queryable, tenantId: string, d: SiteDefinition) => {
    const part = siteConfigPart(d);
    const { notice, version } = await latestPublished(deps.notices, tx, tenantId, d.noticeKey);
    if (!notice) throw new AppError('NOT_FOUND', `no notice "${d.noticeKey}"`, { field: 'noticeKey' });
    const asked = version ? new Set(version.purposes.map((p) => p.key)) : undefined;
    const keys = d.categories.flatMap((c, i) => [
      ...(c.purposeKey && !isExempt(c, d) ? [{ key: c.purposeKey, field: `categories.${i}.purposeKey` }] : []),
      ...c.services.flatMap((s, j) =>
        s.purposeKey ? [{ key: s.purposeKey, field: `categories.${i}.services.${j}.purposeKey` }] : [],
      ),
    ]);
    for (const { key, field } of keys) {
      const p = toPurpose(await deps.purposes.current(tx, tenantId, key, field));
      if (!p.allowedBases.includes('consent'))
        throw new AppError(
          'RULE_VIOLATION',
          `purpose "${key}" does not allow the basis consent: storing or reading on a device needs consent (ePrivacy Art. 5(3); check 23)`,
          { field },
        );
      if (asked && !asked.has(key))
        throw new AppError('RULE_VIOLATION', `the published notice "${d.noticeKey}" does not ask about "${key}"`, {
          field,
        });
    }
    return part.servicesHash;
  };

  const toSite = async (tx: Queryable, s: SiteRow, v: SiteVersionRow): Promise<Site> => ({
    id: s.id,
    version: v.version,
    definition: v.definition as SiteDefinition,
    servicesHash: v.servicesHash,
    publishableKey: await deps.vault.openForTenant(tx, s.tenantId, keyField(s.id), s.publishableKeySealed!),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  });

  const load = async (tx: Queryable, tenantId: string, id: string) => {
    const s = await repo.site(tx, tenantId, id);
    if (!s) throw notFound('site');
    return { s, v: (await repo.version(tx, tenantId, id, s.currentVersion))! };
  };

  return {
    create: (tenantId: string, d: SiteDefinition, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const hash = await check(tx, tenantId, d);
        const now = clock.now();
        const id = newId('site', now.getTime());
        // One publishable key per site: it is inlined in the script, and the consent route accepts only this key.
        const key = await deps.keys.createIn(tx, tenantId, { name: `banner ${id}`, role: 'publishable' }, actor);
        const s: SiteRow = {
          tenantId,
          id,
          name: d.name,
          currentVersion: 1,
          allowedOrigins: d.allowedOrigins,
          publishableKeyId: key.id,
          publishableKeySealed: await deps.vault.sealForTenant(tx, tenantId, keyField(id), key.secret),
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
        };
        const v: SiteVersionRow = {
          tenantId,
          siteId: id,
          version: 1,
          definition: d as unknown as Record<string, unknown>,
          servicesHash: hash,
          createdAt: now,
          createdBy: actor,
        };
        await repo.insertSite(tx, s);
        await repo.insertVersion(tx, v);
        await audit.append(tx, tenantId, { actor, action: 'banner.site.create', target: id, details: { version: 1 } });
        return toSite(tx, s, v);
      }),

    /** A change is a new version; an identical definition changes nothing. */
    update: (tenantId: string, id: string, d: SiteDefinition, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const { s, v: prev } = await load(tx, tenantId, id);
        if (canonicalJson(prev.definition) === canonicalJson(d)) return toSite(tx, s, prev);
        const hash = await check(tx, tenantId, d);
        const now = clock.now();
        const v: SiteVersionRow = {
          tenantId,
          siteId: id,
          version: prev.version + 1,
          definition: d as unknown as Record<string, unknown>,
          servicesHash: hash,
          createdAt: now,
          createdBy: actor,
        };
        await repo.insertVersion(tx, v);
        const set = { name: d.name, currentVersion: v.version, allowedOrigins: d.allowedOrigins, updatedAt: now };
        await repo.updateSite(tx, tenantId, id, set);
        await audit.append(tx, tenantId, {
          actor,
          action: 'banner.site.update',
          target: id,
          details: { version: v.version, servicesChanged: hash !== prev.servicesHash },
        });
        return toSite(tx, { ...s, ...set }, v);
      }),

    get: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => {
        const { s, v } = await load(tx, tenantId, id);
        return toSite(tx, s, v);
      }),

    list: (tenantId: string) =>
      db.tenant(tenantId, async (tx) => {
        const out: Site[] = [];
        for (const s of await repo.sites(tx, tenantId))
          out.push(await toSite(tx, s, (await repo.version(tx, tenantId, s.id, s.currentVersion))!));
        return out;
      }),

    /** Stops serving the banner and revokes the site's key; versions, scripts and receipts stay as proof. */
    remove: async (tenantId: string, id: string, actor: string) => {
      const keyId = await db.tenant(tenantId, async (tx) => {
        const { s } = await load(tx, tenantId, id);
        await repo.updateSite(tx, tenantId, id, { deletedAt: clock.now(), publishableKeySealed: null });
        await audit.append(tx, tenantId, { actor, action: 'banner.site.delete', target: id });
        return s.publishableKeyId;
      });
      await deps.keys.revoke(tenantId, keyId, actor);
    },
  };
};
export type SitesService = ReturnType<typeof createSitesService>;
