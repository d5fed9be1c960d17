import { readFileSync } from 'node:fs';
import { renderBannerScript } from '../../../../../packages/banner/src/serve.ts';
import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { NoticesRepo } from '../notices/notices.repo.ts';
import type { Vault } from '../vault/vault.service.ts';
import { siteConfigPart } from './banner.config.ts';
import type { BannerRepo } from './banner.repo.ts';
import type { SiteDefinition } from './banner.schemas.ts';
import { keyField, latestPublished } from './sites.service.ts';

export type Bundle = { source: string; version: string; tcf: string };

/** The built banner (`npm run build -w @lawful/banner`), read once. */
export const readBuiltBundle = (): Bundle => {
  const dist = new URL('../../../../../packages/banner/dist/', import.meta.url);
  try {
    const manifest = JSON.parse(readFileSync(new URL('manifest.json', dist), 'utf8')) as { version: string };
    return {
      source: readFileSync(new URL('banner.js', dist), 'utf8'),
      tcf: readFileSync(new URL('tcf.js', dist), 'utf8'),
      version: manifest.version,
    };
  } catch {
    throw new AppError('UNAVAILABLE', 'the banner bundle is not built: run npm run build -w @lawful/banner');
  }
};

export type ServedScript = {
  body: string;
  etag: string;
  integrity: string;
  pinnedPath: string;
  bannerVersion: string;
  noticeVersionId: string;
  siteVersion: number;
};

const CACHE_MAX = 2000;

/**
 * Renders `GET /v1/banner/{siteId}.js`. Rendered bodies are kept in memory by (site version, notice version, endpoint):
 * a request then costs one indexed lookup of the site and one of the notice. Each body is also stored by digest the
 * first time it is rendered, so its pinned (SRI) URL answers the same bytes for as long as a page may embed it.
 */
export const createBannerScripts = (deps: {
  db: Database;
  repo: BannerRepo;
  vault: Pick<Vault, 'openForTenant'>;
  notices: Pick<NoticesRepo, 'noticeByKey' | 'versions'>;
  clock: Clock;
  bundle?: () => Bundle;
}) => {
  const { db, repo } = deps;
  let bundle: Bundle | undefined;
  const getBundle = () => {
    bundle ??= (deps.bundle ?? readBuiltBundle)();
    return bundle;
  };
  const rendered = new Map<string, ServedScript>();
  // A site version never changes once written, so its definition can be kept as long as memory allows.
  const definitions = new Map<string, SiteDefinition>();
  const remember = (k: string, s: ServedScript) => {
    if (rendered.size >= CACHE_MAX) rendered.delete(rendered.keys().next().value!);
    rendered.set(k, s);
  };

  const latest = async (siteId: string, endpoint: string): Promise<ServedScript> => {
    const loc = await repo.locate(db.system, siteId);
    if (!loc) throw new AppError('NOT_FOUND', `no site ${siteId}`);
    return db.tenant(loc.tenantId, async (tx) => {
      const vk = `${siteId}\n${loc.currentVersion}`;
      let d = definitions.get(vk);
      if (!d) {
        d = (await repo.version(tx, loc.tenantId, siteId, loc.currentVersion))!.definition as SiteDefinition;
        if (definitions.size >= CACHE_MAX) definitions.delete(definitions.keys().next().value!);
        definitions.set(vk, d);
      }
      const v = { version: loc.currentVersion };
      const { version: notice } = await latestPublished(deps.notices, tx, loc.tenantId, d.noticeKey);
      if (!notice?.rendered)
        throw new AppError('RULE_VIOLATION', `notice "${d.noticeKey}" has no published version: the banner needs one`, {
          field: 'noticeKey',
        });
      const cacheKey = `${siteId}\n${v.version}\n${notice.id}\n${endpoint}`;
      const hit = rendered.get(cacheKey);
      if (hit) return hit;
      const b = getBundle();
      const site = (await repo.site(tx, loc.tenantId, siteId))!;
      const locales = notice.rendered;
      const shown = locales[d.defaultLocale] ?? locales.en ?? Object.values(locales)[0]!;
      const { servicesHash: _h, ...part } = siteConfigPart(d);
      const out = renderBannerScript(b.source, {
        ...part,
        siteId,
        bannerVersion: b.version,
        notice: { versionId: notice.id, hash: shown.sha256, ...(d.noticeUrl ? { url: d.noticeUrl } : {}) },
        consent: {
          endpoint,
          publishableKey: await deps.vault.openForTenant(
            tx,
            loc.tenantId,
            keyField(siteId),
            site.publishableKeySealed!,
          ),
        },
      });
      const digest = out.pinnedPath.split('/').pop()!.replace(/\.js$/, '');
      await repo.insertScript(tx, {
        tenantId: loc.tenantId,
        digest,
        siteId,
        siteVersion: v.version,
        noticeVersionId: notice.id,
        bannerVersion: b.version,
        integrity: out.integrity,
        bundleHash: out.bundleHash,
        body: out.body,
        createdAt: deps.clock.now(),
      });
      const s: ServedScript = {
        body: out.body,
        etag: `"${digest}"`,
        integrity: out.integrity,
        pinnedPath: out.pinnedPath,
        bannerVersion: b.version,
        noticeVersionId: notice.id,
        siteVersion: v.version,
      };
      remember(cacheKey, s);
      return s;
    });
  };

  /** The body behind a pinned URL, byte for byte, or NOT_FOUND. */
  const pinned = async (siteId: string, bannerVersion: string, digest: string): Promise<string> => {
    const loc = await repo.locate(db.system, siteId);
    if (!loc || !/^[0-9a-f]{32}$/.test(digest)) throw new AppError('NOT_FOUND', 'no such banner script');
    const row = await db.tenant(loc.tenantId, (tx) => repo.script(tx, loc.tenantId, digest));
    if (!row || row.siteId !== siteId || row.bannerVersion !== bannerVersion)
      throw new AppError('NOT_FOUND', 'no such banner script');
    return row.body;
  };

  return { latest, pinned, tcf: () => getBundle().tcf, bannerVersion: () => getBundle().version };
};
export type BannerScripts = ReturnType<typeof createBannerScripts>;
