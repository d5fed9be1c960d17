import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../lib/errors.ts';

/**
 * Status callback URLs come from whoever submits an OpenDSR request, and Lawful will POST to them: without care
 * that is a server-side request forgery primitive. A URL is accepted only if it is https, carries no credentials,
 * and every address its host resolves to is public unicast. Connect to one of the returned addresses (see
 * `pinnedLookup`) so a DNS answer that changes after the check (rebinding) cannot redirect the request.
 */

export type ResolvedAddress = { address: string; family: 4 | 6 };
/** Resolves a host name to every address; injected so tests never touch DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT (also Alibaba Cloud metadata 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local, incl. AWS metadata fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** Expands an IPv6 literal to 8 numeric groups (handles `::` and a dotted IPv4 tail). */
const ipv6Groups = (ip: string): number[] => {
  let s = ip.split('%')[0]!.toLowerCase();
  const dotted = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16));
};

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** IPv4 addresses an IPv6 address carries: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16). */
const embeddedIpv4 = (ip: string): string | null => {
  const g = ipv6Groups(ip);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return null;
};

/**
 * Whether an IP address is one Lawful must never call: private, loopback, link-local, unique-local, CGNAT,
 * multicast, reserved, documentation or cloud metadata, including IPv4 hidden inside IPv6.
 * @example isForbiddenAddress('::ffff:169.254.169.254') // true
 */
export const isForbiddenAddress = (ip: string): boolean => {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return true;
  const inner = embeddedIpv4(ip);
  if (inner !== null) return blocked.check(inner, 'ipv4');
  return blocked.check(ip, 'ipv6');
};

export type CallbackUrlOptions = {
  resolve?: Resolver;
  /**
   * Development only: accept `http://127.0.0.1[:port]/…` (that exact literal, nothing else private) so a local
   * controller can receive callbacks. Never set in production.
   */
  dangerouslyAllowHttpLoopbackForDev?: boolean;
};

const refuse = (message: string) => new AppError('VALIDATION_FAILED', message, { field: 'status_callback_urls' });

/**
 * Validates one status callback URL and returns it with the addresses it may be called on.
 * Messages never echo the URL: it may carry tokens.
 * @example const { url, addresses } = await validateCallbackUrl('https://controller.example/opendsr/callbacks')
 */
export const validateCallbackUrl = async (
  raw: string,
  opts: CallbackUrlOptions = {},
): Promise<{ url: URL; addresses: ResolvedAddress[] }> => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('a status callback URL is not a valid URL');
  }
  if (url.username || url.password) throw refuse('a status callback URL must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');

  if (
    opts.dangerouslyAllowHttpLoopbackForDev &&
    host === '127.0.0.1' &&
    (url.protocol === 'http:' || url.protocol === 'https:')
  ) {
    return { url, addresses: [{ address: '127.0.0.1', family: 4 }] };
  }
  if (url.protocol !== 'https:') throw refuse('a status callback URL must use https');

  const literal = isIP(host);
  const addresses: ResolvedAddress[] = literal
    ? [{ address: host, family: literal === 6 ? 6 : 4 }]
    : await (opts.resolve ?? systemResolver)(host).catch(() => {
        throw refuse('the host of a status callback URL does not resolve');
      });
  if (addresses.length === 0) throw refuse('the host of a status callback URL does not resolve');
  if (addresses.some((a) => isForbiddenAddress(a.address))) {
    throw refuse('a status callback URL must point to a public address');
  }
  return { url, addresses };
};

/**
 * A `lookup` for `http.request`/`https.request` that answers with the validated addresses only, so the connection
 * goes where the check looked.
 */
export const pinnedLookup =
  (addresses: readonly ResolvedAddress[]) =>
  (
    _hostname: string,
    options: { all?: boolean } | number | undefined,
    callback: (err: Error | null, address: string | ResolvedAddress[], family?: number) => void,
  ): void => {
    const first = addresses[0];
    if (!first) callback(new Error('no validated address'), '', 4);
    else if (typeof options === 'object' && options?.all) callback(null, [...addresses]);
    else callback(null, first.address, first.family);
  };
