/** ESM entry for sites that bundle the banner themselves and pass the config (see docs/banner.md). */
export { type LawfulApi, type StartOptions, start } from './core.ts';
export type { Choice } from './store.ts';
