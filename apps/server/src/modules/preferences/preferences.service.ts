import type {
  ConsentMethod,
  ConsentResult,
  ConsentStateItem,
  CreatePreferenceLink,
  CreateUnsubscribeLink,
  PageLocale,
  Purpose,
  RecordConsent,
  TenantSettings,
} from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { ConsentContext, ConsentService } from '../consent/consent.service.ts';
import type { ObjectionsService } from '../objections/objections.service.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import { toPurpose } from '../purposes/purposes.service.ts';
import type { Links, OpenedLink } from './preferences.links.ts';
import type { PreferencesRepo } from './preferences.repo.ts';

type NoticeShown = { versionId: string; version: number; locale: string; html: string; sha256: string };

export type PurposeView = {
  key: string;
  name: string;
  description: string;
  state: ConsentStateItem['state'];
  since: Date | null;
  history: { decision: 'grant' | 'refuse' | 'withdraw' | 'pending'; method: ConsentMethod; at: Date }[];
  seen: NoticeShown | null;
  latest: NoticeShown;
};

export type PageModel = {
  organisation: string;
  timeZone: string;
  consents: PurposeView[];
  directMarketing: { key: string; name: string; objectedAt: Date | null }[];
};

const localised = (p: Purpose, locale: string) => p.locales[locale] ?? p.locales.en ?? Object.values(p.locales)[0]!;

/**
 * What the people-facing pages do. Every change goes through the consent service (method `preference_centre`,
 * `email_unsubscribe` or `double_opt_in`) or the objections service: this module never writes a consent record.
 */
