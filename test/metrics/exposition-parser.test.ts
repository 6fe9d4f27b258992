// The strict exposition parser the scrape tests rely on: what it accepts, and each
// violation of the text format it must refuse (a lenient parser would hide them).
import { describe, expect, it } from 'vitest';
import { ExpositionError, parseExposition, sampleValue } from '../helpers/prometheus-text.js';

const HISTOGRAM = [
  '# HELP h_seconds A histogram.',
  '# TYPE h_seconds histogram',
  'h_seconds_bucket{le="0.1"} 1',
  'h_seconds_bucket{le="1"} 3',
  'h_seconds_bucket{le="+Inf"} 4',
  'h_seconds_sum 2.5',
  'h_seconds_count 4',
];

function text(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

describe('parseExposition accepts', () => {
  it('HELP with escapes, TYPE, labels with escapes and a trailing comma, special values, timestamps, blank lines and comments', () => {
    const families = parseExposition(text(
      '# a comment',
      '# HELP c_total Counts \\\\ things\\nover lines.',
      '# TYPE c_total counter',
      'c_total{path="/a\\"b\\\\c\\nd",code="200",} 3 1700000000000',
      'c_total{path="",code="500"} 0',
      '',
      '# TYPE g gauge',
      'g -Inf',
      'g{x="1"} NaN',
      'g{x="2"} +Inf',
      'g{x="3"} -1.5e-3',
      'g{x="4"} Nan',
      'g{x="5"} -infinity',
      'g{x="6"} .5',
      'u 7',
      ...HISTOGRAM,
    ));
    const c = families.get('c_total')!;
    expect(c.help).toBe('Counts \\ things\nover lines.');
    expect(c.type).toBe('counter');
    expect(c.samples[0]).toEqual({ name: 'c_total', labels: { path: '/a"b\\c\nd', code: '200' }, value: 3, timestampMs: 1700000000000 });
    expect(families.get('g')!.samples.map((s) => s.value)).toEqual([-Infinity, NaN, Infinity, -0.0015, NaN, -Infinity, 0.5]);
    expect(families.get('u')!.type).toBe('untyped');
    expect(sampleValue(families, 'h_seconds_bucket', { le: '+Inf' })).toBe(4);
    expect(sampleValue(families, 'h_seconds_count')).toBe(4);
  });

  it('an empty exposition', () => {
    expect(parseExposition('').size).toBe(0);
  });
});

describe('parseExposition refuses', () => {
  const cases: [string, string, RegExp][] = [
    ['no final line feed', 'g 1', /does not end with a line feed/],
    ['a bad metric name', text('1g 1'), /does not start with a metric name/],
    ['a bad name in TYPE', text('# TYPE 1g gauge'), /not a metric name/],
    ['an unknown type', text('# TYPE g gauges'), /is not one of/],
    ['a second TYPE', text('# TYPE g gauge', '# TYPE g gauge'), /a second TYPE/],
    ['a second HELP', text('# HELP g a', '# HELP g b'), /a second HELP/],
    ['HELP after the samples', text('g 1', '# HELP g late'), /after its samples/],
    ['a bad escape in HELP', text('# HELP g a \\t b'), /bad escape/],
    ['a bad escape in a label value', text('g{a="\\t"} 1'), /bad escape/],
    ['an unterminated label value', text('g{a="x} 1'), /unterminated value/],
    ['an unquoted label value', text('g{a=x} 1'), /not followed by ="/],
    ['a bad label name', text('g{1a="x"} 1'), /bad label name/],
    ['a reserved label name', text('g{__a="x"} 1'), /reserved/],
    ['a label twice', text('g{a="x",a="y"} 1'), /label a twice/],
    ['a missing comma', text('g{a="x" b="y"} 1'), /expected "," or "}"/],
    ['no value', text('g{a="x"}'), /expected a value/],
    ['a bad value', text('g 1.2.3'), /is not a sample value/],
    ['a signed NaN', text('g -NaN'), /is not a sample value/],
    ['a hex float', text('g 0x1p3'), /is not a sample value/],
    ['a value with a unit', text('g 5ms'), /is not a sample value/],
    ['a bad timestamp', text('g 1 12.5'), /not a timestamp/],
    ['a third token', text('g 1 2 3'), /expected a value/],
    ['a series twice', text('g{a="1"} 1', 'g{a="1"} 2'), /appears twice/],
    ['a metric split into two groups', text('a 1', 'b 1', 'a{x="1"} 2'), /must be one group/],
    ['a negative counter', text('# TYPE c counter', 'c -1'), /has the value -1/],
    ['a histogram sample without a suffix', text('# TYPE h histogram', 'h 1'), /without _bucket/],
    ['a bucket without le', text('# TYPE h histogram', 'h_bucket 1'), /without an le label/],
    ['an le on _sum', text('# TYPE h histogram', 'h_bucket{le="+Inf"} 1', 'h_sum{le="1"} 1', 'h_count 1'), /has an le label/],
    ['a histogram without +Inf', text('# TYPE h histogram', 'h_bucket{le="1"} 1', 'h_sum 1', 'h_count 1'), /no le="\+Inf" bucket/],
    ['buckets out of le order', text('# TYPE h histogram', 'h_bucket{le="1"} 1', 'h_bucket{le="0.5"} 1', 'h_bucket{le="+Inf"} 1', 'h_sum 1', 'h_count 1'), /ascending le order/],
    ['buckets that are not cumulative', text('# TYPE h histogram', 'h_bucket{le="1"} 2', 'h_bucket{le="+Inf"} 1', 'h_sum 1', 'h_count 1'), /less than the bucket before/],
    ['+Inf differing from _count', text('# TYPE h histogram', 'h_bucket{le="+Inf"} 2', 'h_sum 1', 'h_count 3'), /differs from _count/],
    ['a histogram without _sum', text('# TYPE h histogram', 'h_bucket{le="+Inf"} 1', 'h_count 1'), /no _sum/],
    ['a histogram without _count', text('# TYPE h histogram', 'h_bucket{le="+Inf"} 1', 'h_sum 1'), /no _count/],
    ['an le of NaN', text('# TYPE h histogram', 'h_bucket{le="NaN"} 1', 'h_bucket{le="+Inf"} 1', 'h_sum 1', 'h_count 1'), /is not a number/],
    ['an le that is not a number', text('# TYPE h histogram', 'h_bucket{le="x"} 1', 'h_bucket{le="+Inf"} 1', 'h_sum 1', 'h_count 1'), /is not a number/],
    ['a summary quantile above 1', text('# TYPE s summary', 's{quantile="2"} 1', 's_sum 1', 's_count 1'), /not from 0 to 1/],
  ];
  for (const [what, input, message] of cases) {
    it(what, () => {
      expect(() => parseExposition(input)).toThrow(ExpositionError);
      expect(() => parseExposition(input)).toThrow(message);
    });
  }
});
