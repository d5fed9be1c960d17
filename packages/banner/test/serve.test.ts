import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BannerCategory, BannerConfig, BannerDecision, defaultBannerTexts } from '../../contract/src/banner.ts';
import { renderBannerScript, servicesHash, sri384 } from '../src/serve.ts';
import { addMonths, needsPrompt } from '../src/store.ts';
import { baseConfig } from './harness.ts';

const input = baseConfig('http://127.0.0.1:1/v1/consent/banner', 'http://127.0.0.1:2');

describe('renderBannerScript and the contract', () => {
  it('check 31: inlines the validated config, the bundle SRI hash, and gives the body its own SRI and pinned path', () => {
    const out = renderBannerScript('console.log(1)', {
      ...input,
      texts: { en: { ...defaultBannerTexts.en, title: '</script><b>' } },
    });
    expect(out.bundleHash).toBe(sri384('console.log(1)'));
    expect(out.integrity).toBe(`sha384-${createHash('sha384').update(out.body).digest('base64')}`);
    expect(out.body).not.toContain('</script>');
    expect(out.pinnedPath).toMatch(/^\/v1\/banner\/sit_[0-9A-Z]{26}\/0\.1\.0\/[0-9a-f]{32}\.js$/);
    expect(out.config.reprompt).toEqual({ afterRefusalMonths: 6, afterGrantMonths: 12 });
    expect(out.config.googleConsentMode.mapping.ad_storage).toEqual(['marketing']);
  });

  it('re-prompt: the service-list hash ignores order but sees a changed duration', () => {
    const h = servicesHash(input.categories);
    expect(servicesHash([...input.categories].reverse())).toBe(h);
    const changed = structuredClone(input.categories);
    const ck = changed[1]?.services?.[0]?.cookies?.[0];
    if (ck) ck.durationSeconds += 1;
    expect(servicesHash(changed)).not.toBe(h);
  });

  it('check 23 + 27: no legitimate-interest basis, necessary must be justified, GPC is never a grant', () => {
    const base = { key: 'analytics', label: { en: 'A' }, description: { en: 'd' } };
    expect(BannerCategory.safeParse({ ...base, basis: 'legitimate_interest' }).success).toBe(false);
    expect(BannerCategory.safeParse({ ...base, key: 'necessary', basis: 'exempt' }).success).toBe(false);
    expect(BannerCategory.safeParse({ ...base, basis: 'exempt', justification: { en: 'j' } }).success).toBe(false);
    expect(BannerDecision.safeParse({ category: 'marketing', granted: true, method: 'gpc' }).success).toBe(false);
    expect(BannerConfig.safeParse({ ...input, servicesHash: 'x' }).success).toBe(false);
  });

  it('re-prompt periods count calendar months and never fire early', () => {
    expect(new Date(addMonths(Date.UTC(2026, 7, 31, 12), 6)).toISOString()).toBe('2027-02-28T12:00:00.000Z');
    const cfg = renderBannerScript('', input).config;
    const t = Date.UTC(2026, 0, 15);
    const s = { d: 'dev_x', v: cfg.notice.versionId, h: cfg.servicesHash, t, c: { analytics: false }, g: [], p: [] };
    expect(needsPrompt(s, cfg, addMonths(t, 6) - 1)).toBe(false);
    expect(needsPrompt(s, cfg, addMonths(t, 6))).toBe(true);
    const granted = { ...s, c: { analytics: true } };
    expect(needsPrompt(granted, cfg, addMonths(t, 12) - 1)).toBe(false);
    expect(needsPrompt(granted, cfg, addMonths(t, 12))).toBe(true);
    expect(needsPrompt({ ...s, v: 'ntv_other' }, cfg, t)).toBe(true);
  });
});
