/** Address parsing and normalisation for routing keys. Pure: no I/O. */

export interface PrefixOptions {
  /** Group IPv4 clients by this many leading bits (1-32). */
  ipv4Prefix?: number;
  /** Group IPv6 clients by this many leading bits (1-128). */
  ipv6Prefix?: number;
}

const MAPPED_PREFIX = '::ffff:';

export function parseIPv4(s: string): number | null {
  return parseIPv4Range(s, 0, s.length);
}

/** Dotted quad in s[start, end), by char codes: it runs once per connection in ip mode. */
function parseIPv4Range(s: string, start: number, end: number): number | null {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* '.' */) {
      if (digits === 0 || dots === 3) return null;
      n = n * 256 + part;
      dots++;
      part = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || digits === 3) return null;
    part = part * 10 + d;
    digits++;
    if (part > 255) return null;
  }
  if (digits === 0 || dots !== 3) return null;
  return (n * 256 + part) >>> 0;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parses any textual IPv6 form (zero compression, embedded IPv4, zone id) into 8 groups. */
export function parseIPv6(input: string): number[] | null {
  return parseIPv6Range(input, input.length);
}

/** IPv6 text in input[0, end), by char codes (once per IPv6 connection in ip mode). */
function parseIPv6Range(input: string, limit: number): number[] | null {
  const zone = input.indexOf('%');
  const end = zone === -1 || zone > limit ? limit : zone;
  if (end < 2 || end > 45) return null;
  const lastColon = input.lastIndexOf(':', end - 1);
  if (lastColon === -1) return null;
  let stop = end;
  let tail = -1;
  const dot = input.indexOf('.', lastColon);
  if (dot !== -1 && dot < end) {
    const v4 = parseIPv4Range(input, lastColon + 1, end);
    if (v4 === null) return null;
    tail = v4;
    stop = lastColon + 1;
  }
  const groups: number[] = [];
  let gapAt = -1;
  let i = 0;
  if (input.charCodeAt(0) === 58 /* ':' */) {
    if (input.charCodeAt(1) !== 58) return null;
    gapAt = 0;
    i = 2;
  }
  while (i < stop) {
    let v = 0;
    let digits = 0;
    for (; i < stop; i++) {
      const h = hexDigit(input.charCodeAt(i));
      if (h < 0) break;
      if (++digits > 4) return null;
      v = v * 16 + h;
    }
    if (digits === 0 || groups.length === 8) return null;
    groups.push(v);
    if (i === stop) break;
    if (input.charCodeAt(i) !== 58) return null;
    i++;
    if (i < stop && input.charCodeAt(i) === 58) {
      if (gapAt !== -1) return null;
      gapAt = groups.length;
      i++;
    } else if (i === stop && tail === -1) {
      return null;
    }
  }
  const total = groups.length + (tail === -1 ? 0 : 2);
  if (gapAt === -1 ? total !== 8 : total > 7) return null;
  if (gapAt !== -1) groups.splice(gapAt, 0, ...new Array<number>(8 - total).fill(0));
  if (tail !== -1) groups.push(tail >>> 16, tail & 0xffff);
  return groups;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
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
  return (n & ipv4MaskWord(bits)) >>> 0;
}

/** The netmask of an IPv4 prefix as one word; no prefix keeps every bit. */
export function ipv4MaskWord(bits: number | undefined): number {
  if (bits === undefined || bits >= 32) return 0xffffffff;
  return bits <= 0 ? 0 : (~0 << (32 - bits)) >>> 0;
}

/** The netmask of an IPv6 prefix as four big-endian words. */
export function ipv6MaskWords(bits: number | undefined): number[] {
  return [0, 1, 2, 3].map((i) => ipv4MaskWord(bits === undefined ? undefined : bits - i * 32));
}

/**
 * The address words an address key hashes by (see hashWords): [v4] for IPv4 and
 * IPv4-mapped IPv6, four big-endian words for IPv6, masked by the key's /prefix.
 * Null when the key is not an address (a header value routes by its string).
 */
export function addressWords(key: string): number[] | null {
  const slash = key.indexOf('/');
  const end = slash === -1 ? key.length : slash;
  let bits = -1;
  if (slash !== -1) {
    const digits = key.length - slash - 1;
    if (digits < 1 || digits > 3) return null;
    bits = 0;
    for (let i = slash + 1; i < key.length; i++) {
      const d = key.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      bits = bits * 10 + d;
    }
  }
  const v4 = parseIPv4Range(key, 0, end);
  if (v4 !== null) {
    if (bits > 32) return null;
    return [bits === -1 ? v4 : (v4 & ipv4MaskWord(bits)) >>> 0];
  }
  const v6 = parseIPv6Range(key, end);
  if (v6 === null || bits > 128) return null;
  if (isMappedV4(v6)) {
    return [(((v6[6]! << 16) | v6[7]!) & ipv4MaskWord(bits === -1 ? undefined : bits - 96)) >>> 0];
  }
  const words = new Array<number>(4);
  for (let i = 0; i < 4; i++) {
    words[i] = (((v6[2 * i]! << 16) | v6[2 * i + 1]!) & ipv4MaskWord(bits === -1 ? undefined : bits - 32 * i)) >>> 0;
  }
  return words;
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
