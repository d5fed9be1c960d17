import type {
  BannerConfig,
  BannerConsentRecord,
  BannerDecision,
  BannerTexts,
  LocalizedText,
} from '../../contract/src/banner.ts';
import { allowed, deleteCookies, gatedFrames, runScripts, showFrame } from './gate.ts';
import { beacon, send } from './send.ts';
import { type Choice, needsPrompt, newId, readStored, type Stored, writeStored } from './store.ts';
import type { TcfEvent } from './tcf.ts';
import { type Action, buildLayers, h, shadowHost } from './ui.ts';

export interface StartOptions {
  /** SRI value (`sha384-…`) of the bundle that is running; stored on every record (check 31). */
  bundleHash: string;
  /** CSP nonce for the `<style>` elements and the gated scripts that have none of their own. */
  nonce?: string;
}

/** `window.Lawful`. */
export interface LawfulApi {
  readonly version: string;
  /** What may run now, per optional category. Grants count only once the consent API has acknowledged them. */
  readonly consent: Choice;
  /** True while a choice is waiting for the consent API (nothing optional runs meanwhile). */
  readonly pending: boolean;
  tcString?: string;
  on(event: 'change', fn: (consent: Choice) => void): void;
  open(): void;
  acceptAll(): void;
  rejectAll(): void;
}

type Layer = BannerConsentRecord['action']['layer'];
type Win = Window & { dataLayer?: unknown[]; Lawful?: LawfulApi; __tcfapi?: unknown };
type TcfModule = typeof import('./tcf.ts');

/**
 * Starts the banner with its config. The IIFE build calls this with the config the server inlined; ESM users call it
 * themselves.
 *
 * @example
 * import { start } from '@lawful/banner';
 * start(config, { bundleHash: manifest.files['banner.esm.js'].integrity });
 */
