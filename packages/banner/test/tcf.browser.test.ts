import { readFileSync } from 'node:fs';
import { TCString } from '@iabtcf/core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baseConfig, button, dialog, newContext, page, setup, storage, waitForRecords } from './harness.ts';

let env: Awaited<ReturnType<typeof setup>>;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => env?.close());
const open: BrowserContext[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
});

const GVL = readFileSync(new URL('./fixtures/gvl-v3.json', import.meta.url), 'utf8');
const CMP_ID = 300;
const CMP_VERSION = 3;
/** analytics → TCF purposes 1, 8, 9, 10; marketing → 1, 2, 3, 4, 7 (the fixture's vendors 10 and 30 need only the former). */
const PURPOSES = { analytics: [1, 8, 9, 10], marketing: [1, 2, 3, 4, 7] };
const ANALYTICS_ONLY = [1, 8, 9, 10];

type TCData = {
  tcString: string;
  eventStatus?: string;
  cmpStatus: string;
  listenerId?: number;
  gdprApplies: boolean;
  isServiceSpecific: boolean;
  cmpId: number;
  cmpVersion: number;
  tcfPolicyVersion: number;
  purpose: { consents: Record<string, boolean>; legitimateInterests: Record<string, boolean> };
  vendor: { consents: Record<string, boolean>; legitimateInterests: Record<string, boolean> };
  publisher: { legitimateInterests: Record<string, boolean> };
};
type Ping = {
  gdprApplies: boolean;
  cmpLoaded: boolean;
  cmpStatus: string;
  displayStatus?: string;
  apiVersion: string;
  cmpId?: number;
  gvlVersion?: number;
  tcfPolicyVersion?: number;
};
type W = {
  __tcfapi: (cmd: string, v: number, cb: (d: unknown, ok?: boolean) => void, p?: unknown) => void;
  __early: { ping: Ping; queued: TCData[] };
  __events: TCData[];
  Lawful: { tcString?: string };
};

// Runs in <head> right after the banner tag, like a vendor tag would: the stub must already answer ping synchronously
// and accept (queue) the rest before tcf.js has even been requested.
const EARLY_VENDOR = `<script>
window.__early = { queued: [] };
__tcfapi('ping', 2, function (p) { window.__early.ping = p; });
__tcfapi('getTCData', 2, function (d, ok) { if (ok) window.__early.queued.push(d); });
window.__events = [];
__tcfapi('addEventListener', 2, function (d, ok) { if (ok) window.__events.push(d); });
</script>`;

// A vendor in a frame: finds the CMP through the __tcfapiLocator frame and talks to it only by postMessage, half of the
// calls as objects and half as JSON strings (both forms occur in the wild).
const FRAMED_VENDOR = `<script>
var f = window, cmp; while (f) { try { if (f.frames['__tcfapiLocator']) { cmp = f; break; } } catch (e) {} if (f === window.top) break; f = f.parent; }
window.found = !!cmp && cmp !== window; window.returns = [];
addEventListener('message', function (e) {
  var d = e.data; if (typeof d === 'string') { try { d = JSON.parse(d); d.asText = true; } catch (x) { return; } }
  if (d && d.__tcfapiReturn) window.returns.push(Object.assign({ asText: !!d.asText }, d.__tcfapiReturn));
});
cmp.postMessage({ __tcfapiCall: { command: 'ping', version: 2, callId: 'p1' } }, '*');
cmp.postMessage({ __tcfapiCall: { command: 'addEventListener', version: 2, callId: 'l1' } }, '*');
cmp.postMessage(JSON.stringify({ __tcfapiCall: { command: 'getTCData', version: 2, callId: 'g1', parameter: [10, 20] } }), '*');
cmp.postMessage({ __tcfapiCall: { command: 'getTCData', version: 1, callId: 'v1' } }, '*');
</script>`;

const visit = async (html = page({ extraHead: EARLY_VENDOR })) => {
  env.api.received.length = 0;
  env.api.state.down = false;
  const site = env.site.site;
  site.html = html;
  site.csp = undefined;
  site.gvl = GVL;
  site.config = {
    ...baseConfig(env.api.endpoint, env.site.origin),
    tcf: {
      moduleUrl: `${env.site.origin}/tcf.js`,
      vendorListUrl: `${env.site.origin}/gvl.json`,
      cmpId: CMP_ID,
      cmpVersion: CMP_VERSION,
      publisherCountryCode: 'DE',
      purposes: PURPOSES,
      // Vendor 40 is in the vendor list but not chosen by the site: it must never get consent.
      vendorIds: [10, 20, 30],
    },
  };
  const { ctx } = await newContext(env.browser);
  open.push(ctx);
  return { ctx, p: await ctx.newPage() };
};

