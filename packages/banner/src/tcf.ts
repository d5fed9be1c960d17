import { GVL, TCModel, TCString, type Vector } from '@iabtcf/core';
import type { BannerConfig } from '../../contract/src/banner.ts';
import type { Choice, Stored } from './store.ts';

type Tcf = NonNullable<BannerConfig['tcf']>;
/** The `eventStatus` values of the CMP API; the banner core says when each happens. */
export type TcfEvent = 'tcloaded' | 'cmpuishown' | 'useractioncomplete';
type Callback = (data: unknown, success?: boolean) => void;

/** What the banner core drives once tcf.js has loaded. */
export interface Cmp {
  /** The TC string for a choice (attached to its consent record); undefined if encoding fails. */
  encode(c: Choice): Promise<string | undefined>;
  /** Something happened that vendors must hear about; `s` is the consent cookie's content for tcloaded/useractioncomplete. */
  ev(e: TcfEvent, s?: Stored): void;
}

type Win = Window & { __tcfapi?: unknown; Lawful?: { tcString?: string } };
const API_VERSION = '2.2';
const ids = (o: object): number[] => Object.keys(o).map(Number);
const flags = (v: Vector | undefined, of: number[]) => Object.fromEntries(of.map((id) => [id, !!v?.has(id)]));

/**
 * Lazily loaded (dist/tcf.js, only for sites that set `tcf`): the IAB TCF v2.2 CMP API. The banner core has already put a
 * stub `__tcfapi` on the page (it answers `ping` and queues everything else, postMessage calls included) and the
 * `__tcfapiLocator` frame; this module replaces the stub with the full `__tcfapi` (ping, getTCData, addEventListener,
 * removeEventListener) and answers the queued calls once the core reports the first state (UI shown, or a stored choice).
 * Kept out of the main bundle because @iabtcf/core alone is larger than the whole banner.
 *
 * TC strings are service-specific (this site only), carry purpose and vendor consents derived from the categories, and
 * never legitimate interest: no purpose, vendor or publisher legitimate-interest bit is ever set and TCData reports every
 * one as false (check 23: legitimate interest is not a basis for storing or reading on the device). That is also why,
 * unlike the spec's suggestion for `cmpuishown`, the string shown with the UI has no LI signals set.
 *
 * @example
 * const { cmp } = await import(config.tcf.moduleUrl);
 * const api = await cmp(config.tcf, queue, () => bannerVisible);
 * api?.ev('tcloaded', storedChoice); // vendors now get the stored string
 */
