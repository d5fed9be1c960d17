import type { BannerConfig } from '../../contract/src/banner.ts';
import { start } from './core.ts';

/** Supplied by `renderBannerScript`, which wraps this bundle in `((__lawful) => { … })({ config, bundleHash })`. */
declare const __lawful: { config: BannerConfig; bundleHash: string } | undefined;

// currentScript is only set while the script runs synchronously, so the nonce is read here, first.
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
if (typeof __lawful === 'undefined') {
  console.error('Lawful banner: no config. Serve this bundle through renderBannerScript() (see docs/banner.md).');
} else {
  start(__lawful.config, { bundleHash: __lawful.bundleHash, nonce });
}
