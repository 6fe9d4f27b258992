/**
 * `routing.trustedProxies` as a matcher: which TCP peers may name the client (by a header
 * or a PROXY preamble). Pure: no I/O.
 */
import { parseIPv4, parseIPv6 } from './address.js';

interface Block {
  /** Eight 16-bit groups; IPv4 as its IPv4-mapped IPv6 form. */
  groups: number[];
  bits: number;
}

/** IPv4 lives at ::ffff:0:0/96, so one comparison covers IPv4, IPv6 and mapped peers. */
const MAPPED_BITS = 96;

function groupsOf(address: string): number[] | null {
  if (address.indexOf(':') === -1) {
    const v4 = parseIPv4(address);
    return v4 === null ? null : [0, 0, 0, 0, 0, 0xffff, v4 >>> 16, v4 & 0xffff];
  }
  return parseIPv6(address);
}

function parseBlock(entry: string): Block | null {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const groups = groupsOf(address);
  if (groups === null) return null;
  const v4 = address.indexOf(':') === -1;
  const full = v4 ? 32 : 128;
  let bits = full;
  if (slash !== -1) {
    const text = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text) || Number(text) > full) return null;
    bits = Number(text);
  }
  return { groups, bits: v4 ? bits + MAPPED_BITS : bits };
}

function inBlock(groups: number[], block: Block): boolean {
  for (let i = 0, left = block.bits; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if (((groups[i]! ^ block.groups[i]!) & mask) !== 0) return false;
  }
  return true;
}

/**
 * Addresses and CIDR blocks (IPv4 or IPv6). An IPv4 entry also matches the same address
 * written IPv4-mapped (`::ffff:10.0.0.1`, how a dual-stack socket reports IPv4 peers), and
 * an IPv6 block that covers ::ffff:0:0/96 matches IPv4 peers.
 */
export class TrustedPeers {
  private constructor(private readonly blocks: readonly Block[]) {}

  /** Throws on an entry that is not an address or CIDR (the config schema reports those first). */
  static parse(entries: readonly string[]): TrustedPeers {
    return new TrustedPeers(entries.map((entry) => {
      const block = parseBlock(entry);
      if (block === null) throw new TypeError(`${JSON.stringify(entry)} is not an IP address or CIDR block`);
      return block;
    }));
  }

  /** True when `address` (as a socket reports it) is in one of the blocks; false for no address. */
  has(address: string | undefined): boolean {
    if (!address) return false;
    const groups = groupsOf(address);
    if (groups === null) return false;
    for (const block of this.blocks) if (inBlock(groups, block)) return true;
    return false;
  }
}

/** The matcher of `routing.trustedProxies`; undefined when unset (every peer is trusted). */
export function trustedPeers(entries: readonly string[] | undefined): TrustedPeers | undefined {
  return entries === undefined ? undefined : TrustedPeers.parse(entries);
}
