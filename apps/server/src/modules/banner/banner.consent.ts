import type { BannerConsentAck, BannerConsentRecord, RecordConsent } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import type { KeysService } from '../keys/keys.service.ts';
import type { NoticesRepo } from '../notices/notices.repo.ts';
import { isExempt } from './banner.config.ts';
import type { BannerRepo } from './banner.repo.ts';
import type { SiteDefinition } from './banner.schemas.ts';

export type BannerRequestContext = {
  /** The key from `Authorization: Bearer` or, for sendBeacon only, from the body. */
  secret: string | undefined;
  origin: string | undefined;
  ip: string | null;
  userAgent: string | null;
  /** The `Sec-GPC: 1` request header, kept with the evidence next to the record's own `gpc`. */
  secGpc: boolean;
};

const url = (s: string) => {
  try {
    return new URL(s).protocol.startsWith('http') ? s : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A banner choice → consent records. Each category decision is recorded under the category's purpose (a service's own
 * purpose for "allow this content"); `necessary` and exempt measurement are never recorded as consent; GPC decisions
 * are recorded with method `gpc` and can only refuse (check 29). The banner's idempotency key is the consent
 * idempotency key, so retries and sendBeacon copies store one set of records.
 */
export const createBannerConsent = (deps: {
  db: Database;
  repo: BannerRepo;
  keys: Pick<KeysService, 'authenticate'>;
  notices: Pick<NoticesRepo, 'version' | 'noticeByKey'>;
  consent: Pick<ConsentService, 'recordIn'>;
  /** A grant becomes the purpose's lawful basis for the device, so decisions follow the banner (and its withdrawal). */
  clock: Clock;
}) => {
  const { db, repo } = deps;

  /** Answers a CORS preflight: only an origin some live site allows is echoed. */
  const originAllowed = (origin: string) => repo.originKnown(db.system, origin);

  const record = async (
    rec: BannerConsentRecord,
    ctx: BannerRequestContext,
  ): Promise<{ ack: BannerConsentAck; allowOrigin: string | undefined }> => {
    const loc = await repo.locate(db.system, rec.siteId);
    if (!loc) throw new AppError('NOT_FOUND', `no site ${rec.siteId}`, { field: 'siteId' });
    if (ctx.origin !== undefined && !loc.allowedOrigins.includes(ctx.origin))
      throw new AppError('FORBIDDEN', 'this origin is not allowed for the site', { field: 'origin' });
    const allowOrigin = ctx.origin;
    if (!ctx.secret) throw new AppError('UNAUTHENTICATED', 'the site’s publishable key is required');
    const principal = await deps.keys.authenticate(ctx.secret);
    if (!principal || principal.keyId !== loc.publishableKeyId)
      throw new AppError('UNAUTHENTICATED', 'the key is not this site’s publishable key, or it was revoked');
    const tenantId = loc.tenantId;

    const plan = await db.tenant(tenantId, async (tx) => {
      const earlier = await repo.receipt(tx, tenantId, rec.idempotencyKey);
      if (earlier) return { earlier };
      const v =
        (await repo.versionByServicesHash(tx, tenantId, rec.siteId, rec.servicesHash)) ??
        (await repo.version(tx, tenantId, rec.siteId, loc.currentVersion))!;
      const d = v.definition as SiteDefinition;
      const notice = await deps.notices.version(tx, tenantId, rec.noticeVersionId);
      const own = await deps.notices.noticeByKey(tx, tenantId, d.noticeKey);
      if (notice?.status !== 'published' || !notice.rendered || notice.noticeId !== own?.id)
        throw new AppError(
          'RULE_VIOLATION',
          `notice version ${rec.noticeVersionId} is not a published version of this site’s notice`,
          {
            field: 'noticeVersionId',
          },
        );
      // The banner carries one notice hash; the record names the locale whose published text has it.
      const rendered = notice.rendered;
      const locale =
        rendered[rec.locale]?.sha256 === rec.noticeHash
          ? rec.locale
          : Object.keys(rendered).find((l) => rendered[l]!.sha256 === rec.noticeHash);
      if (!locale)
        throw new AppError('RULE_VIOLATION', 'noticeHash matches no published text of that notice version', {
          field: 'noticeHash',
        });
      const asked = new Set(notice.purposes.map((p) => p.key));
      const groups: Record<'banner' | 'gpc', { purpose: string; granted: boolean }[]> = { banner: [], gpc: [] };
      rec.decisions.forEach((dec, i) => {
        const cat = d.categories.find((c) => c.key === dec.category);
        if (!cat)
          throw new AppError('RULE_VIOLATION', `the site has no category "${dec.category}"`, {
            field: `decisions.${i}.category`,
          });
        if (cat.key === 'necessary' || isExempt(cat, d)) return; // never consent (checks 27, 28)
        let purpose = cat.purposeKey;
        if (dec.service !== undefined) {
          purpose = cat.services.find((s) => s.id === dec.service)?.purposeKey;
          if (!purpose)
            throw new AppError(
              'RULE_VIOLATION',
              `service "${dec.service}" has no purpose of its own, so allowing it alone cannot be recorded`,
              { field: `decisions.${i}.service` },
            );
        }
        if (!purpose || !asked.has(purpose))
          throw new AppError('RULE_VIOLATION', `the notice does not ask about the purpose of "${dec.category}"`, {
            field: `decisions.${i}.category`,
          });
        groups[dec.method].push({ purpose, granted: dec.granted });
      });
      if (!groups.banner.length && !groups.gpc.length)
        throw new AppError('RULE_VIOLATION', 'no decision about a consent category', { field: 'decisions' });
      return { locale, groups, siteVersion: v.version };
    });

    if ('earlier' in plan && plan.earlier) {
      return {
        ack: { id: plan.earlier.consentIds[0]!, idempotencyKey: rec.idempotencyKey, duplicate: true },
        allowOrigin,
      };
    }
    const { locale, groups, siteVersion } = plan as Exclude<typeof plan, { earlier: unknown }>;
    const base = {
      subject: { identity: { kind: 'device_id' as const, value: rec.deviceId } },
      noticeVersionId: rec.noticeVersionId,
      noticeHash: rec.noticeHash,
      locale,
      collectionPoint: {
        formId: rec.siteId,
        ...(url(rec.pageUrl) ? { pageUrl: rec.pageUrl } : {}),
        bannerVersion: rec.bannerVersion,
        bundleHash: rec.bundleHash,
      },
      evidence: { reference: `banner receipt ${rec.idempotencyKey}` },
    };
    const cctx = { actor: principal.keyId, ip: ctx.ip, userAgent: ctx.userAgent };
    // The records (banner choice, GPC refusals) and the banner receipt commit together or not at all.
    const { consentIds, fresh } = await db.tenant(tenantId, async (tx) => {
      const consentIds: string[] = [];
      if (groups.banner.length) {
        const input: RecordConsent = {
          ...base,
          decisions: groups.banner,
          method: 'banner',
          affirmativeAction: { kind: 'button_pressed', label: rec.action.label, preTicked: false },
        };
        // The consent module makes each effective grant the purpose's lawful basis, in the same transaction.
        const r = await deps.consent.recordIn(tx, tenantId, input, { ...cctx, idempotencyKey: rec.idempotencyKey });
        consentIds.push(...r.records.map((x) => x.id));
      }
      if (groups.gpc.length) {
        const input: RecordConsent = {
          ...base,
          decisions: groups.gpc,
          method: 'gpc',
          affirmativeAction: { kind: 'browser_signal', label: 'Global Privacy Control', preTicked: false },
        };
        const r = await deps.consent.recordIn(tx, tenantId, input, {
          ...cctx,
          idempotencyKey: `${rec.idempotencyKey}:gpc`,
        });
        consentIds.push(...r.records.map((x) => x.id));
      }
      const fresh = await repo.insertReceipt(tx, {
        tenantId,
        idempotencyKey: rec.idempotencyKey,
        siteId: rec.siteId,
        siteVersion,
        consentIds,
        actionKind: rec.action.kind,
        evidence: {
          secGpc: ctx.secGpc,
          gpc: rec.gpc,
          jurisdiction: rec.jurisdiction,
          servicesHash: rec.servicesHash,
          bannerVersion: rec.bannerVersion,
          bundleHash: rec.bundleHash,
          noticeVersionId: rec.noticeVersionId,
          noticeHash: rec.noticeHash,
          action: rec.action,
          locale: rec.locale,
          deviceOccurredAt: rec.occurredAt,
          ...(rec.tcString ? { tcString: rec.tcString } : {}),
        },
        receivedAt: deps.clock.now(),
      });
      return { consentIds, fresh };
    });
    return { ack: { id: consentIds[0]!, idempotencyKey: rec.idempotencyKey, duplicate: !fresh }, allowOrigin };
  };

  return { record, originAllowed };
};
export type BannerConsent = ReturnType<typeof createBannerConsent>;
