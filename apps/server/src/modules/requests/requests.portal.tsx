import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RequestLocale as Locales, type RequestLocale, RequestType } from '@lawful/contract';
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Database, Queryable } from '../../db/client.ts';
import { toAppError } from '../../http/errors.ts';
import { clientIp, createRateLimits, type RateLimits } from '../../http/middleware.ts';
import { AppError } from '../../lib/errors.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { TenantInfo } from './requests.core.ts';
import type { RequestNotifier } from './requests.notify.ts';
import { type PortalMessages, portalMessages } from './requests.portal.messages.ts';
import type { RequestsService } from './requests.service.ts';

/**
 * The public request portal: server-rendered, works without JavaScript, localised, CSRF-protected (double-submit
 * cookie, SameSite=Strict), rate-limited per address. Identity is proved by an e-mailed link or code (check 36:
 * no documents); the status page is reached through a keyed link, never by guessing a request id.
 */

const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label,legend{font-weight:600;display:block;margin-top:1rem}input[type=email],input[type=text],textarea{width:100%;padding:.5rem;font:inherit;border:2px solid #555;border-radius:4px}
fieldset{border:0;padding:0}.opt{font-weight:400;display:flex;gap:.5rem;align-items:center}.hint{color:#444;font-size:.9rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;background:#0b4f9c;color:#fff;border:0;border-radius:4px}
button:focus,input:focus,textarea:focus{outline:3px solid #f5a623;outline-offset:2px}.error{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}
dt{font-weight:600}`;

type Ctx = { m: PortalMessages; lang: RequestLocale; org: string };

const Page = (p: { ctx: Ctx; title: string; children: Child }) => (
  <html lang={p.ctx.lang}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>{p.ctx.org ? `${p.title} · ${p.ctx.org}` : p.title}</title>
      <link rel="stylesheet" href="/r/_/portal.css" />
    </head>
    <body>
      <main>
        <h1>{p.title}</h1>
        {p.children}
      </main>
    </body>
  </html>
);

const Errors = (p: { m: PortalMessages; errors: string[] }) =>
  p.errors.length === 0 ? null : (
    <div class="error" role="alert" tabindex={-1}>
      <h2>{p.m.errors.title}</h2>
      <ul>
        {p.errors.map((e) => (
          <li>{e}</li>
        ))}
      </ul>
    </div>
  );

const Form = (p: {
  ctx: Ctx;
  csrf: string;
  errors: string[];
  values: { email: string; types: string[]; details: string; transfer: string };
}) => {
  const { m } = p.ctx;
  return (
    <form method="post" novalidate>
      <Errors m={m} errors={p.errors} />
      <p>{m.intro}</p>
      <input type="hidden" name="csrf" value={p.csrf} />
      <input type="hidden" name="lang" value={p.ctx.lang} />
      <fieldset>
        <legend>{m.typesLegend}</legend>
        {RequestType.options.map((t) => (
          <label class="opt">
            <input type="checkbox" name="types" value={t} checked={p.values.types.includes(t)} /> {m.types[t]}
          </label>
        ))}
      </fieldset>
      <label for="email">{m.email}</label>
      <p class="hint" id="email-hint">
        {m.emailHint}
      </p>
      <input
        id="email"
        type="email"
        name="email"
        autocomplete="email"
        required
        aria-describedby="email-hint"
        value={p.values.email}
      />
      <label for="details">{m.details}</label>
      <p class="hint" id="details-hint">
        {m.detailsHint}
      </p>
      <textarea id="details" name="details" rows={4} maxlength={5000} aria-describedby="details-hint">
        {p.values.details}
      </textarea>
      <label for="transfer">{m.transfer}</label>
      <p class="hint" id="transfer-hint">
        {m.transferHint}
      </p>
      <input
        id="transfer"
        type="url"
        name="transfer"
        maxlength={2000}
        aria-describedby="transfer-hint"
        value={p.values.transfer}
      />
      <p class="hint">
        {m.noDocuments} {m.free}
      </p>
      <button type="submit">{m.submit}</button>
    </form>
  );
};

const CodeForm = (p: { ctx: Ctx; csrf: string; requestId: string; errors: string[] }) => (
  <form method="post" action="confirm">
    <Errors m={p.ctx.m} errors={p.errors} />
    <p>{p.ctx.m.sent.body}</p>
    <input type="hidden" name="csrf" value={p.csrf} />
    <input type="hidden" name="lang" value={p.ctx.lang} />
    <input type="hidden" name="requestId" value={p.requestId} />
    <label for="code">{p.ctx.m.sent.codeLabel}</label>
    <input
      id="code"
      type="text"
      name="code"
      inputmode="numeric"
      autocomplete="one-time-code"
      pattern="[0-9]{6}"
      maxlength={6}
      required
    />
    <button type="submit">{p.ctx.m.sent.confirm}</button>
  </form>
);

const FormInput = z
  .object({
    email: z
      .string()
      .trim()
      .max(320)
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/),
    types: z.array(RequestType).min(1).max(6),
    details: z.string().trim().max(5000),
    // Art. 20(2): only with portability; the address itself is checked by the service (https, public after DNS).
    transfer: z.string().trim().max(2000),
  })
  .refine((v) => !v.transfer || v.types.includes('portability'), { path: ['transfer'] });

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Constant-time comparison of two strings' bytes; strings of a different byte length simply differ. */
const sameBytes = (a: string, b: string) => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};

export type PortalLimits = { intakePerIpPer10Min: number; confirmPerIpPer10Min: number };

export const requestsPortal = (deps: {
  db: Database;
  requests: Pick<RequestsService, 'create' | 'confirm' | 'get'>;
  notifier: Pick<RequestNotifier, 'sendConfirmation'>;
  vault: Pick<Vault, 'tenantDerivedKey'>;
  tenantBySlug: (slug: string) => Promise<{ id: string } | null>;
  tenantInfo: (q: Queryable, tenantId: string) => Promise<TenantInfo>;
  publicUrl: string;
  limits?: PortalLimits;
  /** Shared counters (REDIS_URL): every server process counts the same address against the same budget. */
  redis?: Redis;
}) => {
  const limits = deps.limits ?? { intakePerIpPer10Min: 10, confirmPerIpPer10Min: 30 };
  const window = { windowSeconds: 600, redis: deps.redis };
  const intake = createRateLimits({ perMinute: limits.intakePerIpPer10Min, keyPrefix: 'lawful_portal_in', ...window });
  const confirms = createRateLimits({
    perMinute: limits.confirmPerIpPer10Min,
    keyPrefix: 'lawful_portal_cf',
    ...window,
  });
  const secure = deps.publicUrl.startsWith('https://');
  const app = new Hono();

  const limited = async (l: RateLimits, key: string) => {
    try {
      await l.check(key);
      return false;
    } catch (e) {
      if (e instanceof AppError && e.code === 'RATE_LIMITED') return true;
      throw e;
    }
  };

  const tenantOf = async (slug: string) => {
    // Only what a slug can be reaches SQL (a NUL byte in the address was a JSON 400 from PostgreSQL; found by fuzzing).
    const t = SLUG.test(slug) ? await deps.tenantBySlug(slug) : null;
    if (!t) throw new AppError('NOT_FOUND', 'no such portal');
    const info = await deps.db.tenant(t.id, (tx) => deps.tenantInfo(tx, t.id));
    return { id: t.id, info };
  };

  const pickLang = (asked: string | undefined, accept: string | undefined, fallback: string): RequestLocale => {
    const candidates = [
      asked,
      ...(accept ?? '').split(',').map((s) => s.split(';')[0]!.trim().slice(0, 2)),
      fallback,
      'en',
    ];
    return (candidates.find((c) => c && Locales.safeParse(c).success) as RequestLocale | undefined) ?? 'en';
  };

  const csrfToken = (c: Context) => {
    const existing = getCookie(c, 'lawful_csrf');
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString('base64url');
    setCookie(c, 'lawful_csrf', token, { httpOnly: true, sameSite: 'Strict', secure, path: '/r/' });
    return token;
  };
  const csrfOk = (cookie: string | undefined, field: unknown) =>
    typeof cookie === 'string' && typeof field === 'string' && sameBytes(cookie, field);

  const statusKey = async (tenantId: string, requestId: string) => {
    const key = await deps.db.tenant(tenantId, (tx) => deps.vault.tenantDerivedKey(tx, tenantId, 'portal-status'));
    return createHmac('sha256', key).update(requestId).digest('base64url');
  };

  // A multipart body without its boundary makes the parser throw: the sender's fault, a 400 page (found by fuzzing).
  const formOf = async <T extends boolean>(c: Context, all: T) => {
    try {
      return await c.req.parseBody({ all });
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the form could not be read', { field: '(body)' });
    }
  };

  // A wrong portal address or status link, an unreadable form: a page in the person's language, not a JSON body.
  app.onError((thrown, c) => {
    const e = toAppError(thrown);
    if (e.status >= 500) throw thrown;
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'), 'en');
    const m = portalMessages[lang];
    const [title, text] =
      e.code === 'NOT_FOUND'
        ? [m.notFound, m.errors.code]
        : e.code === 'RATE_LIMITED'
          ? [m.errors.title, m.errors.rate]
          : [m.errors.title, m.errors.csrf];
    for (const [k, v] of Object.entries(e.headers ?? {})) c.header(k, v);
    return c.html(
      <Page ctx={{ m, lang, org: '' }} title={title}>
        <p role="alert">{text}</p>
      </Page>,
      e.status as ContentfulStatusCode,
    );
  });

  const noStore = async (c: Context, next: () => Promise<void>) => {
    await next();
    c.header('Cache-Control', 'no-store');
  };
  app.use('/r/*', noStore);

  app.get('/r/_/portal.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(CSS);
  });

  app.get('/r/:slug', async (c) => {
    const t = await tenantOf(c.req.param('slug'));
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'), t.info.settings.defaultLocale);
    const ctx = { m: portalMessages[lang], lang, org: t.info.name };
    return c.html(
      <Page ctx={ctx} title={ctx.m.title(ctx.org)}>
        <Form ctx={ctx} csrf={csrfToken(c)} errors={[]} values={{ email: '', types: [], details: '', transfer: '' }} />
      </Page>,
    );
  });

  app.post('/r/:slug', async (c) => {
    const t = await tenantOf(c.req.param('slug'));
    const body = await formOf(c, true);
    const lang = pickLang(String(body.lang ?? ''), c.req.header('accept-language'), t.info.settings.defaultLocale);
    const ctx = { m: portalMessages[lang], lang, org: t.info.name };
    const types = ([] as unknown[]).concat(body.types ?? []).map(String);
    const values = {
      email: String(body.email ?? ''),
      types,
      details: String(body.details ?? ''),
      transfer: String(body.transfer ?? ''),
    };
    const again = (errors: string[], status: 400 | 403 | 429) =>
      c.html(
        <Page ctx={ctx} title={ctx.m.title(ctx.org)}>
          <Form ctx={ctx} csrf={csrfToken(c)} errors={errors} values={values} />
        </Page>,
        status,
      );
    if (!csrfOk(getCookie(c, 'lawful_csrf'), body.csrf)) return again([ctx.m.errors.csrf], 403);
    if (await limited(intake, `${t.id}:${clientIp(c)}`)) return again([ctx.m.errors.rate], 429);
    const parsed = FormInput.safeParse(values);
    if (!parsed.success) {
      const fields = new Set(parsed.error.issues.map((i) => String(i.path[0])));
      return again(
        [
          ...(fields.has('types') ? [ctx.m.errors.types] : []),
          ...(fields.has('email') ? [ctx.m.errors.email] : []),
          ...(fields.has('transfer') ? [ctx.m.errors.transfer] : []),
        ],
        400,
      );
    }
    const created = await deps.requests
      .create(
        t.id,
        {
          types: parsed.data.types,
          identities: [{ type: 'email', value: parsed.data.email }],
          channel: 'portal',
          identityVerified: false,
          locale: lang,
          ...(parsed.data.details ? { note: parsed.data.details } : {}),
          ...(parsed.data.transfer ? { transfer: { url: parsed.data.transfer } } : {}),
        },
        'portal',
      )
      .catch((e: unknown) => {
        if (e instanceof AppError && e.field?.startsWith('transfer')) return null;
        throw e;
      });
    if (!created) return again([ctx.m.errors.transfer], 400);
    const { request, confirmation } = created;
    if (confirmation) {
      const link = `${deps.publicUrl}/r/${t.info.slug}/confirm?t=${confirmation.token}&lang=${lang}`;
      await deps.notifier.sendConfirmation(t.id, request, parsed.data.email, confirmation, link);
    }
    // A repeat of an open request is linked to it; the page reads the same so it reveals nothing about others.
    return c.html(
      <Page ctx={ctx} title={ctx.m.sent.title}>
        <CodeForm ctx={ctx} csrf={csrfToken(c)} requestId={request.id} errors={[]} />
      </Page>,
      202,
    );
  });

  app.get('/r/:slug/confirm', async (c) => {
    const t = await tenantOf(c.req.param('slug'));
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'), t.info.settings.defaultLocale);
    const ctx = { m: portalMessages[lang], lang, org: t.info.name };
    // A button, not an automatic confirmation: mail scanners that open links must not confirm for the subject.
    return c.html(
      <Page ctx={ctx} title={ctx.m.confirmTitle}>
        <form method="post" action="confirm">
          <p>{ctx.m.confirmBody}</p>
          <input type="hidden" name="csrf" value={csrfToken(c)} />
          <input type="hidden" name="lang" value={lang} />
          <input type="hidden" name="t" value={c.req.query('t') ?? ''} />
          <button type="submit">{ctx.m.sent.confirm}</button>
        </form>
      </Page>,
    );
  });

  app.post('/r/:slug/confirm', async (c) => {
    const t = await tenantOf(c.req.param('slug'));
    const body = await formOf(c, false);
    const lang = pickLang(String(body.lang ?? ''), c.req.header('accept-language'), t.info.settings.defaultLocale);
    const ctx = { m: portalMessages[lang], lang, org: t.info.name };
    const requestId =
      typeof body.requestId === 'string' && /^req_[0-9A-Z]{26}$/.test(body.requestId) ? body.requestId : '';
    const fail = (error: string, status: 400 | 403 | 429) =>
      c.html(
        <Page ctx={ctx} title={ctx.m.sent.title}>
          <CodeForm ctx={ctx} csrf={csrfToken(c)} requestId={requestId} errors={[error]} />
        </Page>,
        status,
      );
    if (!csrfOk(getCookie(c, 'lawful_csrf'), body.csrf)) return fail(ctx.m.errors.csrf, 403);
    if (await limited(confirms, `${t.id}:${clientIp(c)}`)) return fail(ctx.m.errors.rate, 429);
    const token = typeof body.t === 'string' ? body.t : '';
    const code = typeof body.code === 'string' ? body.code.trim() : '';
    const proof = token ? { token } : requestId && /^\d{6}$/.test(code) ? { requestId, code } : null;
    if (!proof) return fail(ctx.m.errors.code, 400);
    try {
      const r = await deps.requests.confirm(t.id, proof);
      return c.redirect(`/r/${t.info.slug}/requests/${r.id}?k=${await statusKey(t.id, r.id)}&lang=${lang}`, 303);
    } catch (e) {
      if (e instanceof AppError && (e.code === 'VALIDATION_FAILED' || e.code === 'INVALID_TRANSITION'))
        return fail(ctx.m.errors.code, 400);
      throw e;
    }
  });

  app.get('/r/:slug/requests/:requestId', async (c) => {
    const t = await tenantOf(c.req.param('slug'));
    const id = c.req.param('requestId');
    const k = c.req.query('k') ?? '';
    const expected = await statusKey(t.id, id);
    if (!sameBytes(k, expected)) throw new AppError('NOT_FOUND', 'no such request');
    const r = await deps.requests.get(t.id, id);
    const lang = pickLang(c.req.query('lang'), c.req.header('accept-language'), r.locale);
    const ctx = { m: portalMessages[lang], lang, org: t.info.name };
    const day = (iso: string) =>
      new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, {
        dateStyle: 'long',
        timeZone: t.info.settings.timezone,
      }).format(new Date(iso));
    return c.html(
      <Page ctx={ctx} title={ctx.m.status.title}>
        <dl>
          <dt>{ctx.m.status.reference}</dt>
          <dd>{r.id}</dd>
          <dt>{ctx.m.status.state}</dt>
          <dd>{ctx.m.states[r.state]}</dd>
          <dt>{ctx.m.status.received}</dt>
          <dd>{day(r.receivedAt)}</dd>
          <dt>{ctx.m.status.due}</dt>
          <dd>{day(r.dueAt)}</dd>
        </dl>
      </Page>,
    );
  });

  // A link cut short or mangled in a mail client lands on a page, not on the API's JSON 404.
  app.all('/r/*', () => {
    throw new AppError('NOT_FOUND', 'no such page');
  });

  return app;
};
