import type { BannerConfig, BannerConsentRecord } from '../../contract/src/banner.ts';

/**
 * POST one record to the consent API. The publishable key goes in `Authorization: Bearer` (never in the URL); `keepalive`
 * lets the request finish when the person navigates away right after clicking. Resolves only on a 2xx.
 */
export const send = async (cfg: BannerConfig, rec: BannerConsentRecord): Promise<void> => {
  const r = await fetch(cfg.consent.endpoint, {
    method: 'POST',
    keepalive: true,
    mode: 'cors',
    credentials: 'omit',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.consent.publishableKey}` },
    body: JSON.stringify(rec),
  });
  if (!r.ok) throw new Error(`consent API answered ${r.status}`);
};

/**
 * Last chance when the page is going away with records still unacknowledged: sendBeacon cannot set headers, so the key
 * travels in the body, and as text/plain so no CORS preflight is needed. The server dedupes by idempotencyKey, and the
 * records stay pending, so the next page load retries them anyway.
 */
export const beacon = (cfg: BannerConfig, recs: BannerConsentRecord[]): void => {
  for (const rec of recs) {
    navigator.sendBeacon?.(
      cfg.consent.endpoint,
      new Blob([JSON.stringify({ ...rec, publishableKey: cfg.consent.publishableKey })], { type: 'text/plain' }),
    );
  }
};
