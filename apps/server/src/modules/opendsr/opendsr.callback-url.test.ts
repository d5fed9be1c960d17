import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import { checkWebhookUrl, inspectOutboundUrl, isBlockedAddress } from '../webhooks/webhooks.url.ts';
import { isForbiddenAddress, pinnedLookup, type Resolver, validateCallbackUrl } from './opendsr.callback-url.ts';

// A fake DNS: no test here sends a packet.
const dns: Record<string, string[]> = {
  'controller.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example': ['93.184.215.14', '10.0.0.7'],
  'metadata.example': ['169.254.169.254'],
  'v6local.example': ['fd00:ec2::254'],
};
const resolve: Resolver = async (host) => {
  const addrs = dns[host];
  if (!addrs) throw new Error('ENOTFOUND');
  return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const refused = async (url: string, opts = {}) => {
  try {
    await validateCallbackUrl(url, { resolve, ...opts });
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('VALIDATION_FAILED');
    expect((e as AppError).field).toBe('status_callback_urls');
    expect((e as AppError).message).not.toContain(url);
    return (e as AppError).message;
  }
  throw new Error(`${url} was accepted`);
};

describe('isForbiddenAddress', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', 'this network'],
    ['169.254.169.254', 'metadata (link-local)'],
    ['100.64.0.1', 'CGNAT'],
    ['100.100.100.200', 'Alibaba metadata (CGNAT)'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'IPv6 loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'AWS metadata (unique-local)'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['2002:c0a8:0101::1', '6to4 of 192.168.1.1'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['not-an-ip', 'garbage'],
  ])('%s is refused (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
    '::ffff:8.8.8.8',
    '2002:0808:0808::1',
  ])('%s is public', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('validateCallbackUrl', () => {
  it('accepts https to a public host and returns the addresses to pin', async () => {
    const { url, addresses } = await validateCallbackUrl('https://controller.example/opendsr/callbacks?t=1', {
      resolve,
    });
    expect(url.pathname).toBe('/opendsr/callbacks');
    expect(addresses.map((a) => a.address)).toEqual(dns['controller.example']);
  });

  it('accepts a public IP literal without resolving', async () => {
    const never: Resolver = async () => {
      throw new Error('should not resolve');
    };
    expect((await validateCallbackUrl('https://93.184.215.14/cb', { resolve: never })).addresses).toEqual([
      { address: '93.184.215.14', family: 4 },
    ]);
  });

  it('refuses plain http, other schemes and credentials', async () => {
    expect(await refused('http://controller.example/cb')).toMatch(/https/);
    expect(await refused('ftp://controller.example/cb')).toMatch(/https/);
    expect(await refused('https://user:pw@controller.example/cb')).toMatch(/credentials/);
    expect(await refused('not a url')).toMatch(/not a valid URL/);
  });

  it('refuses private, loopback, metadata and mapped literals, however written', async () => {
    for (const u of [
      'https://127.0.0.1/cb',
      'https://2130706433/cb', // decimal form of 127.0.0.1, normalised by the URL parser
      'https://0x7f.1/cb',
      'https://[::1]/cb',
      'https://[::ffff:127.0.0.1]/cb',
      'https://[::ffff:a9fe:a9fe]/cb',
      'https://169.254.169.254/latest/meta-data',
      'https://[fe80::1]/cb',
      'https://100.64.1.1/cb',
    ]) {
      expect(await refused(u)).toMatch(/public address/);
    }
  });

  it('refuses a name if any resolved address is forbidden (rebinding-style answers)', async () => {
    expect(await refused('https://rebind.example/cb')).toMatch(/public address/);
    expect(await refused('https://metadata.example/cb')).toMatch(/public address/);
    expect(await refused('https://v6local.example/cb')).toMatch(/public address/);
    expect(await refused('https://nxdomain.example/cb')).toMatch(/does not resolve/);
  });

  it('the dev option allows exactly http://127.0.0.1, nothing else private', async () => {
    const dev = { dangerouslyAllowHttpLoopbackForDev: true };
    expect((await validateCallbackUrl('http://127.0.0.1:8787/cb', { resolve, ...dev })).url.port).toBe('8787');
    expect(await refused('http://127.0.0.1:8787/cb')).toMatch(/https/);
    expect(await refused('http://localhost:8787/cb', dev)).toMatch(/https/);
    expect(await refused('http://10.0.0.1/cb', dev)).toMatch(/https/);
    expect(await refused('https://[::1]/cb', dev)).toMatch(/public address/);
  });
});

describe('pinnedLookup', () => {
  it('answers with the validated addresses only', async () => {
    const lookup = pinnedLookup([{ address: '93.184.215.14', family: 4 }]);
    const one = await new Promise((r) => lookup('rebind.example', {}, (_e, address, family) => r([address, family])));
    expect(one).toEqual(['93.184.215.14', 4]);
    const all = await new Promise((r) => lookup('rebind.example', { all: true }, (_e, address) => r(address)));
    expect(all).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });
});

describe('one outbound URL check for OpenDSR callbacks, webhooks and direct transfers (webhooks.url.ts)', () => {
  it('the webhooks guard is the same address list (Teredo, IPv4-compatible and local NAT64 included)', async () => {
    expect(isForbiddenAddress).toBe(isBlockedAddress);
    for (const literal of ['[2001:0:4136:e378::1]', '[::808:808]', '[64:ff9b:1::1]', '10.0.0.1', '[fd00:ec2::254]'])
      expect(await checkWebhookUrl(`https://${literal}/hook`, []), literal).toEqual({
        reason: 'points to a private or reserved address',
      });
    expect(await checkWebhookUrl('https://93.184.215.14/hook#x', [])).toEqual({ reason: 'must not have a #fragment' });
    expect(await checkWebhookUrl('https://93.184.215.14/hook', [])).toBeNull();
  });

  it('a host named in allowHosts (development) may use http and a private address; no other host may', async () => {
    expect(await inspectOutboundUrl('http://127.0.0.1:9/x', { allowHosts: ['127.0.0.1'], resolve })).toMatchObject({
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
    expect(await inspectOutboundUrl('http://127.0.0.2:9/x', { allowHosts: ['127.0.0.1'], resolve })).toEqual({
      problem: 'scheme',
    });
    expect(await inspectOutboundUrl('https://rebind.example/x', { allowHosts: ['127.0.0.1'], resolve })).toEqual({
      problem: 'private_name',
    });
  });
});
