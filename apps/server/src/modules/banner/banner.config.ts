import {
  type BannerCategory,
  type BannerConfigInput,
  BannerTexts,
  defaultBannerTexts,
  defaultCategoryTexts,
  GoogleConsentMode,
  type LocalizedText,
  STANDARD_CATEGORIES,
} from '@lawful/contract';
import { servicesHash } from '../../../../../packages/banner/src/serve.ts';
import { AppError } from '../../lib/errors.ts';
import type { SiteCategory, SiteDefinition } from './banner.schemas.ts';

/**
 * Site definition → the banner's categories, texts and Consent Mode mapping. Pure: no database, no clock, so the same
 * definition always yields the same services hash (a changed hash re-prompts everyone).
 */

type Standard = (typeof STANDARD_CATEGORIES)[number];
const isStandard = (k: string): k is Standard => (STANDARD_CATEGORIES as readonly string[]).includes(k);

const merge = (base: LocalizedText | undefined, over: LocalizedText | undefined): LocalizedText | undefined =>
  base || over ? { ...(base ?? {}), ...(over ?? {}) } : undefined;

const append = (a: LocalizedText, b: LocalizedText): LocalizedText => {
  const out: LocalizedText = { ...a };
  for (const [l, t] of Object.entries(b)) out[l] = a[l] ? `${a[l]} ${t}` : t;
  return out;
};

/** CNIL-exempt audience measurement (jurisdiction fr): runs without consent, listed and justified with `necessary`. */
export const isExempt = (c: SiteCategory, d: SiteDefinition) =>
  d.jurisdiction === 'fr' && c.audienceMeasurementExemption !== undefined;

const stripServices = (c: SiteCategory) => c.services.map(({ purposeKey: _p, ...s }) => s);

export const bannerCategories = (d: SiteDefinition): BannerCategory[] => {
  const exempt = d.categories.filter((c) => isExempt(c, d));
  return d.categories
    .filter((c) => !isExempt(c, d))
    .map((c): BannerCategory => {
      const i = d.categories.indexOf(c);
      const std = isStandard(c.key) ? defaultCategoryTexts[c.key] : undefined;
      const label = merge(std?.label, c.label);
      const description = merge(std?.description, c.description);
      if (!label)
        throw new AppError('VALIDATION_FAILED', 'a custom category needs a label', { field: `categories.${i}.label` });
      if (!description)
        throw new AppError('VALIDATION_FAILED', 'a custom category needs a description', {
          field: `categories.${i}.description`,
        });
      if (c.key !== 'necessary') {
        return { key: c.key, label, description, basis: 'consent', services: stripServices(c) };
      }
      let justification = merge(std?.justification, c.justification)!;
      const services = stripServices(c);
      for (const e of exempt) {
        const x = e.audienceMeasurementExemption!;
        justification = append(justification, x.justification);
        services.push(...stripServices(e));
      }
      return { key: 'necessary', label, description, basis: 'exempt', justification, services };
    });
};

export const bannerTexts = (d: SiteDefinition): Record<string, BannerTexts> => {
  const out: Record<string, BannerTexts> = {};
  const locales = new Set([...Object.keys(defaultBannerTexts), ...Object.keys(d.texts)]);
  for (const l of locales) {
    const base = (defaultBannerTexts as Record<string, BannerTexts | undefined>)[l];
    const r = BannerTexts.safeParse({ ...(base ?? {}), ...(d.texts[l] ?? {}) });
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new AppError(
        'VALIDATION_FAILED',
        `texts.${l}: ${base ? issue.message : 'a locale the banner does not ship must give every text'}`,
        { field: `texts.${l}.${issue.path.join('.')}` },
      );
    }
    out[l] = r.data;
  }
  if (!out[d.defaultLocale])
    throw new AppError('VALIDATION_FAILED', `no texts for the default locale "${d.defaultLocale}"`, {
      field: 'defaultLocale',
    });
  return out;
};

/** Exempt measurement is always on, so Consent Mode signals that named it follow `necessary`. */
export const consentMode = (d: SiteDefinition) => {
  const base = GoogleConsentMode.parse({ ...(d.consentMode ?? {}) });
  const exempt = new Set(d.categories.filter((c) => isExempt(c, d)).map((c) => c.key));
  const mapping = Object.fromEntries(
    Object.entries(base.mapping).map(([s, cats]) => [
      s,
      [...new Set(cats?.map((k) => (exempt.has(k) ? 'necessary' : k)))],
    ]),
  );
  return { ...base, mapping };
};

/** Everything of the banner config that comes from the site definition alone (not the notice, key or endpoint). */
export const siteConfigPart = (d: SiteDefinition) => {
  const categories = bannerCategories(d);
  return {
    categories,
    texts: bannerTexts(d),
    defaultLocale: d.defaultLocale,
    reprompt: d.reprompt,
    gpc: { categories: d.gpcCategories.filter((k) => categories.some((c) => c.key === k)) },
    jurisdiction: d.jurisdiction,
    googleConsentMode: consentMode(d),
    reloadOnWithdrawal: d.reloadOnWithdrawal,
    reopenButton: d.reopenButton,
    servicesHash: servicesHash(categories),
  } satisfies Partial<BannerConfigInput>;
};
