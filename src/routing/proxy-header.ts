/**
 * Header routing, pure (no I/O): an incremental HTTP/1.x request-head parser that collects
 * one header's values across any number of segments, and the client address those values
 * name (X-Forwarded-For style lists, RFC 7239 `Forwarded: for=`, single-value headers).
 */
import { addressKey, type PrefixOptions } from './address.js';

export type HeadResult =
  | { state: 'more' }
  /** The head ended; `values` are the wanted header's lines, in order (empty when missing). */
  | { state: 'done'; values: string[] }
  | { state: 'error'; status: 400 | 431; reason: string };

const enum S {
  LeadingCrlf, Method, Target, Version, VersionLf, LineStart, Name, Value, ValueLf, EndLf,
}

const MORE: HeadResult = { state: 'more' };

/**
 * Header lines an app sees in `req.headers` under Node's defaults: `maxHeadersCount` 2000
 * is compared with the flat [name, value, …] list, so Node keeps the first 1000 lines and
 * drops the rest (Node 20–24). A header past them must not route: the app never sees it.
 */
export const MAX_HEADER_LINES = 1000;

/** The methods llhttp accepts (`http.METHODS`, Node 20–24); node:http itself is not loaded here. */
export const HTTP_METHODS: readonly string[] = [
  'ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
  'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH',
  'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK',
  'UNLOCK', 'UNSUBSCRIBE',
];

/**
 * Words as a byte trie: `next[node * 256 + byte]` is the node after `byte`, 0 when no word
 * goes on that way; `end[node]` is 1 where a word ends. The root is node 1. A table lookup
 * per byte: building the word as a string and looking its prefix up in a Set was most of
 * the parser's cost per request.
 */
interface WordTrie {
  next: Uint16Array;
  end: Uint8Array;
}

const ROOT = 1;

function wordTrie(words: readonly string[]): WordTrie {
  const ids = new Map<string, number>([['', ROOT]]);
  for (const w of words) {
    for (let i = 1; i <= w.length; i++) if (!ids.has(w.slice(0, i))) ids.set(w.slice(0, i), ids.size + 1);
  }
  const next = new Uint16Array((ids.size + 1) * 256);
  const end = new Uint8Array(ids.size + 1);
  for (const [prefix, id] of ids) {
    if (prefix !== '') next[ids.get(prefix.slice(0, -1))! * 256 + prefix.charCodeAt(prefix.length - 1)] = id;
  }
  for (const w of words) end[ids.get(w)!] = 1;
  return { next, end };
}

const METHODS = wordTrie(HTTP_METHODS);
/** The versions llhttp accepts; any other is HPE_INVALID_VERSION. */
const VERSIONS = wordTrie(['HTTP/0.9', 'HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0']);

/** RFC 9110 tchar: what a method and a header name are made of. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Whether `name` could be a header name the parser reads (the config's routing.header check). */
export function isHeaderName(name: string): boolean {
  if (name === '') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
  }
  return true;
}

/**
 * Feeds on a request's bytes as they arrive and answers once the head has ended. Strict
 * enough to turn away what is not HTTP at its first bad byte (a TLS ClientHello fails on
 * byte one), so garbage never waits for the timeout. It never accepts a head that Node's
 * own parser (llhttp, strict as Node runs it) rejects, and reads the header only where the
 * app will see it: bare-LF line ends, obsolete line folding, unknown methods and versions
 * are refused, and header lines past MAX_HEADER_LINES are not collected.
 */
export class HeadParser {
  private state = S.LeadingCrlf;
  private bytes = 0;
  private methodNode = ROOT;
  private versionNode = ROOT;
  private targetBytes = 0;
  private lines = 0;
  private nameIndex = 0;
  private nameMatches = true;
  private capturing = false;
  /** The wanted header's value so far, latin1 (one char per byte), built from slices of each chunk. */
  private value = '';
  private readonly values: string[] = [];
  private readonly wanted: Uint8Array;

  /** `header` is matched case-insensitively; `maxHeaderBytes` bounds the whole head. */
  constructor(header: string | Uint8Array, private readonly maxHeaderBytes: number) {
    this.wanted = typeof header === 'string' ? headerBytes(header) : header;
  }

