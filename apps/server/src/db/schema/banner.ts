import type { BannerConsentRecord } from '@lawful/contract';
import { index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './_rls.ts';
import { bytea, ts } from './tenants.ts';

/**
 * A website that embeds the banner. `current_version` points into `banner_site_versions`; `allowed_origins` mirrors the
 * current version so a CORS preflight (which carries no site id) can be answered with one indexed lookup. The site's
 * publishable key is public by design (it is inlined in every page) but is still sealed under the tenant key at rest.
 */
export const bannerSites = pgTable(
  'banner_sites',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    currentVersion: integer('current_version').notNull(),
    allowedOrigins: text('allowed_origins').array().notNull(),
    publishableKeyId: text('publishable_key_id').notNull(),
    publishableKeySealed: bytea('publishable_key_sealed'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // Public script and consent routes know only the site id; the owner connection looks the tenant up by it.
    index('banner_sites_id_idx').on(t.id),
    index('banner_sites_origins_idx').using('gin', t.allowedOrigins),
    tenantIsolation(),
  ],
).enableRLS();

/** Every version of a site's definition, kept (append-only): a consent record names the version it was given under. */
export const bannerSiteVersions = pgTable(
  'banner_site_versions',
  {
    tenantId: text('tenant_id').notNull(),
    siteId: text('site_id').notNull(),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    servicesHash: text('services_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.siteId, t.version] }),
    index('banner_site_versions_hash_idx').on(t.tenantId, t.siteId, t.servicesHash),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Each script body ever served, by digest, so a pinned (SRI) URL keeps answering the same bytes after the site, its
 * notice or the bundle changed, and after a restart. Append-only.
 */
export const bannerScripts = pgTable(
  'banner_scripts',
  {
    tenantId: text('tenant_id').notNull(),
    digest: text('digest').notNull(),
    siteId: text('site_id').notNull(),
    siteVersion: integer('site_version').notNull(),
    noticeVersionId: text('notice_version_id').notNull(),
    bannerVersion: text('banner_version').notNull(),
    integrity: text('integrity').notNull(),
    bundleHash: text('bundle_hash').notNull(),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.digest] }), tenantIsolation()],
).enableRLS();

/**
 * One row per banner choice received (by the banner's idempotency key): the banner-side evidence that the consent
 * record cannot hold — the `Sec-GPC` request header, the record's own `gpc`, jurisdiction, service-list hash, device
 * clock — and the consent records it produced. Append-only.
 */
export const bannerReceipts = pgTable(
  'banner_receipts',
  {
    tenantId: text('tenant_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    siteId: text('site_id').notNull(),
    siteVersion: integer('site_version').notNull(),
    consentIds: text('consent_ids').array().notNull(),
    /** The control used (accept_all, reject_all, save_choices, close, allow_embed, gpc), also in `evidence`; a column so
     * the overview can count outcomes per week from the index alone. */
    actionKind: text('action_kind').$type<BannerConsentRecord['action']['kind']>().notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.idempotencyKey] }),
    index('banner_receipts_received_idx').on(t.tenantId, t.receivedAt, t.actionKind),
    tenantIsolation(),
  ],
).enableRLS();
