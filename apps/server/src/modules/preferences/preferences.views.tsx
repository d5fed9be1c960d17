import type { PageLocale } from '@lawful/contract';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { PageMessages } from './preferences.messages.ts';
import type { PageModel, PurposeView } from './preferences.service.ts';

/**
 * The people-facing pages. No script at all: every action is a plain form POST with one button, so the pages work
 * without JavaScript, with a keyboard, and under a CSP that forbids inline code (checks 12, 64). Colours meet
 * WCAG 2.1 AA contrast; focus is always visible.
 */
export const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.8rem}h2{font-size:1.35rem;margin-top:2.5rem}h3{font-size:1.15rem;margin:0}
.purpose{border:1px solid #767676;border-radius:6px;padding:1rem;margin:1rem 0}
.state{font-weight:600}.state-granted{color:#0b6b2e}.state-other{color:#333}
button{padding:.6rem 1.2rem;font:inherit;border-radius:4px;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b4f9c}
button:focus-visible,a:focus-visible,summary:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
a{color:#0b4f9c}.status{border-left:4px solid #0b6b2e;background:#e9f5ee;padding:.5rem 1rem}
.notice{border-left:3px solid #767676;padding-left:1rem;margin:.5rem 0}.hint{color:#444}
summary{cursor:pointer;color:#0b4f9c;margin-top:.5rem}ol{padding-left:1.5rem}form{margin:.75rem 0}`;

type Ctx = { m: PageMessages; lang: PageLocale; org: string };

export const Page = (p: { ctx: Ctx; title: string; children: Child }) => (
  <html lang={p.ctx.lang}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <meta name="referrer" content="no-referrer" />
      <title>{p.ctx.org ? `${p.title} · ${p.ctx.org}` : p.title}</title>
      <link rel="stylesheet" href="/p/_/preferences.css" />
    </head>
    <body>
      <main>
        <h1>{p.title}</h1>
        {p.children}
      </main>
    </body>
  </html>
);

const day = (lang: PageLocale, timeZone: string, d: Date) =>
  new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { dateStyle: 'long', timeZone }).format(d);

const Hidden = (p: { csrf: string; fields?: Record<string, string> }) => (
  <>
    <input type="hidden" name="_csrf" value={p.csrf} />
    {Object.entries(p.fields ?? {}).map(([k, v]) => (
      <input type="hidden" name={k} value={v} />
    ))}
  </>
);

const PurposeBlock = (p: { ctx: Ctx; tz: string; v: PurposeView; action: string; csrf: string; lang: PageLocale }) => {
  const { m } = p.ctx;
  const on = p.v.state === 'granted' || p.v.state === 'pending_confirmation';
  const id = `purpose-${p.v.key}`;
  return (
    <section class="purpose" aria-labelledby={id}>
      <h3 id={id}>{p.v.name}</h3>
      <p>{p.v.description}</p>
      <p class={`state ${p.v.state === 'granted' ? 'state-granted' : 'state-other'}`} data-state={p.v.state}>
        {m.yourChoice(m.state[p.v.state], p.v.since ? day(p.lang, p.tz, p.v.since) : null)}
      </p>
      <form method="post" action={p.action}>
        <Hidden csrf={p.csrf} fields={{ purpose: p.v.key, decision: on ? 'withdraw' : 'grant', lang: p.lang }} />
        <button type="submit" class={on ? 'secondary' : ''} data-purpose={p.v.key}>
          {on ? m.withdraw(p.v.name) : m.grant(p.v.name)}
        </button>
      </form>
      {p.v.history.length > 0 && (
        <details>
          <summary>{m.history}</summary>
          <ol>
            {p.v.history.map((h) => (
              <li>
                {day(p.lang, p.tz, h.at)}: {m.decision[h.decision]} ({m.via(m.methods[h.method])})
              </li>
            ))}
          </ol>
        </details>
      )}
      {p.v.seen && p.v.seen.versionId !== p.v.latest.versionId && (
        <details>
          <summary>{m.noticeSeen(p.v.seen.version)}</summary>
          <div class="notice" lang={p.v.seen.locale}>
            {raw(p.v.seen.html)}
          </div>
        </details>
      )}
      <details>
        <summary>
          {p.v.seen?.versionId === p.v.latest.versionId
            ? m.noticeSeen(p.v.latest.version)
            : m.noticeLatest(p.v.latest.version)}
        </summary>
        <div class="notice" lang={p.v.latest.locale}>
          {raw(p.v.latest.html)}
        </div>
      </details>
    </section>
  );
};

export const PreferencesPage = (p: {
  ctx: Ctx;
  model: PageModel;
  base: string;
  csrf: string;
  saved: boolean;
  hasReceipt: boolean;
}) => {
  const { m } = p.ctx;
  const tz = p.model.timeZone;
  return (
    <Page ctx={p.ctx} title={m.title}>
      {p.saved && (
        <p class="status" role="status">
          {m.saved}
        </p>
      )}
      <p>{m.intro(p.model.organisation)}</p>
      <h2>{m.consents}</h2>
      {p.model.consents.length === 0 ? (
        <p>{m.none}</p>
      ) : (
        p.model.consents.map((v) => (
          <PurposeBlock ctx={p.ctx} tz={tz} v={v} action={`${p.base}/choice`} csrf={p.csrf} lang={p.ctx.lang} />
        ))
      )}
      {p.model.consents.length > 0 && (
        <>
          <h2>{m.everything}</h2>
          <p class="hint">{m.everythingHint}</p>
          <form method="post" action={`${p.base}/unsubscribe-all`}>
            <Hidden csrf={p.csrf} fields={{ lang: p.ctx.lang }} />
            <button type="submit">{m.unsubscribeAll}</button>
          </form>
        </>
      )}
      {p.model.directMarketing.length > 0 && (
        <section aria-labelledby="object-heading">
          <h2 id="object-heading">{m.objectHeading}</h2>
          <p>{m.objectText}</p>
          {p.model.directMarketing.map((d) =>
            d.objectedAt ? (
              <p data-objected={d.key}>
                {d.name}: {m.objected(day(p.ctx.lang, tz, d.objectedAt))}
              </p>
            ) : (
              <form method="post" action={`${p.base}/object`}>
                <Hidden csrf={p.csrf} fields={{ purpose: d.key, lang: p.ctx.lang }} />
                <button type="submit" class="secondary">
                  {m.object(d.name)}
                </button>
              </form>
            ),
          )}
        </section>
      )}
      <h2>{m.receipt}</h2>
      {p.hasReceipt ? (
        <p>
          <a href={`${p.base}/receipt?lang=${p.ctx.lang}`} download>
            {m.receipt}
          </a>{' '}
          <span class="hint">{m.receiptHint}</span>
        </p>
      ) : (
        <p class="hint">{m.noReceipt}</p>
      )}
    </Page>
  );
};

export const MessagePage = (p: { ctx: Ctx; title: string; text: string; role?: 'alert' | 'status' }) => (
  <Page ctx={p.ctx} title={p.title}>
    <p role={p.role}>{p.text}</p>
  </Page>
);

/** A page with one button: GET never acts (mail scanners prefetch links), the button POSTs. */
export const OneButtonPage = (p: {
  ctx: Ctx;
  title: string;
  lead: string;
  items?: string[];
  action: string;
  button: string;
  fields: Record<string, string>;
}) => (
  <Page ctx={p.ctx} title={p.title}>
    <p>{p.lead}</p>
    {p.items && (
      <ul>
        {p.items.map((i) => (
          <li>{i}</li>
        ))}
      </ul>
    )}
    <form method="post" action={p.action}>
      {Object.entries(p.fields).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit">{p.button}</button>
    </form>
  </Page>
);
