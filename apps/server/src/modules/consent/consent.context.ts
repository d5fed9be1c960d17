import { isIP } from 'node:net';
import Bowser from 'bowser';

/**
 * What is kept about where a consent came from: a truncated address (/24 for IPv4, /48 for IPv6) and a coarse user
 * agent (browser family, OS family, device type). Enough to support the proof, not enough to single a person out
 * (CNIL 2020-092; check 9).
 */
export const truncateIp = (ip: string | undefined | null): string | null => {
  if (!ip) return null;
  const v = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(v) === 4) return `${v.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIP(v) === 6) {
    const [head = '', tail = ''] = v.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = v.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
    return `${groups
      .slice(0, 3)
      .map((g) => Number.parseInt(g || '0', 16).toString(16))
      .join(':')}::/48`;
  }
  return null;
};

export const coarseUserAgent = (ua: string | undefined | null): string | null => {
  if (!ua) return null;
  const p = Bowser.parse(ua);
  return [p.browser.name ?? 'unknown browser', p.os.name ?? 'unknown OS', p.platform.type ?? 'unknown device'].join(
    ' / ',
  );
};
