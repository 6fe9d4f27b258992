import { expect, test } from 'vitest';
import { formatTable } from '../../src/text/table.js';

test('tables pad columns, numbers to the right', () => {
  expect(formatTable([['A', 'NUM'], ['long', '5']], new Set([1]))).toBe('A     NUM\nlong    5');
});

test('a row shorter than the others leaves no trailing spaces', () => {
  expect(formatTable([['A', 'B', 'C'], ['x']])).toBe('A  B  C\nx');
});
