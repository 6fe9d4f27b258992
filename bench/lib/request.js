'use strict';
// The bytes of one benchmark request, shared by the load generator and the spread check.

/** Fake client address behind a proxy (header / PROXY routing), one per source address number. */
function clientOf(i) {
  return `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255 || 1}`;
}

/**
 * @param {number} i source address number (1-based)
 * @param {{ route: 'ip'|'header'|'proxy-protocol', keepAlive?: boolean, body?: Buffer|null, port: number }} o
 */
function buildRequest(i, o) {
  let head = `${o.body ? 'POST' : 'GET'} / HTTP/1.1\r\nHost: bench\r\nConnection: ${o.keepAlive ? 'keep-alive' : 'close'}\r\n`;
  if (o.route === 'header') head += `X-Forwarded-For: ${clientOf(i)}\r\n`;
  if (o.body) head += `Content-Type: application/octet-stream\r\nContent-Length: ${o.body.length}\r\n`;
  head += '\r\n';
  const parts = [];
  if (o.route === 'proxy-protocol') parts.push(Buffer.from(`PROXY TCP4 ${clientOf(i)} 127.0.0.1 ${40000 + i} ${o.port}\r\n`));
  parts.push(Buffer.from(head));
  if (o.body) parts.push(o.body);
  return Buffer.concat(parts);
}

/** Source address number i (1..254) on the 127.0.N.0/24 block the caller uses. */
function sourceAddress(block, i) {
  return `127.0.${block}.${i}`;
}

module.exports = { clientOf, buildRequest, sourceAddress };
