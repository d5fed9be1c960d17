import { z } from '@hono/zod-openapi';
import {
  BannerService,
  BannerTexts,
  CategoryKey,
  ConsentModeSignal,
  JurisdictionProfile,
  LocalizedText,
} from './banner.ts';
import { prefixedId, Timestamp } from './common.ts';

/**
 * What a tenant writes about a website that embeds the banner. The server turns the current version of this, plus the
 * latest published notice, into the banner's `BannerConfig` (banner.config.ts). The banner itself only ever sees
 * `BannerConfig`; these shapes are for the API and its clients (the SDK, the admin console).
 */

export const SiteId = prefixedId('sit');

/** An origin exactly as a browser sends it in `Origin`: scheme, host, optional port, nothing else. */
const Origin = z
  .string()
  .max(300)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s;
    } catch {
      return false;
    }
  }, 'an origin such as https://www.example.com (scheme, host, optional port; no path or trailing slash)');

const PurposeKey = z.string().min(1).max(64);

/** A service may name a purpose of its own, so that "allow this content" on one embed can be recorded as consent. */
export const SiteService = BannerService.extend({ purposeKey: PurposeKey.optional() }).openapi('SiteService');

/** CNIL exemption for audience measurement (France only): trackers ≤ 13 months, data kept ≤ 25 months (check 28). */
export const AudienceMeasurementExemption = z
  .object({
    trackerMonths: z.number().int().min(1).max(13),
    dataMonths: z.number().int().min(1).max(25),
    justification: LocalizedText,
  })
  .strict()
  .openapi('AudienceMeasurementExemption');

export const SiteCategory = z
  .object({
    key: CategoryKey,
    /** The purpose each choice is recorded under; it must allow the basis `consent`. Never set on `necessary`. */
    purposeKey: PurposeKey.optional(),
    label: LocalizedText.optional(),
    description: LocalizedText.optional(),
    /** Why `necessary` needs no consent (check 27); the standard text is used when absent. */
    justification: LocalizedText.optional(),
    services: z.array(SiteService).max(200).default([]),
    audienceMeasurementExemption: AudienceMeasurementExemption.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.key === 'necessary') {
      if (c.purposeKey !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['purposeKey'],
          message: 'strictly necessary storage is never consent: `necessary` has a justification, not a purpose',
        });
      if (c.audienceMeasurementExemption)
        ctx.addIssue({ code: 'custom', path: ['audienceMeasurementExemption'], message: 'not on `necessary`' });
      return;
    }
    if (c.justification !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['justification'],
        message: 'only `necessary` is exempt; a consent category has no justification',
      });
    if (c.purposeKey === undefined && !c.audienceMeasurementExemption)
      ctx.addIssue({
        code: 'custom',
        path: ['purposeKey'],
        message: 'a consent category needs the purpose it records',
      });
  })
  .openapi('SiteCategory');
export type SiteCategory = z.infer<typeof SiteCategory>;

