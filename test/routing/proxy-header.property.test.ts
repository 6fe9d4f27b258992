import fc from 'fast-check';
import { METHODS } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HeadParser, headerKey, HTTP_METHODS, MAX_HEADER_LINES, type HeadResult,
} from '../../src/routing/proxy-header.js';
import { NodeHttpOracle, type NodeVerdict } from './node-http-oracle.js';

const HEADER = 'x-forwarded-for';
const MAX_BYTES = 16_384;
const KEY_OPTIONS = { header: HEADER, trustedHops: 1 };

function parseWhole(bytes: Buffer): HeadResult {
  return new HeadParser(HEADER, MAX_BYTES).push(bytes);
}

/** Feeds `bytes` cut at `cuts`; stops at the first answer other than `more`, as the reader does. */
function parseSplit(bytes: Buffer, cuts: number[]): HeadResult {
  const parser = new HeadParser(HEADER, MAX_BYTES);
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  let r: HeadResult = { state: 'more' };
  for (const to of [...at, bytes.length]) {
    if (to <= from) continue;
    r = parser.push(bytes.subarray(from, to));
    from = to;
    if (r.state !== 'more') break;
  }
  return r;
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const bytesOf = (codes: number[]): string => String.fromCharCode(...codes);

/** Mostly well-formed, with every kind of defect Node's parser has an opinion on. */
const eol = fc.oneof({ weight: 40, arbitrary: fc.constant('\r\n') }, { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\r\r\n') });
const method = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom('GET', 'POST', 'OPTIONS', 'M-SEARCH', 'PROPPATCH', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('get', 'FOO', 'GE', 'PRI', 'GETS', 'MKCOLX', '', ' GET') },
);
const oddByte = fc.constantFrom(0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x7f, 0x80, 0xa0, 0xff);
const safeByte = fc.constantFrom(...[...'abcXYZ019-._~/?#%&=:@!$,;*+'].map((c) => c.charCodeAt(0)));
const textBytes = fc.array(fc.oneof({ weight: 80, arbitrary: safeByte }, { weight: 1, arbitrary: oddByte }), { maxLength: 24 }).map(bytesOf);
const target = fc.oneof(
  { weight: 4, arbitrary: textBytes.map((t) => `/${t}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://a/b', '') },
);
const version = fc.oneof(
  { weight: 15, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  { weight: 1, arbitrary: fc.constantFrom('HTTP/0.9', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/3.0', 'http/1.1', 'HTTP/1.1 ', 'HTTP/1', 'HTTP/11.1') },
);
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('unknown', '1.2.3.4:80', '[::1]:443', ''));
const xffValue = fc.array(address, { minLength: 1, maxLength: 3 }).map((a) => a.join(', '));
const headerName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('X-Forwarded-For', 'x-forwarded-for', 'X-FORWARDED-FOR') },
  { weight: 10, arbitrary: fc.constantFrom('Host', 'Accept', 'a', 'X-Forwarded-Fo', 'X-Forwarded-For-X') },
  { weight: 1, arbitrary: fc.constantFrom('', 'X-Forwarded-For ', 'X Forwarded', 'X\x00', 'X\xff', '(x)', ' X-Forwarded-For') },
);
const ows = fc.constantFrom('', ' ', '  ', '\t', ' \t');
const headerLine = fc.oneof(
  { weight: 30, arbitrary: fc.tuple(headerName, ows, fc.oneof(xffValue, textBytes), ows, eol).map(([n, a, v, b, e]) => `${n}:${a}${v}${b}${e}`) },
  // obs-fold: a continuation line.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(' ', '\t'), xffValue, eol).map(([w, v, e]) => `${w}${v}${e}`) },
);
const head = fc.tuple(
  fc.constantFrom('', '', '\r\n', '\n', '\r\n\r\n'), method, fc.constantFrom(' ', ' ', '  ', '\t'), target,
  fc.constantFrom(' ', ' ', '  '), version, eol, fc.array(headerLine, { maxLength: 8 }), eol,
).map(([lead, m, s1, t, s2, v, e1, lines, e2]) => latin1(`${lead}${m}${s1}${t}${s2}${v}${e1}${lines.join('')}${e2}`));

const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** The key the app would route by: Node joins repeated lines with ", " into req.headers. */
function keyOf(values: readonly string[]): string | null {
  return headerKey(values, KEY_OPTIONS);
}

describe('HeadParser properties', () => {
  it('gives the same answer for every split of the same bytes', () => {
    fc.assert(fc.property(fc.oneof(head, fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a))), cuts, (bytes, at) => {
      expect(parseSplit(bytes, at)).toEqual(parseWhole(bytes));
    }), { numRuns: 1000 });
  });

  it('never throws on any bytes, and answers at once past maxHeaderBytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 512 }), (a, max) => {
      const r = new HeadParser(HEADER, max).push(Buffer.from(a));
      if (a.length > max) expect(r.state).not.toBe('more');
      if (r.state === 'error') expect([400, 431]).toContain(r.status);
    }), { numRuns: 1000 });
  });
});

describe('HeadParser against Node\'s own HTTP parser', () => {
  let oracle: NodeHttpOracle;
  beforeAll(async () => {
    oracle = await NodeHttpOracle.start(HEADER);
  });
  afterAll(() => oracle?.close());

  it('knows the methods this Node knows', () => {
    expect(HTTP_METHODS).toEqual(expect.arrayContaining(METHODS));
    // A Node older than llhttp's QUERY answers it 400 from the worker: costly to no one.
    expect(HTTP_METHODS.filter((m) => !METHODS.includes(m))).toEqual(METHODS.includes('QUERY') ? [] : ['QUERY']);
  });

  it('never accepts a head Node rejects, and routes by the header value the app sees', async () => {
    let agreed = 0;
    await fc.assert(fc.asyncProperty(head, async (bytes) => {
      const ours = parseWhole(bytes);
      if (ours.state === 'more') return;
      const node = await oracle.judge(bytes);
      if (ours.state === 'done') {
        expect(node, JSON.stringify(bytes.toString('latin1'))).toMatchObject({ accepted: true });
        const seen = node.accepted && node.value !== undefined ? [node.value] : [];
        expect(keyOf(ours.values)).toBe(keyOf(seen));
        agreed++;
      }
    }), { numRuns: 300 });
    // The generator must reach the interesting side: heads both parsers accept.
    expect(agreed).toBeGreaterThan(50);
  });

  // Each case below is a disagreement the properties found; both sides are checked, so a
  // Node whose parser changes shows up here first.
  const regressions: [string, string][] = [
    ['bare LF after the request line (HPE_INVALID_VERSION)', 'GET / HTTP/1.1\nHost: a\r\n\r\n'],
    ['bare LF after a header line (HPE_CR_EXPECTED)', 'GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\nHost: a\r\n\r\n'],
    ['bare LF ending the head (HPE_INVALID_HEADER_TOKEN)', 'GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\n\n'],
    ['a head in bare LFs throughout', 'GET / HTTP/1.0\nX-Forwarded-For: 1.1.1.1\n\n'],
    ['an unknown method (HPE_INVALID_METHOD)', 'FOO / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n'],
    ['a lower-case method (HPE_INVALID_METHOD)', 'get / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n'],
    ['version HTTP/1.2 (HPE_INVALID_VERSION)', 'GET / HTTP/1.2\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n'],
    ['version HTTP/3.0 (HPE_INVALID_VERSION)', 'GET / HTTP/3.0\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n'],
    ['an empty target, the version read as one (HPE_INVALID_URL)', 'GET  HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n'],
    ['a non-ASCII byte in the target (HPE_INVALID_URL)', 'GET /\xe9 HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n'],
  ];
  it.each(regressions)('refuses what Node refuses: %s', async (_name, text) => {
    expect(parseWhole(latin1(text))).toMatchObject({ state: 'error', status: 400 });
    expect(await oracle.judge(latin1(text))).toMatchObject({ accepted: false });
  });

  it('accepts extra spaces before the target, as Node does', async () => {
    const text = 'GET  / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n';
    expect(parseWhole(latin1(text))).toEqual({ state: 'done', values: ['1.1.1.1'] });
    expect(await oracle.judge(latin1(text))).toEqual({ accepted: true, value: '1.1.1.1' });
  });

  it.each([
    [MAX_HEADER_LINES - 1, '9.9.9.9'],
    [MAX_HEADER_LINES, '9.9.9.9'],
    [MAX_HEADER_LINES + 1, undefined],
    [MAX_HEADER_LINES + 30, undefined],
    [2001, undefined],
  ])('routes by no header line past what req.headers keeps: X-Forwarded-For as line %i', async (line, seen) => {
    let text = 'GET / HTTP/1.1\r\nHost: a\r\n';
    for (let i = 2; i < line; i++) text += `h${i}: v\r\n`;
    text += 'X-Forwarded-For: 9.9.9.9\r\n\r\n';
    const bytes = latin1(text);
    const ours = new HeadParser(HEADER, 65_536).push(bytes);
    expect(ours).toEqual({ state: 'done', values: seen === undefined ? [] : [seen] });
    expect(await oracle.judge(bytes)).toEqual(expectedVerdict(line, { accepted: true, value: seen }));
  });

  it('keeps only the repeated lines the app sees, and their order', async () => {
    let text = 'GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\n';
    for (let i = 2; i < MAX_HEADER_LINES; i++) text += `h${i}: v\r\n`;
    text += 'X-Forwarded-For: 2.2.2.2\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n';
    const bytes = latin1(text);
    expect(new HeadParser(HEADER, 65_536).push(bytes)).toEqual({ state: 'done', values: ['1.1.1.1', '2.2.2.2'] });
    expect(await oracle.judge(bytes)).toEqual(expectedVerdict(MAX_HEADER_LINES + 1, { accepted: true, value: '1.1.1.1, 2.2.2.2' }));
  });
});

/**
 * Past MAX_HEADER_LINES lines, Node 20 keeps the first 1000 in req.headers while Node 22 and 24
 * refuse the whole head (HPE_HEADER_OVERFLOW), so the app sees no request at all. Either way no
 * header past the limit reaches the app, which is what the primary's key must agree with.
 */
const NODE_REFUSES_OVERFLOW = Number(process.versions.node.split('.')[0]) >= 22;

function expectedVerdict(lines: number, kept: NodeVerdict): NodeVerdict {
  return NODE_REFUSES_OVERFLOW && lines > MAX_HEADER_LINES ? { accepted: false, code: 'HPE_HEADER_OVERFLOW' } : kept;
}
