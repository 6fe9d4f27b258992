/** Address parsing and normalisation for routing keys. Pure: no I/O. */

export interface PrefixOptions {
  /** Group IPv4 clients by this many leading bits (1-32). */
  ipv4Prefix?: number;
  /** Group IPv6 clients by this many leading bits (1-128). */
  ipv6Prefix?: number;
}

const MAPPED_PREFIX = '::ffff:';

export function parseIPv4(s: string): number | null {
  // A scan, not split('.'): this runs once per request in header mode.
  let n = 0;
  let v = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || v > 255 || ++parts > 4) return null;
      n = n * 256 + v;
      v = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || ++digits > 3) return null;
      v = v * 10 + d;
    }
  }
  return parts === 4 ? n >>> 0 : null;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parses any textual IPv6 form (zero compression, embedded IPv4, zone id) into 8 groups. */
export function parseIPv6(input: string): number[] | null {
  let s = input;
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (s.length < 2 || s.length > 45) return null;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) !== -1) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !rest) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  if (tail.length) groups.splice(6, 2, tail[0]!, tail[1]!);
  return groups;
}

/** RFC 5952 text form: lower case, longest zero run compressed. */
export function formatIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function isMappedV4(groups: number[]): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
    groups[4] === 0 && groups[5] === 0xffff;
}

function mappedV4(groups: number[]): number {
  return ((groups[6]! << 16) | groups[7]!) >>> 0;
}

/**
 * The form Node reports for an IPv6 peer (libuv's inet_ntop): RFC 5952, with the last 32
 * bits dotted for IPv4-mapped `::ffff:a.b.c.d` and IPv4-compatible `::a.b.c.d` (but `::2`).
 */
export function formatPeerIPv6(groups: number[]): string {
  if (isMappedV4(groups)) return MAPPED_PREFIX + formatIPv4(mappedV4(groups));
  if (isCompatibleV4(groups)) return `::${formatIPv4(mappedV4(groups))}`;
  return formatIPv6(groups);
}

function isCompatibleV4(groups: number[]): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
    groups[4] === 0 && groups[5] === 0 && groups[6] !== 0;
}

function maskIPv4(n: number, bits: number): number {
  return bits >= 32 ? n : bits <= 0 ? 0 : (n & (~0 << (32 - bits))) >>> 0;
}

function maskIPv6(groups: number[], bits: number): number[] {
  return groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 16 ? g : keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
}

/**
 * Routing key of a peer address as the kernel reports it (getpeername: always a valid,
 * canonical IP), without validating it again: the per-connection path of ip mode.
 * IPv4-mapped IPv6 folds to IPv4, like addressKey.
 */
export function peerKey(address: string | undefined, prefix: PrefixOptions): string | null {
  if (!address) return null;
  if (prefix.ipv4Prefix !== undefined || prefix.ipv6Prefix !== undefined) return addressKey(address, prefix);
  if (address.charCodeAt(0) === 58 /* ':' */ && address.startsWith(MAPPED_PREFIX) && address.indexOf('.') !== -1) {
    return address.slice(MAPPED_PREFIX.length);
  }
  return address;
}

/**
 * Canonical routing key for a client address, or null when it is not an IP address.
 * IPv4-mapped IPv6 folds to IPv4, IPv6 gets its RFC 5952 form, and prefix grouping
 * appends the prefix length so grouped keys never collide with a single address.
 */
export function addressKey(address: string | undefined, prefix: PrefixOptions = {}): string | null {
  if (!address) return null;
  // Fast path for what the kernel reports (already canonical) when no grouping is asked for.
  if (prefix.ipv4Prefix === undefined && prefix.ipv6Prefix === undefined) {
    if (address.startsWith(MAPPED_PREFIX) && address.indexOf('.') !== -1) {
      const v4 = address.slice(MAPPED_PREFIX.length);
      return parseIPv4(v4) === null ? null : v4;
    }
    if (address.indexOf(':') === -1) return parseIPv4(address) === null ? null : address;
  }
  const v4 = address.indexOf(':') === -1 ? parseIPv4(address) : null;
  if (v4 !== null) return keyV4(v4, prefix.ipv4Prefix);
  const v6 = parseIPv6(address);
  if (!v6) return null;
  if (isMappedV4(v6)) return keyV4(mappedV4(v6), prefix.ipv4Prefix);
  if (prefix.ipv6Prefix === undefined || prefix.ipv6Prefix >= 128) return formatIPv6(v6);
  return `${formatIPv6(maskIPv6(v6, prefix.ipv6Prefix))}/${prefix.ipv6Prefix}`;
}

function keyV4(n: number, bits: number | undefined): string {
  if (bits === undefined || bits >= 32) return formatIPv4(n);
  return `${formatIPv4(maskIPv4(n, bits))}/${bits}`;
}
