import { OpenAPIHono } from '@hono/zod-openapi';
import {
  CreatePreferenceLink,
  CreateUnsubscribeLink,
  type PageLocale,
  PreferenceCentreLink,
  RevokedLinks,
  UnsubscribeLink,
} from '@lawful/contract';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Database, Tx } from '../../db/client.ts';
import { type AppEnv, actorOf } from '../../http/context.ts';
import { toAppError } from '../../http/errors.ts';
import { clientIp, type RateLimits } from '../../http/middleware.ts';
import { guarded, IdParam, json, jsonBody, STAFF } from '../../http/route.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import type { LinkFailure, OpenedLink } from './preferences.links.ts';
import { type PageMessages, pageMessages, pickLocale } from './preferences.messages.ts';
import type { PreferencesService } from './preferences.service.ts';
import { csrfMatches } from './preferences.token.ts';
import { CSS, MessagePage, OneButtonPage, PreferencesPage } from './preferences.views.tsx';

const SubjectParam = IdParam('subjectId', 'sub');
const SUBJECT_ID = /^sub_[0-9A-HJKMNP-TV-Z]{26}$/;
const PAGE_PATH = /^\/[puc]\//;

/** No script, no inline style, forms post only to us, never framed (check 64). */
const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const preferencesRoutes = (deps: {
  db: Database;
  preferences: PreferencesService;
  consent: Pick<ConsentService, 'confirm'>;
  subjectExists: (tenantId: string, subjectId: string) => Promise<boolean>;
  rateLimits: RateLimits;
}) => {
  const { db, preferences: prefs } = deps;
  const links = prefs.links;
  const app = new OpenAPIHono<AppEnv>();

  // ---- staff API ----
  // A path naming another tenant's subject is 404 whatever the body says: checked before the body is validated.
  for (const path of ['preference-link', 'unsubscribe-link', 'preference-links/revoke']) {
    app.use(`/v1/subjects/:subjectId/${path}`, async (c, next) => {
      const p = c.var.principal;
      const id = c.req.param('subjectId');
      // A malformed id is not looked up (a NUL byte would reach SQL): the param validator answers 400 naming it.
      if (p && SUBJECT_ID.test(id) && !(await deps.subjectExists(p.tenantId, id))) throw notFound('subject');
      await next();
    });
  }
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/subjects/{subjectId}/preference-link',
      tags: ['Preference centre'],
      summary: 'A signed, expiring link to the subject’s preference centre (no login; carries no personal data)',
      request: { params: SubjectParam, ...jsonBody(CreatePreferenceLink) },
      responses: { 201: json(PreferenceCentreLink, 'The link') },
    }),
    async (c) => {
      const p = c.var.principal;
      const out = await prefs.preferenceLink(
        p.tenantId,
        c.req.valid('param').subjectId,
        c.req.valid('json'),
        actorOf(p),
      );
      return c.json(out, 201);
    },
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/subjects/{subjectId}/unsubscribe-link',
      tags: ['Preference centre'],
      summary: 'A one-click unsubscribe link for one purpose, with its RFC 8058 List-Unsubscribe headers',
      request: { params: SubjectParam, ...jsonBody(CreateUnsubscribeLink) },
      responses: { 201: json(UnsubscribeLink, 'The link and the headers to put on the e-mail') },
    }),
    async (c) => {
      const p = c.var.principal;
      const out = await prefs.unsubscribeLink(
        p.tenantId,
        c.req.valid('param').subjectId,
        c.req.valid('json'),
        actorOf(p),
      );
      return c.json(out, 201);
    },
  );
  app.openapi(
    guarded(STAFF, {
      method: 'post',
      path: '/v1/subjects/{subjectId}/preference-links/revoke',
      tags: ['Preference centre'],
      summary: 'Revoke every link handed out for the subject (preference, unsubscribe, confirmation)',
      request: { params: SubjectParam },
      responses: { 200: json(RevokedLinks, 'How many links stopped working') },
    }),
    async (c) => {
      const p = c.var.principal;
      return c.json(await prefs.revokeLinks(p.tenantId, c.req.valid('param').subjectId, actorOf(p)), 200);
    },
  );

  // ---- people-facing pages ----
  const pages: MiddlewareHandler<AppEnv> = async (c, next) => {
    await deps.rateLimits.check(`ip:${clientIp(c)}`);
    await next();
    c.res.headers.set('Content-Security-Policy', PAGE_CSP);
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('X-Robots-Tag', 'noindex');
  };
  for (const prefix of ['/p/*', '/u/*', '/c/*']) app.use(prefix, pages);

  app.get('/p/_/preferences.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    return c.body(CSS, 200, { 'Cache-Control': 'public, max-age=3600' });
  });

  type Lang = { lang: PageLocale; m: PageMessages };
  const langOf = (c: Context<AppEnv>, fromForm: unknown, fallback = 'en'): Lang => {
    const lang = pickLocale(
      typeof fromForm === 'string' ? fromForm : c.req.query('lang'),
      c.req.header('accept-language'),
      fallback,
    );
    return { lang, m: pageMessages[lang] };
  };
  const failure = (c: Context<AppEnv>, l: Lang, reason: LinkFailure | 'csrf') => {
    const status = reason === 'invalid' ? 404 : reason === 'csrf' ? 403 : 410;
    const text = { invalid: l.m.invalid, expired: l.m.expired, revoked: l.m.revoked, csrf: l.m.csrf }[reason];
    return c.html(
      <MessagePage ctx={{ m: l.m, lang: l.lang, org: '' }} title={l.m.invalidTitle} text={text} role="alert" />,
      status,
    );
  };
  // What escapes a page's handler (an unreadable form, an objection the service refuses, the rate limit) is still a
  // page for the person who pressed the button, not a JSON body (found by fuzzing). The staff API keeps its shape.
  app.onError((thrown, c) => {
    const e = toAppError(thrown);
    if (!PAGE_PATH.test(c.req.path) || e.status >= 500) throw thrown;
    const l = langOf(c, undefined);
    for (const [k, v] of Object.entries(e.headers ?? {})) c.header(k, v);
    return c.html(
      <MessagePage ctx={{ m: l.m, lang: l.lang, org: '' }} title={l.m.invalidTitle} text={e.message} role="alert" />,
      e.status as ContentfulStatusCode,
    );
  });
  const ctxOf = (c: Context<AppEnv>, o: OpenedLink) => ({
    actor: `link:${o.claims.n}`,
    ip: clientIp(c),
    userAgent: c.req.header('user-agent'),
  });

  /**
   * Opens the link (and, for a POST, checks the form's CSRF token) inside one tenant transaction, then runs `fn`
   * in the same transaction: the check and the change commit together.
   */
  const withLink = async (
    c: Context<AppEnv>,
    kind: 'preferences' | 'unsubscribe' | 'confirm',
    form: Record<string, unknown> | null,
    fn: (tx: Tx, o: OpenedLink, l: Lang) => Promise<Response>,
  ) => {
    const token = c.req.param('token') ?? '';
    const tenantId = links.tenantOf(token);
    const early = langOf(c, form?.lang);
    if (!tenantId) return failure(c, early, 'invalid');
    try {
      return await db.tenant(tenantId, async (tx) => {
        const r = await links.open(tx, token, kind);
        if (!r.ok) return failure(c, early, r.reason);
        const settings = (await prefs.tenantOf(tx, tenantId)).settings;
        const l = langOf(c, form?.lang, settings.defaultLocale);
        if (form && kind === 'preferences' && !csrfMatches(await links.keyOf(tx, tenantId), token, form._csrf)) {
          return failure(c, l, 'csrf');
        }
        return fn(tx, r.link, l);
      });
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      return c.html(
        <MessagePage
          ctx={{ m: early.m, lang: early.lang, org: '' }}
          title={early.m.invalidTitle}
          text={e.message}
          role="alert"
        />,
        e.status as ContentfulStatusCode,
      );
    }
  };
  // A multipart body without its boundary makes the parser throw: the sender's fault, a 400 page (found by fuzzing).
  const formOf = async (c: Context<AppEnv>) => {
    try {
      return (await c.req.parseBody()) as Record<string, unknown>;
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the form could not be read', { field: '(body)' });
    }
  };
  const back = (c: Context<AppEnv>, l: Lang) => c.redirect(`/p/${c.req.param('token')}?lang=${l.lang}&saved=1`, 303);

  app.get('/p/:token', (c) =>
    withLink(c, 'preferences', null, async (tx, o, l) => {
      const model = await prefs.page(tx, o, l.lang);
      const hasReceipt = model.consents.some((x) => x.state === 'granted');
      return c.html(
        <PreferencesPage
          ctx={{ m: l.m, lang: l.lang, org: model.organisation }}
          model={model}
          base={`/p/${o.token}`}
          csrf={o.csrf}
          saved={c.req.query('saved') === '1'}
          hasReceipt={hasReceipt}
        />,
      );
    }),
  );
  app.post('/p/:token/choice', async (c) => {
    const form = await formOf(c);
    return withLink(c, 'preferences', form, async (tx, o, l) => {
      const purpose = typeof form.purpose === 'string' ? form.purpose : '';
      if (form.decision !== 'grant' && form.decision !== 'withdraw') {
        throw new AppError('VALIDATION_FAILED', 'decision must be grant or withdraw', { field: 'decision' });
      }
      await prefs.choose(tx, o, purpose, form.decision === 'grant', l.lang, ctxOf(c, o));
      return back(c, l);
    });
  });
  app.post('/p/:token/unsubscribe-all', async (c) => {
    const form = await formOf(c);
    return withLink(c, 'preferences', form, async (tx, o, l) => {
      await prefs.unsubscribeAll(tx, o, l.lang, ctxOf(c, o));
      return back(c, l);
    });
  });
  app.post('/p/:token/object', async (c) => {
    const form = await formOf(c);
    let opened: { o: OpenedLink; l: Lang } | null = null;
    const res = await withLink(c, 'preferences', form, async (_tx, o, l) => {
      opened = { o, l };
      return c.body(null, 204);
    });
    if (!opened) return res;
    const { o, l } = opened as { o: OpenedLink; l: Lang };
    // The objections service runs its own transaction, after the link and CSRF checks committed.
    await prefs.object(o, typeof form.purpose === 'string' ? form.purpose : '');
    return back(c, l);
  });
  app.get('/p/:token/receipt', (c) =>
    withLink(c, 'preferences', null, async (tx, o, l) => {
      const receipt = await prefs.receipt(tx, o, l.lang);
      if (!receipt) throw new AppError('NOT_FOUND', l.m.noReceipt);
      const body = JSON.stringify(
        {
          format: 'Kantara Consent Receipt v1.1, compact JWS (EdDSA)',
          jwks: `/.well-known/lawful/${o.claims.t}/jwks.json`,
          receipt,
        },
        null,
        2,
      );
      return c.body(body, 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': 'attachment; filename="consent-receipt.json"',
      });
    }),
  );

  // RFC 8058: GET shows a button and never acts (mail scanners follow links); the POST acts.
  app.get('/u/:token', (c) =>
    withLink(c, 'unsubscribe', null, async (tx, o, l) => {
      const name = await prefs.purposeName(tx, o.claims.t, o.claims.p ?? '', l.lang);
      return c.html(
        <OneButtonPage
          ctx={{ m: l.m, lang: l.lang, org: '' }}
          title={l.m.unsubTitle}
          lead={l.m.unsubAsk(name)}
          action={`/u/${o.token}`}
          button={l.m.unsubButton}
          fields={{ 'List-Unsubscribe': 'One-Click', lang: l.lang }}
        />,
      );
    }),
  );
  app.post('/u/:token', async (c) => {
    const form = await formOf(c);
    if (form['List-Unsubscribe'] !== 'One-Click') {
      const l = langOf(c, form.lang);
      return c.html(
        <MessagePage
          ctx={{ m: l.m, lang: l.lang, org: '' }}
          title={l.m.invalidTitle}
          text="List-Unsubscribe=One-Click"
          role="alert"
        />,
        400,
      );
    }
    return withLink(c, 'unsubscribe', form, async (tx, o, l) => {
      await prefs.unsubscribe(tx, o, ctxOf(c, o));
      const name = await prefs.purposeName(tx, o.claims.t, o.claims.p ?? '', l.lang);
      return c.html(
        <MessagePage
          ctx={{ m: l.m, lang: l.lang, org: '' }}
          title={l.m.unsubTitle}
          text={l.m.unsubDone(name)}
          role="status"
        />,
      );
    });
  });

  // Double opt-in: the e-mailed link shows a button; the POST confirms.
  app.get('/c/:token', (c) =>
    withLink(c, 'confirm', null, async (tx, o, l) => {
      const names = await prefs.pendingNames(tx, o.claims.t, o.claims.b ?? '', l.lang);
      return c.html(
        <OneButtonPage
          ctx={{ m: l.m, lang: l.lang, org: '' }}
          title={l.m.confirmTitle}
          lead={l.m.confirmAsk}
          items={names}
          action={`/c/${o.token}`}
          button={l.m.confirmButton}
          fields={{ lang: l.lang }}
        />,
      );
    }),
  );
  app.post('/c/:token', async (c) => {
    const form = await formOf(c);
    let opened: { o: OpenedLink; l: Lang } | null = null;
    const res = await withLink(c, 'confirm', form, async (_tx, o, l) => {
      opened = { o, l };
      return c.body(null, 204);
    });
    if (!opened) return res;
    const { o, l } = opened as { o: OpenedLink; l: Lang };
    const r = await deps.consent.confirm(o.claims.t, o.claims.b ?? '', ctxOf(c, o));
    const text = r.records.length > 0 ? l.m.confirmDone : l.m.confirmNothing;
    return c.html(
      <MessagePage ctx={{ m: l.m, lang: l.lang, org: '' }} title={l.m.confirmTitle} text={text} role="status" />,
    );
  });
  // A link cut short or mangled in a mail client (`/p/`, `/u/<token>/x`) lands on the link's error page.
  for (const prefix of ['/p/*', '/u/*', '/c/*'])
    app.all(prefix, async (c) => {
      const form = c.req.method === 'POST' ? await formOf(c).catch(() => null) : null;
      return failure(c, langOf(c, form?.lang), 'invalid');
    });
  return app;
};
