import { GVL, TCModel, TCString } from '@iabtcf/core';
import type { BannerConfig } from '../../contract/src/banner.ts';
import type { Choice } from './store.ts';

/**
 * Lazily loaded (dist/tcf.js, only for sites that set `tcf` in their config): encodes the person's choice as an IAB TCF
 * v2.2 TC string. Kept out of the main bundle because @iabtcf/core alone is several times the banner's size.
 *
 * @example
 * const { encode } = await import(config.tcf.moduleUrl);
 * const tc = await encode(config.tcf, { analytics: true, marketing: false }, 'en');
 */
export const encode = async (tcf: NonNullable<BannerConfig['tcf']>, c: Choice, _lang: string): Promise<string> => {
  const r = await fetch(tcf.vendorListUrl, { credentials: 'omit' });
  if (!r.ok) throw new Error(`vendor list answered ${r.status}`);
  const gvl = new GVL(await r.json());
  if (tcf.vendorIds.length) gvl.narrowVendorsTo(tcf.vendorIds);
  const m = new TCModel(gvl);
  m.cmpId = tcf.cmpId;
  m.cmpVersion = tcf.cmpVersion;
  m.publisherCountryCode = tcf.publisherCountryCode;
  m.isServiceSpecific = true;
  const granted = Object.entries(tcf.purposes).flatMap(([cat, ids]) => (c[cat] ? ids : []));
  m.purposeConsents.set(granted);
  // A vendor gets consent only when every TCF purpose it declares is among the granted ones.
  for (const id of tcf.vendorIds) {
    const v = gvl.vendors[String(id)];
    if (v && granted.length && v.purposes.every((p) => granted.includes(p))) m.vendorConsents.set(id);
  }
  // The consent language comes from the vendor list's language (EN unless a translated list is served).
  // Legitimate interest is never used for device access (check 23): no legIntPurposes are set.
  return TCString.encode(m);
};
