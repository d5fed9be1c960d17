import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BannerConfig, type BannerConfigInput } from '../../contract/src/banner.ts';

/**
 * Server side of the banner: the Lawful server calls `renderBannerScript` to answer `GET /v1/banner/{siteId}.js` with
 * the config inlined, so the banner shows without a second round-trip.
 */

/** SRI value of some bytes, e.g. `sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC`. */
export const sri384 = (bytes: string | Uint8Array): string =>
  `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/**
 * SHA-256 of the service list in a canonical form: what is stored, by whom, for how long. A change re-prompts everyone
 * (their earlier choice did not cover it). Order does not matter; wording changes belong to a new notice version.
 */
export const servicesHash = (categories: BannerConfigInput['categories']): string => {
  const canon = categories
    .map((c) => ({
      k: c.key,
      b: c.basis,
      s: (c.services ?? [])
        .map((s) => ({
          i: s.id,
          v: s.vendor,
          c: (s.cookies ?? [])
            .map((k) => [k.name, k.pattern ?? false, k.domain ?? '', k.durationSeconds, k.thirdParty, k.vendor])
            .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        }))
        .sort((a, b) => a.i.localeCompare(b.i)),
    }))
    .sort((a, b) => a.k.localeCompare(b.k));
  return createHash('sha256').update(JSON.stringify(canon)).digest('hex');
};

export interface RenderedBannerScript {
  /** The response body: the bundle wrapped in a function that receives the config. */
  body: string;
  /** SRI value of `body`, for the pinned URL's `integrity` attribute. */
  integrity: string;
  /** SRI value of the bundle alone (the manifest's), stored on each consent record. */
  bundleHash: string;
  /** `/v1/banner/{siteId}/{bannerVersion}/{digest}.js`: immutable, SRI-pinnable. */
  pinnedPath: string;
  config: BannerConfig;
}

/**
 * Validates the config (applying defaults), computes `servicesHash` and inlines both into the bundle.
 *
 * @example
 * const bundle = readFileSync(require.resolve('@lawful/banner/dist/banner.js'), 'utf8');
 * const out = renderBannerScript(bundle, { siteId, notice, bannerVersion: '0.1.0', categories, texts, consent });
 * return c.body(out.body, 200, bannerScriptHeaders('latest'));
 */
export const renderBannerScript = (
  bundleSource: string,
  input: Omit<BannerConfigInput, 'servicesHash'>,
): RenderedBannerScript => {
  const config = BannerConfig.parse({ ...input, servicesHash: servicesHash(input.categories) });
  const bundleHash = sri384(bundleSource);
  // Escape `<` so the JSON can never close a surrounding <script> if someone inlines the response into HTML.
  const json = JSON.stringify({ config, bundleHash })
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  const body = `((__lawful)=>{${bundleSource.trimEnd()}\n})(${json});\n`;
  const integrity = sri384(body);
  const digest = Buffer.from(integrity.slice(7), 'base64').toString('hex').slice(0, 32);
  return {
    body,
    integrity,
    bundleHash,
    pinnedPath: `/v1/banner/${config.siteId}/${config.bannerVersion}/${digest}.js`,
    config,
  };
};

/**
 * Response headers for the script. `crossorigin="anonymous"` + `Access-Control-Allow-Origin: *` is what lets a browser
 * check SRI on a cross-origin script; `latest` may change (short cache), `pinned` never does.
 */
export const bannerScriptHeaders = (kind: 'latest' | 'pinned'): Record<string, string> => ({
  'content-type': 'text/javascript; charset=utf-8',
  'cache-control':
    kind === 'pinned' ? 'public, max-age=31536000, immutable' : 'public, max-age=300, stale-while-revalidate=3600',
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
});

/** Reads the built bundle (run `npm run build -w @lawful/banner` first). */
export const readBundle = (file: 'banner.js' | 'tcf.js' = 'banner.js'): string =>
  readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
