/**
 * PROXY protocol v1 (text) and v2 (binary) preamble parser, strict, pure (no I/O).
 * https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt
 */
import { isIP } from 'node:net';
import { formatPeerIPv6, parseIPv4, parseIPv6 } from './address.js';

export interface ProxySource {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

export type ProxyResult =
  | { state: 'more' }
  /** `source` is undefined for LOCAL, UNKNOWN, UNSPEC and AF_UNIX: route by the TCP peer. */
  | { state: 'done'; length: number; source: ProxySource | undefined }
  | { state: 'error'; reason: string };

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V1_MAX_BYTES = 107;
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_HEADER_BYTES = 16;
const MORE: ProxyResult = { state: 'more' };

/**
 * Parses the preamble at the start of `buf` (everything read so far). Answers `more` only
 * while `buf` is a proper prefix of a valid preamble: a wrong byte fails at once.
 * `maxBytes` bounds a v2 preamble's TLVs (v1 is never over 107 bytes).
 */
export function parseProxyPreamble(buf: Buffer, maxBytes = 16_384): ProxyResult {
  if (buf.length === 0) return MORE;
  if (buf[0] === V1_PREFIX[0]) return parseV1(buf);
  if (buf[0] === V2_SIGNATURE[0]) return parseV2(buf, maxBytes);
  return fail('no PROXY protocol preamble');
}

function parseV1(buf: Buffer): ProxyResult {
  const n = Math.min(buf.length, V1_PREFIX.length);
  if (buf.compare(V1_PREFIX, 0, n, 0, n) !== 0) return fail('no PROXY protocol preamble');
  // The first bad byte decides, so every split of the same bytes gets the same answer.
  const end = Math.min(buf.length, V1_MAX_BYTES);
  for (let i = n; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x0a) return buf[i - 1] === 0x0d ? v1Line(buf, i) : fail('v1 line does not end in CRLF');
    if (c === 0x0d) {
      if (i + 1 < buf.length && buf[i + 1] !== 0x0a) return fail('v1 line does not end in CRLF');
    } else if (c < 0x20 || c > 0x7e) return fail('v1 line has a control byte');
  }
  return buf.length >= V1_MAX_BYTES ? fail('v1 line longer than 107 bytes') : MORE;
}

function v1Line(buf: Buffer, lf: number): ProxyResult {
  const line = buf.toString('latin1', 0, lf - 1);
  const parts = line.split(' ');
  const proto = parts[1];
  if (proto === 'UNKNOWN') return { state: 'done', length: lf + 1, source: undefined };
  if ((proto !== 'TCP4' && proto !== 'TCP6') || parts.length !== 6) return fail(`v1 line malformed: ${JSON.stringify(line.slice(0, 60))}`);
  const [, , src, dst, srcPort, dstPort] = parts as [string, string, string, string, string, string];
  const want = proto === 'TCP4' ? 4 : 6;
  if (!v1Address(src, want) || !v1Address(dst, want)) return fail(`v1 ${proto} address malformed`);
  const sport = v1Port(srcPort);
  if (sport === -1 || v1Port(dstPort) === -1) return fail('v1 port malformed');
  const address = want === 4 ? src : formatPeerIPv6(parseIPv6(src)!);
  return { state: 'done', length: lf + 1, source: { address, port: sport, family: want === 4 ? 'IPv4' : 'IPv6' } };
}

function v1Address(s: string, family: 4 | 6): boolean {
  return family === 4 ? parseIPv4(s) !== null && !/(^|\.)0\d/.test(s) : isIP(s) === 6 && !s.includes('%');
}

function v1Port(s: string): number {
  if (!/^(0|[1-9]\d{0,4})$/.test(s)) return -1;
  const n = Number(s);
  return n <= 65535 ? n : -1;
}

function parseV2(buf: Buffer, maxBytes: number): ProxyResult {
  const n = Math.min(buf.length, V2_SIGNATURE.length);
  if (buf.compare(V2_SIGNATURE, 0, n, 0, n) !== 0) return fail('no PROXY protocol preamble');
  if (buf.length <= 12) return MORE;
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return fail(`v2 version ${verCmd >> 4} is not 2`);
  const command = verCmd & 0x0f;
  if (command > 1) return fail(`v2 command ${command} is neither LOCAL nor PROXY`);
  if (buf.length <= 13) return MORE;
  const famProto = buf[13]!;
  const need = v2AddressBytes(famProto);
  if (need === -1) return fail(`v2 address family/protocol 0x${famProto.toString(16).padStart(2, '0')} is not TCP or UNIX`);
  if (buf.length < V2_HEADER_BYTES) return MORE;
  const length = V2_HEADER_BYTES + buf.readUInt16BE(14);
  if (length > maxBytes) return fail(`v2 preamble of ${length} bytes is over ${maxBytes}`);
  if (length - V2_HEADER_BYTES < need) return fail('v2 length too short for its addresses');
  if (buf.length < length) return MORE;
  // LOCAL: the proxy's own connection (a health check); its addresses mean nothing.
  if (command === 0) return { state: 'done', length, source: undefined };
  const at = V2_HEADER_BYTES;
  switch (famProto) {
    case 0x11:
      return { state: 'done', length, source: { address: ipv4At(buf, at), port: buf.readUInt16BE(at + 8), family: 'IPv4' } };
    case 0x21:
      return { state: 'done', length, source: { address: ipv6At(buf, at), port: buf.readUInt16BE(at + 32), family: 'IPv6' } };
    default:
      return { state: 'done', length, source: undefined };
  }
}

/** Address block size per family/protocol byte; -1 for what a TCP listener cannot carry. */
function v2AddressBytes(famProto: number): number {
  switch (famProto) {
    case 0x00: return 0; // UNSPEC
    case 0x11: return 12; // TCP over IPv4
    case 0x21: return 36; // TCP over IPv6
    case 0x31: return 216; // UNIX stream
    default: return -1;
  }
}

function ipv4At(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

function ipv6At(buf: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(at + i * 2));
  return formatPeerIPv6(groups);
}

function fail(reason: string): ProxyResult {
  return { state: 'error', reason };
}