const tcfapi = <T>(p: Page, cmd: string, param?: unknown, version = 2) =>
  p.evaluate(
    ([c, v, x]) =>
      new Promise<[unknown, boolean | undefined]>((r) =>
        (window as unknown as W).__tcfapi(c as string, v as number, (d, ok) => r([d, ok]), x),
      ),
    [cmd, version, param] as const,
  ) as Promise<[T, boolean | undefined]>;
const loaded = (p: Page) =>
  p.waitForFunction(() => {
    let ok = false;
    (window as unknown as W).__tcfapi('ping', 2, (d) => {
      ok = (d as Ping).cmpLoaded;
    });
    return ok;
  });
const events = (p: Page) => p.evaluate(() => (window as unknown as W).__events);
const trueKeys = (o: Record<string, boolean>) =>
  Object.entries(o)
    .filter(([, v]) => v)
    .map(([k]) => Number(k));
const chooseAnalyticsOnly = async (p: Page) => {
  await button(p, 'Choose').click();
  await dialog(p).getByRole('switch', { name: 'Analytics' }).check();
  await button(p, 'Save my choices').click();
};

describe('IAB TCF v2.2 CMP API (__tcfapi) and TC string', () => {
  it('check 18 + 23: before any choice the stub answers ping at once, then getTCData shows no consent and no legitimate interest, and nothing is stored', async () => {
    const { p } = await visit();
    await p.goto(env.site.origin);
    const early = await p.evaluate(() => (window as unknown as W).__early);
    // Synchronous answer from the stub in the main bundle, before tcf.js ran.
    expect(early.ping).toEqual({ gdprApplies: true, cmpLoaded: false, cmpStatus: 'stub', apiVersion: '2.2' });
    await loaded(p);
    const [ping] = await tcfapi<Ping>(p, 'ping');
    expect(ping).toMatchObject({
      gdprApplies: true,
      cmpLoaded: true,
      cmpStatus: 'loaded',
      displayStatus: 'visible',
      apiVersion: '2.2',
      cmpId: CMP_ID,
      cmpVersion: CMP_VERSION,
      gvlVersion: 75,
      tcfPolicyVersion: 4,
    });
    const [d, ok] = await tcfapi<TCData>(p, 'getTCData');
    expect(ok).toBe(true);
    expect(d).toMatchObject({
      gdprApplies: true,
      cmpStatus: 'loaded',
      eventStatus: 'cmpuishown',
      isServiceSpecific: true,
    });
    expect(trueKeys(d.purpose.consents)).toEqual([]);
    expect(Object.keys(d.purpose.consents)).toHaveLength(11);
    expect(d.vendor.consents).toEqual({ 10: false, 20: false, 30: false });
    for (const li of [d.purpose.legitimateInterests, d.vendor.legitimateInterests, d.publisher.legitimateInterests])
      expect(trueKeys(li)).toEqual([]);
    const shown = TCString.decode(d.tcString);
    expect([...shown.purposeConsents.values()]).toEqual([]);
    expect([...shown.vendorConsents.values()]).toEqual([]);
    expect(shown.vendorLegitimateInterests.size + shown.purposeLegitimateInterests.size).toBe(0);
    // The call queued before tcf.js loaded was answered with the same data, and the listener got cmpuishown.
    await p.waitForFunction(() => (window as unknown as W).__early.queued.length === 1);
    expect((await p.evaluate(() => (window as unknown as W).__early.queued[0]))?.tcString).toBe(d.tcString);
    expect((await events(p)).map((e) => e.eventStatus)).toEqual(['cmpuishown']);
    // Unsupported versions are refused (spec: success false, data null).
    expect(await tcfapi(p, 'getTCData', undefined, 1)).toEqual([null, false]);
    // TCF adds nothing to storage before a choice (check 18).
    expect(await storage(p)).toEqual({ cookies: '', local: [], idb: [] });
    expect(env.api.received).toHaveLength(0);
  });

  it('check 23: analytics only in the Choose layer → the record carries a service-specific TC string with exactly the mapped purposes, the vendors they cover, no legitimate interest; useractioncomplete has the same string', async () => {
    const { p } = await visit();
    await p.goto(env.site.origin);
    await loaded(p);
    await chooseAnalyticsOnly(p);
    await waitForRecords(env.api, 1);
    const rec = env.api.received[0]?.record;
    expect(rec?.action.kind).toBe('save_choices');
    expect(rec?.decisions.filter((x) => x.granted).map((x) => x.category)).toEqual(['analytics']);
    const tc = rec?.tcString ?? '';
    const m = TCString.decode(tc);
    expect([...m.purposeConsents.values()].sort((a, b) => a - b)).toEqual(ANALYTICS_ONLY);
    // 10 (purposes 1, 8, 9) and 30 (1, 9) are covered; 20 needs marketing purposes; 40 is not one of the site's vendors.
    expect([...m.vendorConsents.values()].sort((a, b) => a - b)).toEqual([10, 30]);
    expect(m.cmpId).toBe(CMP_ID);
    expect(m.cmpVersion).toBe(CMP_VERSION);
    expect(m.isServiceSpecific).toBe(true);
    expect(m.publisherCountryCode).toBe('DE');
    expect(m.vendorListVersion).toBe(75);
    expect(m.policyVersion).toBe(4);
    expect(m.purposeOneTreatment).toBe(false);
    // Check 23: vendor 30 declares purpose 10 as legitimate interest in the list; no LI bit is set anywhere anyway.
    expect(m.purposeLegitimateInterests.size).toBe(0);
    expect(m.vendorLegitimateInterests.size).toBe(0);
    expect(m.publisherLegitimateInterests.size).toBe(0);
    expect(m.specialFeatureOptins.size).toBe(0);

    await p.waitForFunction(() => (window as unknown as W).__events.length === 2);
    const evs = await events(p);
    expect(evs.map((e) => e.eventStatus)).toEqual(['cmpuishown', 'useractioncomplete']);
    expect(evs[1]?.tcString).toBe(tc);
    expect(evs[1]?.listenerId).toBe(evs[0]?.listenerId);
    expect(trueKeys(evs[1]?.purpose.consents ?? {})).toEqual(ANALYTICS_ONLY);
    expect(trueKeys(evs[1]?.vendor.consents ?? {})).toEqual([10, 30]);
    expect(await p.evaluate(() => (window as unknown as W).Lawful.tcString)).toBe(tc);
    const [ping] = await tcfapi<Ping>(p, 'ping');
    expect(ping.displayStatus).toBe('hidden');
    // getTCData with vendor ids answers for those vendors only.
    const [only] = await tcfapi<TCData>(p, 'getTCData', [20, 30]);
    expect(only.vendor.consents).toEqual({ 20: false, 30: true });
    // removeEventListener: true once for a registered id, then false.
    const id = evs[0]?.listenerId;
    expect(await tcfapi(p, 'removeEventListener', id)).toEqual([true, undefined]);
    expect(await tcfapi(p, 'removeEventListener', id)).toEqual([false, undefined]);
  });

  it('a stored choice yields its TC string on the next page load (tcloaded), without a prompt or a new record', async () => {
    const { p } = await visit();
    await p.goto(env.site.origin);
    await chooseAnalyticsOnly(p);
    await waitForRecords(env.api, 1);
    const tc = env.api.received[0]?.record.tcString;
    expect(tc).toBeTruthy();
    await p.waitForFunction(() => (window as unknown as W).__events.length === 2);
    await p.reload();
    await loaded(p);
    await p.waitForFunction(() => (window as unknown as W).__events.length === 1);
    const [ev] = await events(p);
    expect(ev?.eventStatus).toBe('tcloaded');
    expect(ev?.tcString).toBe(tc);
    expect(await dialog(p).isHidden()).toBe(true);
    const [ping] = await tcfapi<Ping>(p, 'ping');
    expect(ping.displayStatus).toBe('disabled');
    expect(env.api.received).toHaveLength(1);
    // Re-opened: cmpuishown with the same signals, then a new choice brings useractioncomplete.
    await p.evaluate(() => (window as unknown as { Lawful: { open(): void } }).Lawful.open());
    await p.waitForFunction(() => (window as unknown as W).__events.length === 2);
    expect((await events(p))[1]).toMatchObject({ eventStatus: 'cmpuishown', tcString: tc });
  });

  it('check 29: a stored string that a later GPC opt-out contradicts is not surfaced again; the choice is re-encoded without the refused purposes', async () => {
    const { ctx, p } = await visit();
    await ctx.addInitScript(
      `if (location.search.includes('gpc=1')) Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });`,
    );
    await p.goto(env.site.origin);
    await button(p, 'Accept all').click();
    await waitForRecords(env.api, 1);
    const all = TCString.decode(env.api.received[0]?.record.tcString ?? '');
    expect([...all.purposeConsents.values()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 7, 8, 9, 10]);
    expect([...all.vendorConsents.values()].sort((a, b) => a - b)).toEqual([10, 20, 30]);
    await p.goto(`${env.site.origin}/?gpc=1`);
    await waitForRecords(env.api, 2);
    await p.waitForFunction(() => (window as unknown as W).__events.length === 1);
    const [ev] = await events(p);
    expect(ev?.eventStatus).toBe('tcloaded');
    // Marketing (2, 3, 4, 7) is refused by the signal; analytics stands, so does vendor 20's absence.
    expect(trueKeys(ev?.purpose.consents ?? {})).toEqual(ANALYTICS_ONLY);
    expect(trueKeys(ev?.vendor.consents ?? {})).toEqual([10, 30]);
    expect([...TCString.decode(ev?.tcString ?? '').purposeConsents.values()].sort((a, b) => a - b)).toEqual(
      ANALYTICS_ONLY,
    );
  });

  it('a vendor in a frame gets ping, events and TC data through the __tcfapiLocator frame by postMessage', async () => {
    const frame = `<iframe title="vendor" id="vendor" name="vendor" srcdoc="${FRAMED_VENDOR.replaceAll('"', '&quot;')}"></iframe>`;
    const { p } = await visit(page().replace('</main>', `${frame}</main>`));
    await p.goto(env.site.origin);
    await p.frameLocator('#vendor').locator('script').first().waitFor({ state: 'attached' });
    const f = p.frame({ name: 'vendor' });
    if (!f) throw new Error('vendor frame not found');
    type Ret = { callId: string; success: boolean; asText: boolean; returnValue: TCData & Ping };
    const returns = () => f.evaluate(() => (window as unknown as { returns: Ret[] }).returns);
    expect(await f.evaluate(() => (window as unknown as { found: boolean }).found)).toBe(true);
    await f.waitForFunction(() => (window as unknown as { returns: unknown[] }).returns.length >= 4);
    const byId = (rs: Ret[], id: string) => rs.filter((r) => r.callId === id);
    const first = await returns();
    expect(byId(first, 'p1')[0]).toMatchObject({ success: true, returnValue: { cmpLoaded: true, gdprApplies: true } });
    expect(byId(first, 'l1')[0]).toMatchObject({ success: true, returnValue: { eventStatus: 'cmpuishown' } });
    // Asked as a JSON string, answered as one; vendor ids narrow the answer.
    expect(byId(first, 'g1')[0]).toMatchObject({ success: true, asText: true });
    expect(byId(first, 'g1')[0]?.returnValue.vendor.consents).toEqual({ 10: false, 20: false });
    expect(byId(first, 'v1')[0]).toMatchObject({ success: false, returnValue: null });

    await chooseAnalyticsOnly(p);
    await waitForRecords(env.api, 1);
    const tc = env.api.received[0]?.record.tcString;
    await f.waitForFunction(() =>
      (window as unknown as { returns: Ret[] }).returns.some(
        (r) => r.returnValue?.eventStatus === 'useractioncomplete',
      ),
    );
    const done = byId(await returns(), 'l1').at(-1);
    expect(done?.returnValue).toMatchObject({ eventStatus: 'useractioncomplete', tcString: tc });
    expect(trueKeys(done?.returnValue.purpose.consents ?? {})).toEqual(ANALYTICS_ONLY);
  });

  it('check 30: while the consent API is down the choice reaches no vendor; its acknowledgement brings useractioncomplete', async () => {
    const { p } = await visit();
    await p.goto(env.site.origin);
    await loaded(p);
    env.api.state.down = true;
    await chooseAnalyticsOnly(p);
    await p.waitForTimeout(600);
    expect((await events(p)).map((e) => e.eventStatus)).toEqual(['cmpuishown']);
    const [d] = await tcfapi<TCData>(p, 'getTCData');
    expect(trueKeys(d.purpose.consents)).toEqual([]);
    env.api.state.down = false;
    await p.evaluate(() => dispatchEvent(new Event('online')));
    await waitForRecords(env.api, 1);
    await p.waitForFunction(() => (window as unknown as W).__events.length === 2);
    const evs = await events(p);
    expect(evs[1]).toMatchObject({ eventStatus: 'useractioncomplete', tcString: env.api.received[0]?.record.tcString });
  });
});