  push(chunk: Buffer): HeadResult {
    // Where the captured value starts in this chunk (it may have begun in an earlier one).
    let valueStart = 0;
    // The head must end within maxHeaderBytes: bytes past them are not looked at.
    const limit = Math.min(chunk.length, this.maxHeaderBytes - this.bytes);
    for (let i = 0; i < limit; i++) {
      const c = chunk[i]!;
      switch (this.state) {
        case S.LeadingCrlf:
          if (c === 0x0d || c === 0x0a) break;
          this.state = S.Method;
          if ((this.methodNode = METHODS.next[ROOT * 256 + c]!) === 0) return notHttp('method');
          break;
        case S.Method:
          if (c === 0x20) {
            if (METHODS.end[this.methodNode] === 0) return notHttp('method');
            this.state = S.Target;
          } else if ((this.methodNode = METHODS.next[this.methodNode * 256 + c]!) === 0) return notHttp('method');
          break;
        case S.Target:
          // llhttp skips extra spaces before the target, so `GET  / HTTP/1.1` is a request.
          if (c === 0x20) { if (this.targetBytes > 0) this.state = S.Version; }
          else if (c < 0x21 || c >= 0x7f) return notHttp('request target');
          else this.targetBytes++;
          break;
        case S.Version:
          if (c === 0x0d) this.state = S.VersionLf;
          else if ((this.versionNode = VERSIONS.next[this.versionNode * 256 + c]!) === 0) return notHttp('version');
          break;
        case S.VersionLf:
          if (c !== 0x0a || VERSIONS.end[this.versionNode] === 0) return notHttp('version');
          this.state = S.LineStart;
          break;
        case S.LineStart:
          if (c === 0x0d) this.state = S.EndLf;
          else if (TCHAR[c] === 0) return notHttp(c === 0x20 || c === 0x09 ? 'folded header line' : c === 0x0a ? 'line end' : 'header name');
          else { this.lines++; this.nameIndex = 0; this.nameMatches = true; this.matchName(c); this.state = S.Name; }
          break;
        case S.Name:
          if (c === 0x3a) {
            this.capturing = this.nameMatches && this.nameIndex === this.wanted.length && this.lines <= MAX_HEADER_LINES;
            valueStart = i + 1;
            this.state = S.Value;
          } else if (TCHAR[c] === 0) return notHttp('header name');
          else this.matchName(c);
          break;
        case S.Value:
          if (c === 0x0d) {
            if (this.capturing) this.value += chunk.toString('latin1', valueStart, i);
            this.state = S.ValueLf;
          } else if ((c < 0x20 && c !== 0x09) || c === 0x7f) return notHttp('header value');
          break;
        case S.ValueLf:
          if (c !== 0x0a) return notHttp('line end');
          this.endLine();
          break;
        case S.EndLf:
          if (c !== 0x0a) return notHttp('head end');
          return this.done();
      }
    }
    if (limit < chunk.length) return { state: 'error', status: 431, reason: `request head over ${this.maxHeaderBytes} bytes` };
    this.bytes += limit;
    if (this.state === S.Value && this.capturing) this.value += chunk.toString('latin1', valueStart);
    return MORE;
  }

  private matchName(c: number): void {
    const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    if (this.nameIndex >= this.wanted.length || this.wanted[this.nameIndex] !== lower) this.nameMatches = false;
    this.nameIndex++;
  }

  private endLine(): void {
    if (this.capturing) {
      this.values.push(this.value.trim());
      this.value = '';
      this.capturing = false;
    }
    this.state = S.LineStart;
  }

  private done(): HeadResult {
    return { state: 'done', values: this.values };
  }
}

/** A header name as HeadParser matches it; build it once to share between parsers. */
export function headerBytes(header: string): Uint8Array {
  return Buffer.from(header.toLowerCase(), 'latin1');
}

function notHttp(where: string): HeadResult {
  return { state: 'error', status: 400, reason: `not an HTTP request (bad ${where})` };
}

export interface ClientAddressOptions {
  /** Header name, lower or any case. */
  header: string;
  /** Which list entry, counted from the right: 1 = what the nearest proxy saw. */
  trustedHops: number;
}

/**
 * The client address named by a header's values (every line of it, in order), or null when
 * there is none or the chosen entry is not an IP address (`unknown`, an obfuscated name).
 * Fewer entries than `trustedHops` means every entry came from a trusted proxy: the
 * leftmost is then the best knowledge of the client.
 */
export function clientAddress(values: readonly string[], options: ClientAddressOptions): string | null {
  if (values.length === 0) return null;
  const hops = Math.max(1, options.trustedHops);
  if (isForwarded(options.header)) {
    const entries = forwardedFor(values);
    if (entries.length === 0) return null;
    const entry = entries[Math.max(0, entries.length - hops)];
    return entry === null || entry === undefined ? null : hostOf(entry);
  }
  const entry = listEntryFromRight(values, hops);
  return entry === null ? null : hostOf(entry);
}

/** Routing key of a request from its header values, or null when it carries no usable address. */
export function headerKey(values: readonly string[], options: ClientAddressOptions & PrefixOptions): string | null {
  const address = clientAddress(values, options);
  return address === null ? null : addressKey(address, options);
}

function isForwarded(header: string): boolean {
  return header.length === 9 && header.toLowerCase() === 'forwarded';
}

/**
 * The `n`th non-empty entry from the right of a comma-separated list spread over `values`,
 * or the leftmost one when there are fewer: read from the end, without splitting the rest.
 */
function listEntryFromRight(values: readonly string[], n: number): string | null {
  let found = 0;
  let leftmost: string | null = null;
  for (let v = values.length - 1; v >= 0; v--) {
    const s = values[v]!;
    let end = s.length;
    for (;;) {
      const comma = end === 0 ? -1 : s.lastIndexOf(',', end - 1);
      const entry = s.slice(comma + 1, end).trim();
      if (entry !== '') {
        if (++found === n) return entry;
        leftmost = entry;
      }
      if (comma === -1) break;
      end = comma;
    }
  }
  return leftmost;
}

/** RFC 7239: one entry per forwarded-element; its `for=` value, or null when it has none. */
export function forwardedFor(values: readonly string[]): (string | null)[] {
  const out: (string | null)[] = [];
  for (const v of values) {
    for (const element of splitQuoted(v, ',')) {
      if (element.trim() === '') continue;
      let forValue: string | null = null;
      for (const pair of splitQuoted(element, ';')) {
        const eq = pair.indexOf('=');
        if (eq === -1) continue;
        if (pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
        forValue = unquote(pair.slice(eq + 1).trim());
      }
      out.push(forValue);
    }
  }
  return out;
}

function splitQuoted(s: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === sep) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out;
}

function unquote(s: string): string {
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return s;
  return s.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Strips a port and IPv6 brackets: `[::1]:80` → `::1`, `1.2.3.4:5` → `1.2.3.4`. */
function hostOf(entry: string): string {
  const e = unquote(entry.trim());
  if (e.startsWith('[')) {
    const close = e.indexOf(']');
    return close === -1 ? e : e.slice(1, close);
  }
  const colon = e.indexOf(':');
  if (colon !== -1 && colon === e.lastIndexOf(':')) return e.slice(0, colon);
  return e;
}