export const start = (cfg: BannerConfig, opt: StartOptions): LawfulApi => {
  const w = window as Win;
  const nonce = opt.nonce ?? '';
  const optional = cfg.categories.filter((c) => c.basis === 'consent').map((c) => c.key);
  const gpcOn = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  const gpcCats = gpcOn ? cfg.gpc.categories.filter((k) => optional.includes(k)) : [];
  const langs = [document.documentElement.lang, ...navigator.languages].map(
    (l) => (l || '').toLowerCase().split('-')[0],
  );
  const loc = langs.find((l) => l && cfg.texts[l]) ?? cfg.defaultLocale;
  const t = (cfg.texts[loc] ?? Object.values(cfg.texts)[0]) as BannerTexts;
  const pick = (l: LocalizedText | undefined): string =>
    l ? (l[loc] ?? l[cfg.defaultLocale] ?? Object.values(l)[0] ?? '') : '';
  const listeners: ((c: Choice) => void)[] = [];
  let stored: Stored | undefined = readStored();
  let effective: Choice = Object.fromEntries(optional.map((k) => [k, false]));

  // Google Consent Mode v2: the defaults go to dataLayer before anything else, so gtag/GTM sees "denied" first.
  w.dataLayer = w.dataLayer ?? [];
  const dl = w.dataLayer;
  function gtag(..._: unknown[]) {
    // biome-ignore lint/complexity/noArguments: gtag.js only understands Arguments objects in dataLayer.
    dl.push(arguments);
  }
  const cm = cfg.googleConsentMode;
  const signals = (c: Choice) =>
    Object.fromEntries(
      Object.entries(cm.mapping).map(([sig, cats]) => [
        sig,
        cats.every((k) => k === 'necessary' || c[k]) ? 'granted' : 'denied',
      ]),
    );
  if (cm.enabled) gtag('consent', 'default', { ...signals({}), wait_for_update: cm.waitForUpdateMs });

  // IAB TCF stub, synchronous so it exists before any vendor tag: __tcfapi must always be a function. It answers ping
  // and queues the rest (and every postMessage, for framed vendors) until tcf.js takes the queue over.
  const tq: unknown[] = [];
  if (cfg.tcf) {
    w.__tcfapi = (...a: unknown[]) =>
      a[0] === 'ping'
        ? (a[2] as (p: object) => void)({ gdprApplies: true, cmpLoaded: false, cmpStatus: 'stub', apiVersion: '2.2' })
        : tq.push(a);
    addEventListener('message', (e) => tq.push(e));
    document.head.append(h('iframe', { name: '__tcfapiLocator', hidden: true }));
  }
  const tcf =
    cfg.tcf &&
    import(/* @vite-ignore */ cfg.tcf.moduleUrl).then(
      (m: TcfModule) => m.cmp(cfg.tcf!, tq, () => !dialog?.hidden),
      () => undefined,
    );
  const tcfEv = (e: TcfEvent, s?: Stored) => void tcf?.then((c) => c?.ev(e, s));

  const record = (
    s: Stored,
    kind: Action | 'allow_embed' | 'gpc',
    layer: Layer,
    label: string,
    decisions: BannerDecision[],
  ) =>
    ({
      idempotencyKey: newId('bcr'),
      siteId: cfg.siteId,
      deviceId: s.d,
      noticeVersionId: cfg.notice.versionId,
      noticeHash: cfg.notice.hash,
      servicesHash: cfg.servicesHash,
      bannerVersion: cfg.bannerVersion,
      bundleHash: opt.bundleHash,
      locale: loc,
      jurisdiction: cfg.jurisdiction,
      action: { kind, layer, label },
      decisions,
      gpc: gpcOn,
      occurredAt: new Date().toISOString(),
      pageUrl: location.origin + location.pathname,
    }) satisfies BannerConsentRecord;

  const fresh = (): Stored => ({
    d: newId('dev'),
    v: cfg.notice.versionId,
    h: cfg.servicesHash,
    t: 0,
    c: {},
    g: [],
    p: [],
  });

  // GPC is an opt-out, recorded as such (method gpc) once per device; it never grants anything (check 29).
  if (gpcCats.length && (!stored || gpcCats.some((k) => !stored?.g.includes(k) || stored?.c[k]))) {
    const s = stored ?? fresh();
    for (const k of gpcCats) s.c[k] = false;
    s.g = gpcCats;
    const label = 'navigator.globalPrivacyControl';
    s.p.push(
      record(
        s,
        'gpc',
        'signal',
        label,
        gpcCats.map((k) => ({ category: k, granted: false, method: 'gpc' })),
      ),
    );
    stored = s;
    writeStored(s, cfg);
  }

  const effectiveFrom = (s: Stored | undefined): Choice => {
    const ok = s && !s.p.length && !needsPrompt(s, cfg, Date.now());
    return Object.fromEntries(optional.map((k) => [k, !!ok && s.c[k] === true && !gpcCats.includes(k)]));
  };

  const apply = (): void => {
    const next = effectiveFrom(stored);
    const changed = optional.some((k) => !next[k] !== !effective[k]);
    effective = next;
    if (changed && cm.enabled) gtag('consent', 'update', signals(next));
    if (stored) {
      const stale = needsPrompt(stored, cfg, Date.now());
      deleteCookies(
        cfg,
        optional.filter((k) => stale || !stored?.c[k] || gpcCats.includes(k)),
      );
    }
    runScripts(next, nonce);
    for (const f of gatedFrames()) if (allowed(f, next)) showFrame(f);
    if (changed) for (const fn of listeners) fn({ ...next });
  };

  let retry: ReturnType<typeof setTimeout> | undefined;
  let tries = 0;
  let inflight = false;
  // Fail closed (check 30): until the API acknowledges a record, it stays in the cookie and nothing optional runs.
  const flush = async (): Promise<void> => {
    if (inflight || !stored?.p.length) return;
    inflight = true;
    for (const rec of stored.p.slice()) {
      try {
        await send(cfg, rec);
        tries = 0;
        stored.p = stored.p.filter((r) => r.idempotencyKey !== rec.idempotencyKey);
        // The TC string reaches vendors only once its record is acknowledged, like everything else (check 30).
        if (rec.tcString) tcfEv('useractioncomplete', Object.assign(stored, { tc: rec.tcString }));
        writeStored(stored, cfg);
      } catch {
        break;
      }
    }
    inflight = false;
    apply();
    clearTimeout(retry);
    if (stored.p.length) retry = setTimeout(flush, Math.min(60_000, 2000 * 2 ** tries++));
  };
  addEventListener('online', () => void flush());
  addEventListener('pagehide', () => stored?.p.length && !inflight && beacon(cfg, stored.p));

  const choose = async (kind: Action, layer: Layer, label: string, c: Choice): Promise<void> => {
    const before = effective;
    const s: Stored = stored ?? fresh();
    const decisions = optional.map(
      (k): BannerDecision =>
        gpcCats.includes(k)
          ? { category: k, granted: false, method: 'gpc' }
          : { category: k, granted: c[k] === true, method: 'banner' },
    );
    Object.assign(s, { v: cfg.notice.versionId, h: cfg.servicesHash, t: Date.now() });
    s.c = Object.fromEntries(decisions.map((x) => [x.category, x.granted]));
    const rec: BannerConsentRecord = record(s, kind, layer, label, decisions);
    stored = s;
    s.p.push(rec);
    writeStored(s, cfg);
    hide();
    const tc = await tcf?.then((c) => c?.encode(s.c));
    if (tc) rec.tcString = tc;
    await flush();
    // Scripts that already ran cannot be unloaded; a reload is the only way to stop them (Art. 7(3)).
    if (cfg.reloadOnWithdrawal && optional.some((k) => before[k] && !s.c[k])) location.reload();
  };

  let dialog: HTMLElement | undefined;
  let reopen: HTMLElement | undefined;
  let lastFocus: Element | null = null;
  let layer: 'first' | 'choices' = 'first';
  const layers = buildLayers({
    cfg,
    t,
    loc,
    gpc: gpcCats,
    pick,
    onChoice: (a, l, label, c) => void choose(a, l, label, c),
  });

  const show = (to: 'first' | 'choices', details = false): void => {
    if (!dialog || !reopen) return;
    if (dialog.hidden) {
      lastFocus = document.activeElement?.shadowRoot?.activeElement ?? document.activeElement;
      // Surfaced (not a move between layers): TCF vendors hear cmpuishown once it is visible.
      tcfEv('cmpuishown');
    }
    layer = to;
    const current = stored && !needsPrompt(stored, cfg, Date.now()) ? stored.c : {};
    const kids = to === 'first' ? layers.first((d) => show('choices', d)) : layers.choices(current, details);
    dialog.replaceChildren(...kids.filter((k): k is Node => k instanceof Node));
    dialog.toggleAttribute('aria-describedby', false);
    if (to === 'first') dialog.setAttribute('aria-describedby', 'lw-d');
    dialog.hidden = false;
    reopen.hidden = true;
    dialog.focus();
  };

  function hide(): void {
    if (!dialog || !reopen || dialog.hidden) return;
    dialog.hidden = true;
    reopen.hidden = !cfg.reopenButton;
    const back = lastFocus instanceof HTMLElement && lastFocus.isConnected ? lastFocus : reopen;
    back.focus();
  }

  const placeholder = (f: HTMLIFrameElement): void => {
    const [ph, root] = shadowHost(nonce);
    ph.setAttribute('data-lawful-ph', '');
    const cat = f.getAttribute('data-category')?.split(/\s+/)[0] ?? '';
    const category = cfg.categories.find((c) => c.key === cat);
    const svcId = f.getAttribute('data-service');
    const svc = category?.services.find((s) => s.id === svcId);
    const vendor =
      svc?.vendor ?? f.getAttribute('data-vendor') ?? new URL(f.getAttribute('data-src') ?? '', location.href).hostname;
    const msg = h('p', {}, t.embedBlocked.replace('{vendor}', vendor).replace('{category}', pick(category?.label)));
    const allow = async () => {
      const s = stored ?? fresh();
      const rec = record(s, 'allow_embed', 'placeholder', t.embedAllow, [
        { category: cat, service: svcId ?? vendor, granted: true, method: 'banner' },
      ]);
      try {
        await send(cfg, rec);
        showFrame(f);
      } catch {
        msg.textContent = t.saveFailed;
      }
    };
    root.append(
      h(
        'div',
        { class: 'p', role: 'region', 'aria-label': vendor },
        msg,
        h('button', { type: 'button', class: 'b', onclick: allow }, t.embedAllow),
      ),
    );
    // Same box and baseline as the iframe, so swapping one for the other shifts nothing (CLS 0).
    const box = f.getBoundingClientRect();
    const st = ph.style;
    st.display = getComputedStyle(f).display === 'block' ? 'block' : 'inline-block';
    st.overflow = 'hidden';
    st.boxSizing = 'border-box';
    st.width = `${box.width}px`;
    st.height = `${box.height}px`;
    f.hidden = true;
    f.before(ph);
  };

  const mount = (): void => {
    const [host, root] = shadowHost(nonce);
    host.id = 'lawful-banner';
    dialog = h('div', {
      class: 'd',
      role: 'dialog',
      'aria-labelledby': 'lw-t',
      tabindex: '-1',
      hidden: true,
      onkeydown: (e) => {
        if ((e as KeyboardEvent).key === 'Escape') void choose('close', layer, t.close, {});
      },
    });
    reopen = h(
      'button',
      { type: 'button', class: 'o', hidden: !cfg.reopenButton, onclick: () => show('choices') },
      t.reopen,
    );
    root.append(dialog, reopen);
    document.body.append(host);
    document.addEventListener('click', (e) => {
      if ((e.target as Element).closest?.('[data-lawful-open]')) {
        e.preventDefault();
        show('choices');
      }
    });
    for (const f of gatedFrames()) if (!allowed(f, effectiveFrom(stored))) placeholder(f);
    apply();
    if (optional.length && needsPrompt(stored, cfg, Date.now())) show('first');
    else tcfEv('tcloaded', stored);
    void flush();
  };

  const api: LawfulApi = {
    version: cfg.bannerVersion,
    get consent() {
      return { ...effective };
    },
    get pending() {
      return !!stored?.p.length;
    },
    on: (_e, fn) => void listeners.push(fn),
    open: () => show('choices'),
    acceptAll: () =>
      void choose('accept_all', 'api', 'Lawful.acceptAll()', Object.fromEntries(optional.map((k) => [k, true]))),
    rejectAll: () => void choose('reject_all', 'api', 'Lawful.rejectAll()', {}),
  };
  w.Lawful = api;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
  return api;
};