export const cmp = async (tcf: Tcf, queue: unknown[], shown: () => boolean): Promise<Cmp | undefined> => {
  const w = window as Win;
  // Without a valid vendor list or string no valid TCData exists: say so (cmpStatus error) and answer nothing else, as
  // the spec requires. The core then records choices without a tcString.
  const fail = () =>
    takeOver(queue, w, (cmd, _v, cb) => {
      if (cmd === 'ping') cb({ gdprApplies: true, cmpLoaded: true, cmpStatus: 'error', apiVersion: API_VERSION }, true);
    });
  let gvl: GVL;
  try {
    const r = await fetch(tcf.vendorListUrl, { credentials: 'omit' });
    if (!r.ok) throw new Error(`vendor list answered ${r.status}`);
    gvl = new GVL(await r.json());
    if (tcf.vendorIds.length) gvl.narrowVendorsTo(tcf.vendorIds);
  } catch {
    fail();
    return undefined;
  }

  const purposesOf = (c: Choice): number[] => [
    ...new Set(Object.entries(tcf.purposes).flatMap(([cat, p]) => (c[cat] ? p : []))),
  ];
  const encode = (c: Choice): string => {
    const m = new TCModel(gvl);
    m.cmpId = tcf.cmpId;
    m.cmpVersion = tcf.cmpVersion;
    m.publisherCountryCode = tcf.publisherCountryCode;
    m.isServiceSpecific = true;
    m.purposeOneTreatment = false;
    const granted = purposesOf(c);
    m.purposeConsents.set(granted);
    // A vendor gets consent only when every TCF purpose it declares is among the granted ones. No legIntPurposes,
    // vendorLegitimateInterests or publisherLegitimateInterests are ever set (check 23).
    for (const id of ids(gvl.vendors)) {
      const v = gvl.vendors[String(id)];
      if (v && granted.length && v.purposes.every((p) => granted.includes(p))) m.vendorConsents.set(id);
    }
    // The consent language comes from the vendor list's language (EN unless a translated list is served).
    return TCString.encode(m);
  };
  // A stored string stands only if it still says what the cookie's choice says (a later GPC opt-out or a changed
  // category→purpose mapping makes it stale) and was made by this CMP; otherwise the choice is encoded afresh.
  const stillValid = (tc: string, c: Choice): boolean => {
    try {
      const m = TCString.decode(tc);
      const want = purposesOf(c);
      return (
        m.cmpId === tcf.cmpId &&
        m.isServiceSpecific &&
        m.purposeConsents.size === want.length &&
        want.every((p) => m.purposeConsents.has(p))
      );
    } catch {
      return false;
    }
  };

  let current: { tc: string; m: TCModel } | undefined;
  let status: TcfEvent | undefined;
  let installed = false;
  const listeners = new Map<number, Callback>();
  let lastId = 0;

  const displayStatus = () => (shown() ? 'visible' : status === 'tcloaded' ? 'disabled' : 'hidden');
  const ping = () => ({
    gdprApplies: true,
    cmpLoaded: true,
    cmpStatus: 'loaded',
    displayStatus: displayStatus(),
    apiVersion: API_VERSION,
    cmpVersion: tcf.cmpVersion,
    cmpId: tcf.cmpId,
    gvlVersion: gvl.vendorListVersion,
    tcfPolicyVersion: gvl.tcfPolicyVersion,
  });
  const tcData = (vendorIds: number[] | undefined, listenerId: number | undefined) => {
    const m = current?.m;
    const purposes = ids(gvl.purposes);
    const vendors = vendorIds ?? ids(gvl.vendors);
    const none = (of: number[]) => flags(undefined, of);
    return {
      tcString: current?.tc ?? '',
      tcfPolicyVersion: m?.policyVersion ?? gvl.tcfPolicyVersion,
      cmpId: tcf.cmpId,
      cmpVersion: tcf.cmpVersion,
      gdprApplies: true,
      eventStatus: status,
      cmpStatus: 'loaded',
      listenerId,
      isServiceSpecific: true,
      useNonStandardStacks: false,
      publisherCC: tcf.publisherCountryCode,
      purposeOneTreatment: false,
      // Legitimate interest is never established (check 23): every LI flag is false, not merely absent.
      purpose: { consents: flags(m?.purposeConsents, purposes), legitimateInterests: none(purposes) },
      vendor: { consents: flags(m?.vendorConsents, vendors), legitimateInterests: none(vendors) },
      specialFeatureOptins: {},
      publisher: {
        consents: {},
        legitimateInterests: none(purposes),
        customPurpose: { consents: {}, legitimateInterests: {} },
        restrictions: {},
      },
    };
  };

  const call: Handler = (cmd, version, cb, param) => {
    // Version 0/undefined/null means "latest" (2); 1 and anything else is unsupported (spec: success false, data null).
    if (version != null && version !== 0 && version !== 2) return cb(null, false);
    if (cmd === 'ping') return cb(ping(), true);
    if (cmd === 'getTCData') {
      const only = Array.isArray(param) ? param.filter((x): x is number => Number.isInteger(x)) : undefined;
      return cb(tcData(only, undefined), true);
    }
    if (cmd === 'addEventListener') {
      const id = ++lastId;
      listeners.set(id, cb);
      // Called at once with the current data so the caller learns its listenerId, then on every change.
      return cb(tcData(undefined, id), true);
    }
    if (cmd === 'removeEventListener') return cb(listeners.delete(param as number));
    cb(null, false);
  };

  const use = (tc: string) => {
    current = { tc, m: TCString.decode(tc) };
    if (w.Lawful) w.Lawful.tcString = tc;
  };

  const update = (e: TcfEvent, s?: Stored): void => {
    if (e === 'tcloaded') {
      // A choice still waiting for the consent API is not surfaced (fail closed, check 30); its acknowledgement brings
      // useractioncomplete instead.
      if (s?.p.some((r) => r.tcString)) return;
      use(s?.tc && stillValid(s.tc, s.c) ? s.tc : encode(s?.c ?? {}));
    } else if (e === 'useractioncomplete' && s?.tc) use(s.tc);
    // cmpuishown keeps the current signals (the spec lets a CMP merge previous ones); with none, nothing is granted.
    else if (!current) use(encode({}));
    status = e;
    for (const [id, cb] of listeners) cb(tcData(undefined, id), true);
    // First state known: the queued calls (listeners included) are answered now, each once, with this state.
    if (!installed) {
      installed = true;
      takeOver(queue, w, call);
    }
  };

  let broken = false;
  return {
    encode: async (c) => {
      try {
        return broken ? undefined : encode(c);
      } catch {
        return undefined;
      }
    },
    ev: (e, s) => {
      if (broken) return;
      try {
        update(e, s);
      } catch {
        // e.g. a config the encoder refuses (a cmpId over 12 bits): no string is better than a wrong one.
        broken = true;
        fail();
      }
    },
  };
};

type Handler = (cmd: unknown, version: unknown, cb: Callback, param?: unknown) => void;

/**
 * Replaces the stub: `__tcfapi` becomes the full handler, the queued calls run first in, first out, and the queue's
 * `push` (which the core's message listener keeps calling) now answers at once.
 */
const takeOver = (queue: unknown[], w: Win, handle: Handler): void => {
  const run = (x: unknown) => {
    if (x instanceof MessageEvent) return onMessage(x, handle);
    const [cmd, version, cb, param] = x as [unknown, unknown, unknown, unknown];
    if (typeof cb === 'function') handle(cmd, version, cb as Callback, param);
  };
  w.__tcfapi = (...a: unknown[]) => run(a);
  const waiting = queue.splice(0);
  queue.push = (...xs: unknown[]) => {
    for (const x of xs) run(x);
    return 0;
  };
  for (const x of waiting) run(x);
};

/**
 * Framed vendors find the `__tcfapiLocator` frame and postMessage `{ __tcfapiCall: { command, version, parameter,
 * callId } }`; the answer goes back to the calling window as `{ __tcfapiReturn: { returnValue, success, callId } }`,
 * as a JSON string when the call came as one (older vendor code does that).
 */
const onMessage = (e: MessageEvent, handle: Handler): void => {
  let data: unknown = e.data;
  const asText = typeof data === 'string';
  if (asText) {
    try {
      data = JSON.parse(data as string);
    } catch {
      return;
    }
  }
  const c = (data as { __tcfapiCall?: Record<string, unknown> } | null)?.__tcfapiCall;
  const source = e.source as Window | null;
  if (!c || typeof c !== 'object' || !source) return;
  handle(
    c.command,
    c.version,
    (returnValue, success) => {
      const msg = { __tcfapiReturn: { returnValue, success, callId: c.callId } };
      // TC data is meant for any vendor, whatever its origin; it holds no identifier.
      source.postMessage(asText ? JSON.stringify(msg) : msg, '*');
    },
    c.parameter,
  );
};
