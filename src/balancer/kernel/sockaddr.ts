/** struct sockaddr_in / sockaddr_in6 for an IP literal and back. Pure: no I/O. */
import { isIPv4, isIPv6 } from 'node:net';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../routing/address.js';
import { HOST_LE, LINUX } from './socket-calls.js';

export const SOCKADDR_MAX = 28;

export interface Endpoint {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** Null for what is not an IP literal or carries a zone (a scope id needs the interface's index). */
export function encodeSockaddr(address: string, port: number): Buffer | null {
  if (isIPv4(address)) {
    const b = Buffer.alloc(16);
    writeFamily(b, LINUX.AF_INET);
    b.writeUInt16BE(port, 2);
    b.writeUInt32BE(parseIPv4(address)!, 4);
    return b;
  }
  if (!isIPv6(address) || address.includes('%')) return null;
  const b = Buffer.alloc(28);
  writeFamily(b, LINUX.AF_INET6);
  b.writeUInt16BE(port, 2);
  parseIPv6(address)!.forEach((g, i) => b.writeUInt16BE(g, 8 + 2 * i));
  return b;
}

export function decodeSockaddr(b: Buffer): Endpoint {
  const family = HOST_LE ? b.readUInt16LE(0) : b.readUInt16BE(0);
  const port = b.readUInt16BE(2);
  if (family === LINUX.AF_INET) return { address: formatIPv4(b.readUInt32BE(4)), family: 'IPv4', port };
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(8 + 2 * i));
  return { address: formatIPv6(groups), family: 'IPv6', port };
}

function writeFamily(b: Buffer, family: number): void {
  if (HOST_LE) b.writeUInt16LE(family, 0);
  else b.writeUInt16BE(family, 0);
}
