import { z } from '@hono/zod-openapi';

/**
 * The one data-category taxonomy, shared by purposes, the data map, exports and the record of processing (after
 * fideslang's `user.*` tree). A category is one of these, a dotted refinement of one (`user.contact.email.work`), or
 * anything under `custom.`. Special categories (Art. 9(1)) sit under `user.special`; criminal data (Art. 10) under
 * `user.special.criminal_record`.
 */
export const dataCategories = [
  'user.account',
  'user.account.id',
  'user.account.username',
  'user.account.settings',
  'user.authentication.credentials',
  'user.authorization',
  'user.behavior',
  'user.behavior.browsing',
  'user.behavior.browsing_history',
  'user.behavior.email_tracking',
  'user.behavior.purchase_history',
  'user.contact',
  'user.contact.address',
  'user.contact.address.street',
  'user.contact.address.city',
  'user.contact.address.state',
  'user.contact.address.postal_code',
  'user.contact.address.country',
  'user.contact.email',
  'user.contact.fax',
  'user.contact.phone',
  'user.contact.phone_number',
  'user.content',
  'user.content.message',
  'user.content.upload',
  'user.demographic',
  'user.demographic.age_range',
  'user.demographic.date_of_birth',
  'user.demographic.gender',
  'user.demographic.language',
  'user.device',
  'user.device.cookie_id',
  'user.device.identifier',
  'user.device.ip_address',
  'user.employment',
  'user.financial',
  'user.financial.bank_account',
  'user.financial.invoice',
  'user.financial.payment_card',
  'user.financial.transaction',
  'user.government_id',
  'user.location',
  'user.location.approximate',
  'user.location.precise',
  'user.name',
  'user.name.first',
  'user.name.last',
  'user.payment',
  'user.unique_id',
  'user.workplace.employer',
  'user.workplace.job_title',
  'user.special.racial_ethnic_origin',
  'user.special.ethnic_origin',
  'user.special.political_opinion',
  'user.special.religious_belief',
  'user.special.religion',
  'user.special.trade_union_membership',
  'user.special.genetic',
  'user.special.biometric',
  'user.special.health',
  'user.special.sex_life',
  'user.special.sexual_orientation',
  'user.special.criminal_record',
] as const;

/** Categories under `user.special.` need an Art. 9(2) (or Art. 10) condition. */
export const isSpecialCategory = (c: string) => c === 'user.special' || c.startsWith('user.special.');

// Only a leaf may be refined: `user.contact.email.work` is fine, `user.contact.emial` is a typo, not a refinement.
const leaves = dataCategories.filter((k) => !dataCategories.some((o) => o.startsWith(`${k}.`)));

export const isKnownCategory = (c: string) =>
  /^custom\.[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(c) ||
  (dataCategories as readonly string[]).includes(c) ||
  leaves.some((k) => c.startsWith(`${k}.`));

export const DataCategory = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'a dotted category such as user.contact.email')
  .refine(isKnownCategory, 'not in the taxonomy (see docs/datamap.md); use custom.<name> for your own')
  .openapi('DataCategory', { example: 'user.contact.email', description: 'A taxonomy category, or custom.<name>' });
export type DataCategory = z.infer<typeof DataCategory>;
