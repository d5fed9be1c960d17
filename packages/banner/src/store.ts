import type { BannerConfig, BannerConsentRecord } from '../../contract/src/banner.ts';

/** Category key → granted. Only consent-based categories appear; `necessary` is implied. */
export type Choice = Record<string, boolean>;

/**
 * What the consent cookie holds. It is the one cookie the banner writes, only after a choice (or a GPC opt-out), and is
 * itself strictly necessary (check 27): it remembers the refusal as much as the grant.
 */
export interface Stored {
  /** Pseudonymous device id, also sent with each record. */
  d: string;
  /** Notice version the choice was made under. */
  v: string;
  /** Service-list hash the choice was made under. */
  h: string;
  /** Time of the last banner decision (ms); 0 when only a GPC opt-out is known. */
  t: number;
  c: Choice;
  /** Categories a GPC signal opted out of (stays until the person chooses otherwise: absence of GPC is not opt-in). */
  g: string[];
  /** Records not yet acknowledged by the consent API; while any is pending nothing non-essential runs (check 30). */
  p: BannerConsentRecord[];
  /** IAB TCF string of the last acknowledged choice (TCF sites only), surfaced again on later visits (tcloaded). */
  tc?: string;
}

export const COOKIE = 'lawful_consent';

export const readStored = (): Stored | undefined => {
  for (const part of document.cookie.split('; ')) {
    if (part.startsWith(`${COOKIE}=`)) {
      try {
        const s = JSON.parse(decodeURIComponent(part.slice(COOKIE.length + 1))) as Stored;
        if (typeof s.d === 'string' && s.c && Array.isArray(s.p)) return s;
      } catch {
        // A damaged cookie is treated as no choice: the person is asked again, nothing is granted.
      }
    }
  }
  return undefined;
};

export const writeStored = (s: Stored, cfg: BannerConfig): void => {
  // Outlive the longest re-prompt period; the decision time inside the cookie, not its expiry, decides re-prompting.
  const months = Math.max(cfg.reprompt.afterGrantMonths, cfg.reprompt.afterRefusalMonths) + 1;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Firefox and older Safari.
  document.cookie = `${COOKIE}=${encodeURIComponent(JSON.stringify(s))}; Max-Age=${months * 31 * 86400}; Path=/; SameSite=Lax${secure}`;
};

export const addMonths = (t: number, months: number): number => {
  const d = new Date(t);
  const day = d.getDate();
  d.setMonth(d.getMonth() + months);
  // 31 Aug + 6 months must be 28/29 Feb, not 2/3 Mar: clamp to the month's last day.
  if (d.getDate() < day) d.setDate(0);
  return d.getTime();
};

/** Whether the stored decision still stands, or the person must be asked (again). Never re-asks before the period. */
export const needsPrompt = (s: Stored | undefined, cfg: BannerConfig, now: number): boolean => {
  if (!s?.t) return true;
  if (s.v !== cfg.notice.versionId || s.h !== cfg.servicesHash) return true;
  const granted = Object.values(s.c).some(Boolean);
  const months = granted ? cfg.reprompt.afterGrantMonths : cfg.reprompt.afterRefusalMonths;
  return now >= addMonths(s.t, months);
};

const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** ULID-shaped id (`dev_01J…`): time-sortable like the server's ids; getRandomValues works on plain-http pages too. */
export const newId = (prefix: string): string => {
  let t = Date.now();
  let s = '';
  for (let i = 0; i < 10; i++) {
    s = B32[t % 32] + s;
    t = Math.floor(t / 32);
  }
  for (const b of crypto.getRandomValues(new Uint8Array(16))) s += B32[b & 31];
  return `${prefix}_${s}`;
};
