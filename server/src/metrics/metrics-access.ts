import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Parses `10.0.0.0/8` or `::1/128` (a bare address is a /32 or /128). Null when it is not a CIDR. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  if (family === null) return null;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Who may scrape /api/metrics: a bearer token (BALUHOST_METRICS_TOKEN), or an address in the allowlist
 * (BALUHOST_METRICS_ALLOW). Not an admin login: a scraper holds no user credentials.
 */
export class MetricsAccess {
  private readonly tokenDigest: Buffer | null;
  private readonly allow = new BlockList();

  constructor(token: string | undefined, allow: readonly string[]) {
    this.tokenDigest = token === undefined ? null : digest(token);
    for (const entry of allow) {
      const cidr = parseCidr(entry);
      if (cidr !== null) this.allow.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
  }

  /** Whether a request with this Authorization header from this address may scrape. */
  permits(authorization: string | undefined, address: string | undefined): boolean {
    if (this.tokenDigest !== null && authorization !== undefined) {
      const match = /^Bearer (\S+)$/.exec(authorization);
      if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), this.tokenDigest)) return true;
    }
    if (address === undefined) return false;
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (v4 !== undefined) return this.allow.check(v4, 'ipv4');
    return this.allow.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  }
}
