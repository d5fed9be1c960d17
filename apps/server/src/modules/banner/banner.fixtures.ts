import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BannerConsentRecord } from '@lawful/contract';
import { newId } from '../../lib/ids.ts';

const bannerPkg = fileURLToPath(new URL('../../../../../packages/banner/', import.meta.url));

/** Tests serve the bundle a site would get: build it once if it is missing. */
export const ensureBannerBuilt = () => {
  if (!existsSync(`${bannerPkg}dist/banner.js`) || !existsSync(`${bannerPkg}dist/manifest.json`))
    execFileSync(process.execPath, ['build.mjs'], { cwd: bannerPkg, stdio: 'pipe' });
};

/** A site with the four standard categories; purposes come from consentReady(). */
export const siteBody = (origins: string[], o: Record<string, unknown> = {}) => ({
  name: 'Acme shop',
  allowedOrigins: origins,
  noticeKey: 'signup',
  categories: [
    {
      key: 'necessary',
      services: [
        {
          id: 'session',
          name: 'Session',
          vendor: 'Acme',
          cookies: [{ name: 'sid', durationSeconds: 0, thirdParty: false, purpose: { en: 'Session' }, vendor: 'Acme' }],
        },
      ],
    },
    {
      key: 'analytics',
      purposeKey: 'product-analytics',
      services: [
        {
          id: 'matomo',
          name: 'Matomo',
          vendor: 'InnoCraft',
          cookies: [
            {
              name: '^_pk_id',
              pattern: true,
              durationSeconds: 33_696_000,
              thirdParty: false,
              purpose: { en: 'Visit counting' },
              vendor: 'InnoCraft',
            },
          ],
        },
      ],
    },
    { key: 'marketing', purposeKey: 'marketing-email', services: [] },
  ],
  ...o,
});

/** A record as the banner would post it. */
export const bannerRecord = (
  site: { id: string; servicesHash: string },
  notice: { versionId: string; hash: string },
  decisions: BannerConsentRecord['decisions'],
  o: Partial<BannerConsentRecord> = {},
): BannerConsentRecord => ({
  idempotencyKey: newId('bannerRecord'),
  siteId: site.id,
  deviceId: newId('device'),
  noticeVersionId: notice.versionId,
  noticeHash: notice.hash,
  servicesHash: site.servicesHash,
  bannerVersion: '0.1.0',
  bundleHash: `sha384-${'A'.repeat(64)}`,
  locale: 'en',
  jurisdiction: 'eu',
  action: { kind: 'accept_all', layer: 'first', label: 'Accept all' },
  decisions,
  gpc: false,
  occurredAt: '2026-01-01T10:00:00.000Z',
  pageUrl: 'https://shop.acme.test/',
  ...o,
});
