import type { BannerConfig } from '../../contract/src/banner.ts';
import type { Choice } from './store.ts';

/** `data-category="analytics marketing"` needs every listed category. */
export const allowed = (el: Element, c: Choice): boolean =>
  (el.getAttribute('data-category') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .every((k) => k === 'necessary' || c[k] === true);

/**
 * Run gated `<script type="text/plain" data-category>` elements whose categories are granted. A new element is
 * needed: a script element runs at most once, and changing `type` does not run it. The nonce is copied so a strict CSP
 * (`script-src 'nonce-…'`) allows it; `el.nonce` is read because browsers hide the attribute after parsing.
 */
export const runScripts = (c: Choice, nonce: string): void => {
  for (const old of Array.from(
    document.querySelectorAll<HTMLScriptElement>('script[type="text/plain"][data-category]'),
  )) {
    if (!allowed(old, c)) continue;
    const s = document.createElement('script');
    for (const a of Array.from(old.attributes))
      if (a.name !== 'type' && a.name !== 'data-src') s.setAttribute(a.name, a.value);
    const type = old.getAttribute('data-type');
    if (type) s.type = type;
    s.nonce = old.nonce || nonce;
    const src = old.getAttribute('data-src');
    if (src) s.src = src;
    else s.text = old.text;
    old.replaceWith(s);
  }
};

/** Let one gated iframe load: its placeholder goes, its `data-src` becomes `src`. */
export const showFrame = (f: HTMLIFrameElement): void => {
  const ph = f.previousElementSibling;
  if (ph?.hasAttribute('data-lawful-ph')) ph.remove();
  f.src = f.getAttribute('data-src') ?? 'about:blank';
  f.removeAttribute('data-src');
  f.hidden = false;
};

export const gatedFrames = (): HTMLIFrameElement[] =>
  Array.from(document.querySelectorAll<HTMLIFrameElement>('iframe[data-category][data-src]'));

/** Every parent domain the page could have set a cookie on: a.b.example.com → a.b.example.com, b.example.com, example.com. */
const domains = (host: string): string[] => {
  const parts = host.split('.');
  const out = [''];
  for (let i = 0; i < parts.length - 1; i++) out.push(parts.slice(i).join('.'));
  return out;
};

/**
 * Delete the cookies the config lists for withdrawn categories (names or patterns). Only cookies this page can see and
 * delete: HttpOnly and third-party cookies are out of reach of any script, which docs/banner.md says.
 */
export const deleteCookies = (cfg: BannerConfig, withdrawn: string[]): string[] => {
  const present = document.cookie
    .split('; ')
    .map((p) => p.slice(0, p.indexOf('=')))
    .filter(Boolean);
  const deleted: string[] = [];
  for (const cat of cfg.categories) {
    if (!withdrawn.includes(cat.key)) continue;
    for (const svc of cat.services) {
      for (const ck of svc.cookies) {
        const re = ck.pattern ? new RegExp(ck.name) : undefined;
        for (const name of present) {
          if (re ? !re.test(name) : name !== ck.name) continue;
          for (const d of [...domains(location.hostname), ck.domain ?? '']) {
            for (const path of ['/', location.pathname]) {
              // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Firefox and older Safari.
              document.cookie = `${name}=; Max-Age=0; Path=${path}${d ? `; Domain=${d}` : ''}`;
            }
          }
          deleted.push(name);
        }
      }
    }
  }
  return deleted;
};