export const SiteDefinition = z
  .object({
    name: z.string().trim().min(1).max(200),
    allowedOrigins: z.array(Origin).min(1).max(50),
    /** The notice (by key) the banner shows; its latest published version is inlined. */
    noticeKey: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    /** Where people read the full notice (the banner links it). */
    noticeUrl: z.url().optional(),
    defaultLocale: z
      .string()
      .regex(/^[a-z]{2,3}$/)
      .default('en'),
    jurisdiction: JurisdictionProfile.default('eu'),
    categories: z.array(SiteCategory).min(1).max(20),
    /** Per-locale overrides of the banner texts; locales beyond the six shipped ones must give every text. */
    texts: z.record(z.string().regex(/^[a-z]{2,3}$/), BannerTexts.partial()).default({}),
    reprompt: z
      .object({
        afterRefusalMonths: z.number().int().min(6).max(24).default(6),
        afterGrantMonths: z.number().int().min(1).max(13).default(12),
      })
      .strict()
      .default({ afterRefusalMonths: 6, afterGrantMonths: 12 }),
    /** Categories a Global Privacy Control signal denies (sale, sharing, targeted ads; check 29). */
    gpcCategories: z.array(CategoryKey).default(['marketing']),
    /** Google Consent Mode v2: signal → categories that must all be granted. Absent = the standard mapping. */
    consentMode: z
      .object({
        enabled: z.boolean().default(true),
        mapping: z.partialRecord(ConsentModeSignal, z.array(CategoryKey).min(1)).optional(),
        waitForUpdateMs: z.number().int().min(0).max(10_000).default(500),
      })
      .strict()
      .optional(),
    reloadOnWithdrawal: z.boolean().default(true),
    reopenButton: z.boolean().default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    const keys = s.categories.map((c) => c.key);
    if (!keys.includes('necessary'))
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'the `necessary` category is required' });
    keys.forEach((k, i) => {
      if (keys.indexOf(k) !== i)
        ctx.addIssue({ code: 'custom', path: ['categories', i, 'key'], message: `category "${k}" appears twice` });
    });
    const purposes = s.categories.map((c) => c.purposeKey);
    purposes.forEach((p, i) => {
      if (p !== undefined && purposes.indexOf(p) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['categories', i, 'purposeKey'],
          message: `purpose "${p}" is already used by another category: one decision per purpose`,
        });
    });
    s.gpcCategories.forEach((k, i) => {
      if (!keys.includes(k) || k === 'necessary')
        ctx.addIssue({ code: 'custom', path: ['gpcCategories', i], message: `no consent category "${k}"` });
    });
    for (const [signal, cats] of Object.entries(s.consentMode?.mapping ?? {})) {
      cats?.forEach((k, i) => {
        if (!keys.includes(k))
          ctx.addIssue({ code: 'custom', path: ['consentMode', 'mapping', signal, i], message: `no category "${k}"` });
      });
    }
    s.categories.forEach((c, i) => {
      if (!c.audienceMeasurementExemption) return;
      if (s.jurisdiction !== 'fr') {
        ctx.addIssue({
          code: 'custom',
          path: ['categories', i, 'audienceMeasurementExemption'],
          message: 'the audience-measurement exemption is French (CNIL): set jurisdiction "fr"',
        });
        return;
      }
      if (s.gpcCategories.includes(c.key))
        ctx.addIssue({
          code: 'custom',
          path: ['categories', i, 'audienceMeasurementExemption'],
          message: 'a category GPC denies cannot be exempt measurement',
        });
      const max = c.audienceMeasurementExemption.trackerMonths * MONTH_SECONDS;
      c.services.forEach((sv, j) => {
        sv.cookies.forEach((k, m) => {
          const at = ['categories', i, 'services', j, 'cookies', m];
          if (k.durationSeconds > max)
            ctx.addIssue({
              code: 'custom',
              path: [...at, 'durationSeconds'],
              message: `exempt audience-measurement trackers live at most ${c.audienceMeasurementExemption?.trackerMonths} months`,
            });
          if (k.thirdParty)
            ctx.addIssue({
              code: 'custom',
              path: [...at, 'thirdParty'],
              message: 'exempt audience measurement must be first-party (CNIL)',
            });
        });
      });
    });
  })
  .openapi('SiteDefinition');
export type SiteDefinition = z.infer<typeof SiteDefinition>;
export type SiteDefinitionInput = z.input<typeof SiteDefinition>;

/** An average Gregorian month, so "13 months" is 13 × 30.44 days whatever the start date. */
export const MONTH_SECONDS = 2_629_746;

export const Site = z
  .object({
    id: SiteId,
    version: z.number().int(),
    definition: SiteDefinition,
    servicesHash: z.string(),
    /** Public by design: it is inlined in the script on every page and grants only recording banner choices. */
    publishableKey: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Site');
export type Site = z.infer<typeof Site>;

export const SiteSnippet = z
  .object({
    scriptUrl: z.string(),
    tag: z
      .string()
      .openapi({ description: 'Latest config, short cache: a site or notice change shows within a minute' }),
    pinned: z.object({
      url: z.string(),
      integrity: z.string(),
      tag: z.string().openapi({ description: 'SRI-checked; shows a new notice only when this tag is updated' }),
    }),
    bannerVersion: z.string(),
    noticeVersionId: z.string(),
  })
  .openapi('SiteSnippet');
export type SiteSnippet = z.infer<typeof SiteSnippet>;
