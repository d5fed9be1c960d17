import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import type { KeysService } from '../keys/keys.service.ts';
import type { NoticesRepo } from '../notices/notices.repo.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import { createBannerConsent } from './banner.consent.ts';
import { createBannerRepo } from './banner.repo.ts';
import { type Bundle, createBannerScripts } from './banner.scripts.ts';
import { createSitesService } from './sites.service.ts';

/** The server side of the cookie banner: sites, rendered scripts, and the endpoint the banner records choices at. */
export const createBanner = (deps: {
  db: Database;
  keys: Pick<KeysService, 'createIn' | 'revoke' | 'authenticate'>;
  vault: Pick<Vault, 'sealForTenant' | 'openForTenant'>;
  purposes: Pick<PurposesService, 'current'>;
  notices: NoticesRepo;
  consent: Pick<ConsentService, 'recordIn'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  bundle?: () => Bundle;
}) => {
  const repo = createBannerRepo();
  return {
    sites: createSitesService({ ...deps, repo }),
    scripts: createBannerScripts({ ...deps, repo }),
    consent: createBannerConsent({ ...deps, repo }),
  };
};
export type Banner = ReturnType<typeof createBanner>;
