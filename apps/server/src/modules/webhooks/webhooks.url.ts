import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Server-side request forgery guard for every URL Lawful calls on someone else's say-so: webhook endpoints (a
 * tenant's), OpenDSR status callbacks (a controller's, opendsr.callback-url.ts) and direct-transfer destinations (a
 * data subject's, datamap.transfer.ts). A URL must not reach the install's own network: loopback, private ranges,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, documentation and reserved ranges are
 * refused, for IPv4, IPv6 and IPv4 embedded in IPv6. Names are checked when the URL is given and again on every
 * connection (the resolved address is the one connected to), so DNS rebinding cannot slip past the first check.
 *
 * `allowHosts` names hosts exempt from both rules, for development only (LAWFUL_ALLOW_INSECURE_WEBHOOKS, and
 * `127.0.0.1` under LAWFUL_OPENDSR_ALLOW_LOOPBACK_CALLBACKS).
 */

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96], // IPv4-compatible (deprecated): refused whatever it carries
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64],
  ['2001::', 32], // Teredo: tunnels to an address we cannot see
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Expands an IPv6 address to its eight 16-bit groups. */
const groups6 = (addr: string): number[] => {
  let a = addr.toLowerCase().split('%')[0]!;
  const v4 = a.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const [p, q, r, s] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    a = `${a.slice(0, -v4[1]!.length)}${((p << 8) | q).toString(16)}:${((r << 8) | s).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g || '0', 16));
};

const v4of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
const embeddedV4 = (g: number[]): string | null => {
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return v4of(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (zeros(6) && (g[6]! > 0 || g[7]! > 1)) return v4of(g[6]!, g[7]!); // ::a.b.c.d (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4of(g[6]!, g[7]!); // NAT64
  if (g[0] === 0x2002) return v4of(g[1]!, g[2]!); // 6to4
  return null;
};

/** True when the address is one a webhook must never reach. Anything that is not an IP address counts as blocked. */
export const isBlockedAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const g = groups6(address);
  if (g.length !== 8 || g.some((x) => Number.isNaN(x))) return true;
  if (blocked.check(address.split('%')[0]!, 'ipv6')) return true;
  const v4 = embeddedV4(g);
  return v4 !== null && blocked.check(v4, 'ipv4');
};

/** A URL's host without IPv6 brackets, lower case. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

export type UrlProblem = { reason: string };
export type ResolvedAddress = { address: string; family: 4 | 6 };
/** Resolves a host name to every address; injectable so unit tests never touch DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) =>
      err ? reject(err) : resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))),
    );
  });

/** Why an outbound URL is refused; each caller words it for its own field. */
export type OutboundProblem = 'not_url' | 'credentials' | 'scheme' | 'private_literal' | 'private_name' | 'unresolved';

/**
 * The one check behind every outbound URL: https (http only to `allowHosts`), no credentials, and every address the
 * host resolves to public. Returns the addresses to connect to (pin them, or re-check at connect time).
 * @example await inspectOutboundUrl('https://10.0.0.1/x', { allowHosts: [] }) // { problem: 'private_literal' }
 */
export const inspectOutboundUrl = async (
  raw: string,
  opts: { allowHosts: readonly string[]; resolve?: Resolver },
): Promise<{ problem: OutboundProblem } | { url: URL; addresses: ResolvedAddress[] }> => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'not_url' };
  }
  if (url.username || url.password) return { problem: 'credentials' };
  const host = hostOf(url);
  const allowed = opts.allowHosts.includes(host);
  if (url.protocol !== 'https:' && !(allowed && url.protocol === 'http:')) return { problem: 'scheme' };
  const literal = isIP(host);
  if (literal) {
    if (!allowed && isBlockedAddress(host)) return { problem: 'private_literal' };
    return { url, addresses: [{ address: host, family: literal === 6 ? 6 : 4 }] };
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await (opts.resolve ?? systemResolver)(host);
  } catch {
    return { problem: 'unresolved' };
  }
  if (addresses.length === 0) return { problem: 'unresolved' };
  if (!allowed && addresses.some((a) => isBlockedAddress(a.address))) return { problem: 'private_name' };
  return { url, addresses };
};

const webhookReasons: Record<OutboundProblem, string> = {
  not_url: 'is not a URL',
  credentials: 'must not carry credentials; authenticate with the signature',
  scheme: 'must use https',
  private_literal: 'points to a private or reserved address',
  private_name: 'resolves to a private or reserved address',
  unresolved: 'has a host name that does not resolve',
};

/**
 * Why `raw` may not be a webhook URL, or null when it may. Resolves names (so it can be slow on a bad resolver).
 * @example await checkWebhookUrl('http://127.0.0.1:8080/hook', []) // { reason: 'must use https' }
 */
export const checkWebhookUrl = async (raw: string, allowHosts: readonly string[]): Promise<UrlProblem | null> => {
  // A fragment is never sent: one in a webhook URL is a mistake worth telling about.
  if (URL.canParse(raw) && new URL(raw).hash) return { reason: 'must not have a #fragment' };
  const r = await inspectOutboundUrl(raw, { allowHosts });
  return 'problem' in r ? { reason: webhookReasons[r.problem] } : null;
};

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) that refuses private addresses at connect time. Node asks with `all: true` when it
 * races address families; answer in the shape it asked for.
 */
export const guardedLookup =
  (allowHosts: readonly string[]) =>
  (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const host = hostname.toLowerCase();
      const usable = allowHosts.includes(host) ? addresses : addresses.filter((a) => !isBlockedAddress(a.address));
      if (usable.length === 0 || usable.length !== addresses.length) {
        const e: NodeJS.ErrnoException = new Error('the host resolves to a blocked address');
        e.code = 'EBLOCKEDADDRESS';
        return callback(e, []);
      }
      if (options.all) return callback(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