export const createPreferencesService = (deps: {
  db: Database;
  repo: PreferencesRepo;
  links: Links;
  consent: Pick<ConsentService, 'recordIn' | 'state' | 'history' | 'confirm' | 'currentReceipt'>;
  objections: Pick<ObjectionsService, 'object'>;
  purposes: Pick<PurposesService, 'current'>;
  tenant: (q: Queryable, tenantId: string) => Promise<{ name: string; settings: TenantSettings }>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, links, consent, audit } = deps;

  const subjectMustExist = async (q: Queryable, tenantId: string, subjectId: string) => {
    const s = await repo.subject(q, tenantId, subjectId);
    if (!s || s.erasedAt) throw new AppError('NOT_FOUND', 'subject not found', { field: 'subjectId' });
  };

  /** The newest published version of each notice, and every purpose it asks about (first notice wins). */
  const asked = async (q: Queryable, tenantId: string) => {
    const all = await repo.publishedVersions(q, tenantId);
    const latestByNotice = new Map<string, (typeof all)[number]['version']>();
    for (const r of all) if (!latestByNotice.has(r.noticeKey)) latestByNotice.set(r.noticeKey, r.version);
    const byPurpose = new Map<string, (typeof all)[number]['version']>();
    for (const v of latestByNotice.values())
      for (const p of v.purposes) if (!byPurpose.has(p.key)) byPurpose.set(p.key, v);
    return { byPurpose, byId: new Map(all.map((r) => [r.version.id, r.version])) };
  };

  const shown = (
    v: { id: string; version: number; rendered: Record<string, { html: string; sha256: string }> | null },
    ...prefer: string[]
  ): NoticeShown => {
    const rendered = v.rendered ?? {};
    const locale = [...prefer, 'en'].find((l) => rendered[l]) ?? Object.keys(rendered)[0]!;
    return { versionId: v.id, version: v.version, locale, ...rendered[locale]! };
  };

  const consentPurposes = async (q: Queryable, tenantId: string) => {
    const { byPurpose, byId } = await asked(q, tenantId);
    const out: { purpose: Purpose; notice: NonNullable<ReturnType<typeof byPurpose.get>> }[] = [];
    for (const [key, notice] of byPurpose) {
      const row = await deps.purposes.current(q, tenantId, key).catch(() => null);
      if (row) out.push({ purpose: toPurpose(row), notice });
    }
    return { list: out, byId };
  };

  /** One consent record through the consent service, for purposes decided on one notice version. */
  const decide = async (
    tx: Queryable,
    opened: OpenedLink,
    decisions: { purpose: string; granted: boolean }[],
    o: { method: ConsentMethod; locale: string; label: string },
    ctx: ConsentContext,
  ): Promise<ConsentResult[]> => {
    const { t, s } = opened.claims;
    const { byPurpose } = await asked(tx, t);
    const groups = new Map<string, { notice: NoticeShown; decisions: typeof decisions }>();
    for (const d of decisions) {
      const v = byPurpose.get(d.purpose);
      if (!v) throw new AppError('NOT_FOUND', `no published notice asks about "${d.purpose}"`, { field: 'purpose' });
      const settings = (await deps.tenant(tx, t)).settings;
      const g = groups.get(v.id) ?? { notice: shown(v, o.locale, settings.defaultLocale), decisions: [] };
      g.decisions.push(d);
      groups.set(v.id, g);
    }
    const out: ConsentResult[] = [];
    for (const g of groups.values()) {
      const input: RecordConsent = {
        subject: { subjectId: s },
        noticeVersionId: g.notice.versionId,
        noticeHash: g.notice.sha256,
        locale: g.notice.locale,
        decisions: g.decisions,
        method: o.method,
        affirmativeAction: { kind: 'button_pressed', label: o.label, preTicked: false },
        collectionPoint: { formId: o.method === 'preference_centre' ? 'preference-centre' : 'list-unsubscribe' },
      };
      out.push(await consent.recordIn(tx, t, input, ctx));
    }
    return out;
  };

  const live = (s: ConsentStateItem['state']) => s === 'granted' || s === 'pending_confirmation';

  return {
    links,
    subjectExists: (tenantId: string, subjectId: string) =>
      db.tenant(tenantId, async (tx) => {
        const s = await repo.subject(tx, tenantId, subjectId);
        return s !== undefined && s.erasedAt === null;
      }),
    /** POST /v1/subjects/{id}/preference-link */
    preferenceLink: (tenantId: string, subjectId: string, input: CreatePreferenceLink, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        await subjectMustExist(tx, tenantId, subjectId);
        const l = await links.mint(tx, tenantId, subjectId, 'preferences', {
          days: input.expiresInDays,
          actor,
          locale: input.locale,
        });
        await audit.append(tx, tenantId, { actor, action: 'preference_link.create', target: subjectId, subjectId });
        return { url: l.url, expiresAt: l.expiresAt.toISOString() };
      }),
    /** POST /v1/subjects/{id}/unsubscribe-link: a one-click (RFC 8058) link for one purpose. */
    unsubscribeLink: (tenantId: string, subjectId: string, input: CreateUnsubscribeLink, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        await subjectMustExist(tx, tenantId, subjectId);
        const p = toPurpose(await deps.purposes.current(tx, tenantId, input.purpose, 'purpose'));
        if (!p.allowedBases.includes('consent')) {
          throw new AppError('RULE_VIOLATION', `purpose "${p.key}" does not rest on consent: nothing to withdraw`, {
            field: 'purpose',
          });
        }
        const l = await links.mint(tx, tenantId, subjectId, 'unsubscribe', {
          days: input.expiresInDays,
          actor,
          purposeKey: p.key,
        });
        await audit.append(tx, tenantId, {
          actor,
          action: 'unsubscribe_link.create',
          target: subjectId,
          subjectId,
          details: { purpose: p.key },
        });
        return {
          url: l.url,
          expiresAt: l.expiresAt.toISOString(),
          headers: {
            'List-Unsubscribe': `<${l.url}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' as const,
          },
        };
      }),
    /** Every link of the subject stops working at once (e.g. the link was forwarded, or the person asked). */
    revokeLinks: (tenantId: string, subjectId: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        await subjectMustExist(tx, tenantId, subjectId);
        const revoked = await repo.revokeLinks(tx, tenantId, subjectId, deps.clock.now());
        await audit.append(tx, tenantId, {
          actor,
          action: 'preference_link.revoke',
          target: subjectId,
          subjectId,
          details: { revoked },
        });
        return { revoked };
      }),

    /** The preference centre's content: purposes, current choices, history, notices seen and current. */
    page: async (tx: Queryable, opened: OpenedLink, locale: PageLocale): Promise<PageModel> => {
      const { t, s } = opened.claims;
      const tenant = await deps.tenant(tx, t);
      const { list, byId } = await consentPurposes(tx, t);
      const states = new Map((await consent.state(tx, t, s)).map((x) => [x.purpose, x]));
      const history = await consent.history(tx, t, s);
      const objected = new Map<string, Date>();
      for (const o of await repo.objectionsOf(tx, t, s)) {
        if (o.kind === 'direct_marketing' && o.status === 'upheld') objected.set(o.purposeKey, o.createdAt);
      }
      const consents: PurposeView[] = [];
      for (const { purpose, notice } of list) {
        if (!purpose.allowedBases.includes('consent')) continue;
        const mine = history.filter((r) => r.purpose === purpose.key);
        const last = mine.at(-1);
        const seenVersion = last ? byId.get(last.noticeVersionId) : undefined;
        const st = states.get(purpose.key);
        const t9n = localised(purpose, locale);
        consents.push({
          key: purpose.key,
          name: t9n.name,
          description: t9n.description,
          state: st?.state ?? 'none',
          since: st?.since ? new Date(st.since) : null,
          history: mine.map((r) => ({
            decision: r.status === 'pending_confirmation' ? 'pending' : r.decision,
            method: r.method,
            at: new Date(r.recordedAt),
          })),
          seen: seenVersion && last ? shown(seenVersion, last.locale) : null,
          latest: shown(notice, locale, tenant.settings.defaultLocale),
        });
      }
      return {
        organisation: tenant.name,
        timeZone: tenant.settings.timezone,
        consents,
        directMarketing: list
          .filter((x) => x.purpose.directMarketing)
          .map((x) => ({
            key: x.purpose.key,
            name: localised(x.purpose, locale).name,
            objectedAt: objected.get(x.purpose.key) ?? null,
          })),
      };
    },
    /** One button, one record: grant or withdraw one purpose (check 12). */
    choose: (
      tx: Queryable,
      opened: OpenedLink,
      purpose: string,
      granted: boolean,
      locale: string,
      ctx: ConsentContext,
    ) =>
      decide(
        tx,
        opened,
        [{ purpose, granted }],
        { method: 'preference_centre', locale, label: granted ? 'grant' : 'withdraw' },
        ctx,
      ),
    /** "Unsubscribe from everything": every consent in force or waiting is withdrawn, in one action. */
    unsubscribeAll: async (tx: Queryable, opened: OpenedLink, locale: string, ctx: ConsentContext) => {
      const { t, s } = opened.claims;
      const { byPurpose } = await asked(tx, t);
      const withdraw = (await consent.state(tx, t, s))
        .filter((x) => live(x.state) && byPurpose.has(x.purpose))
        .map((x) => ({ purpose: x.purpose, granted: false }));
      if (withdraw.length === 0) return [];
      return decide(tx, opened, withdraw, { method: 'preference_centre', locale, label: 'unsubscribe all' }, ctx);
    },
    /** RFC 8058 one-click: the purpose the token names, withdrawn; nothing happens when it is not in force. */
    unsubscribe: async (tx: Queryable, opened: OpenedLink, ctx: ConsentContext) => {
      const { t, s, p } = opened.claims;
      const st = (await consent.state(tx, t, s)).find((x) => x.purpose === p);
      if (!p || !st || !live(st.state)) return [];
      const settings = (await deps.tenant(tx, t)).settings;
      return decide(
        tx,
        opened,
        [{ purpose: p, granted: false }],
        { method: 'email_unsubscribe', locale: settings.defaultLocale, label: 'List-Unsubscribe=One-Click' },
        ctx,
      );
    },
    /** Art. 21(2)–(3): recorded by the objections service (suppression included); it runs in its own transaction. */
    object: async (opened: OpenedLink, purpose: string) => {
      const { t, s } = opened.claims;
      const p = await db.tenant(t, (tx) => deps.purposes.current(tx, t, purpose, 'purpose'));
      if (!p.definition.directMarketing) {
        throw new AppError('RULE_VIOLATION', 'this page takes objections to direct marketing only', {
          field: 'purpose',
        });
      }
      return deps.objections.object(
        t,
        { subject: { subjectId: s }, purpose, channel: 'web_form' },
        `link:${opened.claims.n}`,
      );
    },
    purposeName: async (tx: Queryable, tenantId: string, key: string, locale: string) => {
      const row = await deps.purposes.current(tx, tenantId, key).catch(() => null);
      return row ? localised(toPurpose(row), locale).name : key;
    },
    pendingNames: async (tx: Queryable, tenantId: string, submissionId: string, locale: string) => {
      const names: string[] = [];
      for (const r of await deps.repo.pendingOf(tx, tenantId, submissionId)) {
        const row = await deps.purposes.current(tx, tenantId, r.purposeKey).catch(() => null);
        names.push(row ? localised(toPurpose(row), locale).name : r.purposeKey);
      }
      return names;
    },
    receipt: (tx: Queryable, opened: OpenedLink, locale: string) =>
      consent.currentReceipt(tx, opened.claims.t, opened.claims.s, locale),
    tenantOf: async (tx: Queryable, tenantId: string) => deps.tenant(tx, tenantId),
  };
};
export type PreferencesService = ReturnType<typeof createPreferencesService>;
