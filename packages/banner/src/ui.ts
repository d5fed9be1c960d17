import type { BannerConfig, BannerCookie, BannerTexts, LocalizedText } from '../../contract/src/banner.ts';
import type { Choice } from './store.ts';

declare const __LAWFUL_CSS__: string;

export type Kid = Node | string | false | undefined;
type Attrs = Record<string, string | boolean | ((e: Event) => void)>;

/** Tiny element builder. Texts go in as text nodes, never as HTML, so config strings cannot inject markup. */
export const h = (tag: string, attrs: Attrs = {}, ...kids: Kid[]): HTMLElement => {
  const el = document.createElement(tag);
  for (const k in attrs) {
    const v = attrs[k];
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined) el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) if (kid) el.append(kid);
  return el;
};

/** A shadow root with our stylesheet: the site's CSS cannot break the banner, and ours cannot leak into the site. */
export const shadowHost = (nonce: string): [HTMLElement, ShadowRoot] => {
  const host = h('div');
  const root = host.attachShadow({ mode: 'open' });
  const style = h('style', {}, __LAWFUL_CSS__);
  // style-src 'nonce-…' applies to <style> in shadow roots too.
  if (nonce) style.nonce = nonce;
  root.append(style);
  return [host, root];
};

export type Action = 'accept_all' | 'reject_all' | 'save_choices' | 'close';

export interface UiDeps {
  cfg: BannerConfig;
  t: BannerTexts;
  loc: string;
  /** Categories a GPC signal holds off right now. */
  gpc: string[];
  pick: (l: LocalizedText | undefined) => string;
  onChoice: (a: Action, layer: 'first' | 'choices', label: string, c: Choice) => void;
}

const duration = (s: number, t: BannerTexts, loc: string): string => {
  if (!s) return t.session;
  const [unit, n] = s < 3600 ? ['minute', s / 60] : s < 86400 ? ['hour', s / 3600] : ['day', s / 86400];
  return new Intl.NumberFormat(loc, { style: 'unit', unit, unitDisplay: 'long' }).format(Math.round(n));
};

/** Builds the two layers into a role=dialog; the caller owns showing, hiding and focus. */
export const buildLayers = (d: UiDeps) => {
  const { cfg, t, pick } = d;
  const optional = cfg.categories.filter((c) => c.basis === 'consent');
  const btn = (a: Action, label: string, layer: 'first' | 'choices', c: () => Choice) =>
    h('button', { type: 'button', class: 'b', onclick: () => d.onChoice(a, layer, label, c()) }, label);
  const all = (v: boolean) => () => Object.fromEntries(optional.map((c) => [c.key, v]));
  const closeBtn = (layer: 'first' | 'choices') =>
    h(
      'button',
      {
        type: 'button',
        class: 'x',
        'aria-label': t.close,
        onclick: () => d.onChoice('close', layer, t.close, all(false)()),
      },
      '×',
    );
  const gpcNote = d.gpc.length > 0 && h('p', { class: 'n' }, t.gpcNote);

  const first = (openChoices: (details: boolean) => void): Kid[] => [
    h('h2', { id: 'lw-t' }, t.title),
    h('p', { id: 'lw-d' }, t.description),
    gpcNote,
    h(
      'div',
      { class: 'r' },
      btn('reject_all', t.rejectAll, 'first', all(false)),
      btn('accept_all', t.acceptAll, 'first', all(true)),
      h('button', { type: 'button', class: 'b', onclick: () => openChoices(false) }, t.choose),
    ),
    h(
      'p',
      { class: 'n' },
      `${t.closeNote} `,
      h('button', { type: 'button', class: 'l', onclick: () => openChoices(true) }, t.details),
      cfg.notice.url && ' · ',
      cfg.notice.url && h('a', { href: cfg.notice.url, target: '_blank', rel: 'noopener' }, t.privacyPolicy),
    ),
    closeBtn('first'),
  ];

  const cookieLine = (ck: BannerCookie) =>
    h(
      'li',
      {},
      h('code', {}, ck.name),
      ` · ${t.duration}: ${duration(ck.durationSeconds, d.t, d.loc)} · ${ck.thirdParty ? `${t.thirdParty} (${ck.domain ?? ck.vendor})` : t.firstParty} · ${pick(ck.purpose)}`,
    );

  const choices = (current: Choice, openDetails: boolean): Kid[] => {
    const boxes: Record<string, HTMLInputElement> = {};
    const cats = cfg.categories.map((c) => {
      const exempt = c.basis === 'exempt';
      const held = d.gpc.includes(c.key);
      const box = h('input', {
        type: 'checkbox',
        role: 'switch',
        checked: exempt || (!held && current[c.key] === true),
        disabled: exempt || held,
        'aria-describedby': `lw-c-${c.key}`,
      }) as HTMLInputElement;
      boxes[c.key] = box;
      const n = c.services.length;
      return h(
        'div',
        { class: 'c' },
        h('label', { class: 'k' }, box, ` ${pick(c.label)}`, exempt && ` (${t.alwaysOn})`),
        h('p', { id: `lw-c-${c.key}` }, pick(c.description), exempt && ` ${pick(c.justification)}`),
        held && h('p', { class: 'n' }, t.gpcNote),
        n > 0 &&
          h(
            'details',
            { open: openDetails },
            h('summary', {}, `${t.details} (${n})`),
            h(
              'ul',
              {},
              ...c.services.map((s) =>
                h(
                  'li',
                  {},
                  h('strong', {}, s.name),
                  ` — ${s.vendor}${s.country ? ` (${s.country})` : ''}`,
                  h('ul', {}, ...s.cookies.map(cookieLine)),
                ),
              ),
            ),
          ),
      );
    });
    const vendors = new Map<string, { country?: string; url?: string }>();
    for (const c of cfg.categories)
      for (const s of c.services) vendors.set(s.vendor, { country: s.country, url: s.privacyPolicyUrl });
    const chosen = () => Object.fromEntries(optional.map((c) => [c.key, boxes[c.key]?.checked === true]));
    return [
      h('h2', { id: 'lw-t' }, t.choicesTitle),
      gpcNote,
      ...cats,
      h('h3', {}, t.vendors),
      h(
        'ul',
        { class: 'v' },
        ...Array.from(vendors, ([v, i]) =>
          h(
            'li',
            {},
            `${v}${i.country ? ` (${i.country})` : ''}`,
            i.url && ' — ',
            i.url && h('a', { href: i.url, target: '_blank', rel: 'noopener' }, t.privacyPolicy),
          ),
        ),
      ),
      h(
        'div',
        { class: 'r' },
        btn('reject_all', t.rejectAll, 'choices', all(false)),
        btn('accept_all', t.acceptAll, 'choices', all(true)),
        btn('save_choices', t.save, 'choices', chosen),
      ),
      h('p', { class: 'n' }, t.closeNote),
      closeBtn('choices'),
    ];
  };
  return { first, choices };
};
