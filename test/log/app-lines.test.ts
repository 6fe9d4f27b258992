import { expect, test } from 'vitest';
import { AppLineSplitter, cleanLine } from '../../src/log/app-lines.js';

function split(chunks: (string | Buffer)[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = new AppLineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

test('lines across chunks, CRLF, empty lines kept, a last line without newline flushed at end', () => {
  expect(split(['a', 'b\nc\r\n', '\n', 'tail'])).toEqual(['ab', 'c', '', 'tail']);
  expect(split(['x\n'])).toEqual(['x']);
});

test('a line over the limit is cut into pieces, none lost, never inside a UTF-8 sequence', () => {
  expect(split(['abcdefghij\n'], 4)).toEqual(['abcd', 'efgh', 'ij']);
  // Without a newline yet: pieces come out as the limit is passed, the rest at the newline.
  expect(split(['abcde', 'fgh', 'i\n'], 4)).toEqual(['abcd', 'efgh', 'i']);
  // "é" is two bytes: a cut at 3 would split the second one.
  expect(split(['aéé\n'], 4)).toEqual(['aé', 'é']);
  expect(split(['€€€€\n'], 4).join('')).toBe('€€€€');
});

test('invalid UTF-8 becomes U+FFFD; a multi-byte character split across chunks survives', () => {
  const euro = Buffer.from('€');
  expect(split([euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from([0xff, 0x0a])])])).toEqual(['€\uFFFD']);
});

test('cleanLine: colours and cursor moves removed, other controls shown as \\xNN, tab kept', () => {
  expect(cleanLine('\x1b[1;31mred\x1b[0m\tok')).toBe('red\tok');
  expect(cleanLine('a\x00b\x07c\x7fd\u0085e')).toBe('a\\x00b\\x07c\\x7fd\\x85e');
  expect(cleanLine('\x1b]0;title\x07after')).toBe('after');
});
